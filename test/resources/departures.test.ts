/**
 * resources follows talent's departures and moves, through the gateway: a member transferred
 * out is in no assignment's completion list made after (neither by their old branch nor by
 * name), a retiree moved to the retired members' branch (离退休党支部) is in that branch's
 * next assignment and not the old one's, and the study done before leaving stays on the
 * person's record for the committee.
 */
import { describe, expect, it } from 'vitest';
import { as } from '../support/api.js';
import { untilRosterCopies } from '../support/roster.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';
import {
  committee,
  newBranch,
  register,
  retiredMembersBranch,
  retireInto,
  TODAY,
  transferOut,
} from '../talent/support.js';
import { expectStatus } from './support.js';

const at = { now: TODAY };
const decision = { on: '2026-11-20', reason: '经党委会研究决定', authority: '党委〔2026〕22号' };

type Client = Awaited<ReturnType<typeof as>>;
interface Listed {
  personId: string;
  branchId?: string;
}

/** Who an assignment's completion list names, finished or not. */
const listedIn = async (admin: Client, assignmentId: string) => {
  const res = await admin.get(`/resources/assignments/${assignmentId}`, at);
  expectStatus(res, 200);
  const body = res.body as { total: number; completed: Listed[]; notCompleted: Listed[] };
  return { total: body.total, people: [...body.completed, ...body.notCompleted] };
};

const assign = async (
  admin: Client,
  resourceId: string,
  to: { branchIds?: string[]; personIds?: string[] },
) => {
  const res = await admin.post('/resources/assignments', { resourceId, ...to, dueOn: '2026-12-31' }, at);
  expectStatus(res, 201);
  return res.body.assignmentId as string;
};

describe('resources after a departure or a retirement', () => {
  it(
    'leaves the departed out of new assignments, moves the retiree’s, and keeps the study done',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      const retiredBranch = { branchId: await retiredMembersBranch(admin) };
      const full = { branchId, politicalStatus: 'full', statusSince: '2010-07-01' };
      const [stays, leaves, retires] = [
        await register(admin, full),
        await register(admin, full),
        await register(admin, full),
      ];
      await Promise.all(
        [stays, leaves, retires].map((p) => untilRosterCopies(['resources'], p.personId, p.version)),
      );
      const link = await admin.post('/resources', {
        title: '学习党章',
        kind: 'link',
        url: 'https://example.org/charter',
      });
      expectStatus(link, 201);
      const resourceId = link.body.resourceId as string;

      // Study done before leaving.
      const leaver = await as({ roles: ['member'], branchId, personId: leaves.personId });
      expectStatus(
        await leaver.post(`/resources/${resourceId}/progress`, { minutes: 30, completed: true }, at),
        200,
      );
      const before = await assign(admin, resourceId, { branchIds: [branchId] });
      expect((await listedIn(admin, before)).total).toBe(3);

      const out = await transferOut(admin, leaves, '2026-11-20', at);
      expect(out.status, out.text).toBe(200);
      const retired = await retireInto(admin, retires, retiredBranch.branchId, decision.on, at);
      expect(retired.status, retired.text).toBe(200);
      await untilRosterCopies(['resources'], leaves.personId, out.body.version);
      await untilRosterCopies(['resources'], retires.personId, retired.body.version);

      // Made after: the old branch's is the one who stays; the departed named by the committee is no one's to finish it.
      const oldBranch = await assign(admin, resourceId, {
        branchIds: [branchId],
        personIds: [leaves.personId],
      });
      expect((await listedIn(admin, oldBranch)).people.map((p) => p.personId)).toEqual([stays.personId]);
      const newBranch_ = await assign(admin, resourceId, { branchIds: [retiredBranch.branchId] });
      expect((await listedIn(admin, newBranch_)).people).toEqual([
        expect.objectContaining({ personId: retires.personId, branchId: retiredBranch.branchId }),
      ]);

      // The departed acts no more here; their study stays on their record, for the committee.
      const mine = await leaver.get('/resources/me/study', at);
      expect(mine.status).toBe(403);
      expect(mine.body.error.code).toBe('no-person');
      await until('the study on the departed member’s timeline', DELIVERY_BUDGET_MS, async () => {
        const timeline = await admin.get(`/talent/people/${leaves.personId}/timeline`);
        return timeline.status === 200 && JSON.stringify(timeline.body.items).includes(resourceId);
      });
      // Waits: the roster copies, the departure and the move reaching resources, the timeline.
    },
    timeoutFor(deliveries(4)),
  );
});
