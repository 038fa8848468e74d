/**
 * Campaigns (统一部署) through the gateway: the committee schedules one 主题党日 across four
 * branches, each branch gets its own activity (its invitees, its ActivityScheduled), the
 * status page follows each branch (scheduled, held with or without evidence, missed); a retry
 * with the same Idempotency-Key creates nothing twice, also after a partial failure, and
 * resumes what is missing; a campaign naming a branch nobody knows writes nothing.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../infra/local/api-event.js';
import { activitiesService } from '../../services/activities/service.js';
import { createHttpHandler } from '../../shared/http/handler.js';
import { newId } from '../../shared/ids.js';
import { pngBytes, uploadWith } from '../resources/support.js';
import { as, runtime } from '../support/api.js';
import { httpEvent } from '../support/http-event.js';
import { interposed } from '../support/interposed.js';
import { contextOn } from '../support/start.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';
import { at, branchWithMembers, nth, outboxOf } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;
type Branch = Awaited<ReturnType<typeof branchWithMembers>>;
interface BranchStatus {
  branchId: string;
  activityId: string;
  status: string;
  evidence: number;
}

const BEFORE = '2026-12-01T10:00:00+08:00';
/** After every branch's day. */
const AFTER_ALL = '2026-12-20T10:00:00+08:00';
const keyed = (key: string, now = BEFORE) => ({ headers: { 'idempotency-key': key }, now });

/** Branch i's part: its own day in December 2026, its own room name. */
const entry = (branchId: string, i: number) => ({
  branchId,
  startsAt: `2026-12-1${i}T14:30:00+08:00`,
  endsAt: `2026-12-1${i}T16:30:00+08:00`,
  location: `第${i + 1}支部活动室`,
});

const campaignBody = (branches: Branch[]) => ({
  title: `“学习贯彻全会精神”主题党日 ${newId()}`,
  type: 'theme-day',
  agenda: '一、集中学习；二、交流研讨',
  branches: branches.map((b, i) => entry(b.branchId, i)),
});

const fourBranches = () => Promise.all([1, 2, 3, 4].map(() => branchWithMembers(1)));

/** The activities a branch has, as the committee lists them. */
const activitiesOf = async (committee: Client, branchId: string) => {
  const res = await committee.get(`/activities?branchId=${branchId}&limit=50`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { activityId: string; campaignId?: string }[];
};

const scheduledEvents = async (activityId: string) =>
  (await outboxOf(activityId)).filter((e) => e.detailType === 'ActivityScheduled');

describe('campaigns (统一部署)', () => {
  it('schedules one activity per branch across four branches and shows where each stands', {
    // Its waits: the four branches' rosters (at once) and the scheduled events.
    timeout: timeoutFor(deliveries(2)),
  }, async () => {
    const committee = await as({ roles: ['committee'] });
    const branches = await fourBranches();
    const body = campaignBody(branches);
    const res = await committee.post('/activities/campaigns', body, keyed(newId()));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const campaignId = res.body.campaignId as string;
    expect(res.body.summary).toEqual({
      branches: 4,
      pending: 0,
      scheduled: 4,
      heldWithEvidence: 0,
      heldWithoutEvidence: 0,
      missed: 0,
    });
    const parts = res.body.branches as BranchStatus[];
    expect(parts.map((p) => p.branchId)).toEqual(branches.map((b) => b.branchId));

    // Each branch's activity is an ordinary one of that branch: its secretary organises it,
    // its members are invited, and ActivityScheduled (the invitations) was published once.
    for (const [i, b] of branches.entries()) {
      const { activityId } = nth(parts, i);
      const own = await b.secretary.get(`/activities/${activityId}`);
      expect(own.status, JSON.stringify(own.body)).toBe(200);
      expect(own.body).toMatchObject({
        branchId: b.branchId,
        type: 'theme-day',
        title: body.title,
        campaignId,
        startsAt: entry(b.branchId, i).startsAt,
        location: entry(b.branchId, i).location,
        status: 'scheduled',
      });
      expect(own.body.inviteeIds).toEqual(b.memberIds);
      expect(await scheduledEvents(activityId)).toHaveLength(1);
      const other = nth(branches, (i + 1) % 4);
      expect((await other.secretary.get(`/activities/${activityId}`)).status).toBe(404);
    }

    // Branch 0 holds it and uploads a photo; branch 1 holds it without evidence; branch 2
    // cancels; branch 3 lets the day pass.
    const [b0, b1, b2] = branches as [Branch, Branch, Branch, Branch];
    const held = (i: number) => `/activities/${nth(parts, i).activityId}`;
    for (const [i, b] of [b0, b1].entries()) {
      const done = await b.secretary.post(
        `${held(i)}/complete`,
        { minutes: '集中学习了全会精神。' },
        at(`2026-12-1${i}T17:00:00+08:00`),
      );
      expect(done.status, JSON.stringify(done.body)).toBe(200);
    }
    const png = pngBytes();
    const photo = await b0.secretary.post(`${held(0)}/attachments`, {
      kind: 'photo',
      name: '合影.png',
      contentType: 'image/png',
      sizeBytes: png.byteLength,
    });
    expect(photo.status, JSON.stringify(photo.body)).toBe(201);
    expect((await uploadWith(photo.body.upload, png, 'image/png')).status).toBe(204);
    await until('the photo accepted', DELIVERY_BUDGET_MS, async () => {
      const list = await b0.secretary.get(`${held(0)}/attachments`);
      return list.body.evidence === 1;
    });
    expect((await b2.secretary.post(`${held(2)}/cancel`, { reason: '因防汛任务取消' })).status).toBe(200);

    const page = await committee.get(`/activities/campaigns/${campaignId}`, at(AFTER_ALL));
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect((page.body.branches as BranchStatus[]).map((p) => [p.status, p.evidence])).toEqual([
      ['held-with-evidence', 1],
      ['held-without-evidence', 0],
      ['missed', 0],
      ['missed', 0],
    ]);
    expect(page.body.summary).toMatchObject({
      heldWithEvidence: 1,
      heldWithoutEvidence: 1,
      missed: 2,
      scheduled: 0,
    });
    // Before branch 3's day, its part is still scheduled.
    const earlier = await committee.get(
      `/activities/campaigns/${campaignId}`,
      at('2026-12-13T16:00:00+08:00'),
    );
    expect(nth(earlier.body.branches as BranchStatus[], 3).status).toBe('scheduled');

    // The committee alone: a secretary is refused, an unknown campaign is not found.
    expect((await b0.secretary.get(`/activities/campaigns/${campaignId}`)).status).toBe(403);
    expect((await committee.get(`/activities/campaigns/${newId()}`)).status).toBe(404);
    const listed = await committee.get('/activities/campaigns?limit=100');
    expect(listed.status).toBe(200);
  });

  it('creates nothing twice on a retry, and resumes the branches a failed attempt left out', async () => {
    const committee = await as({ roles: ['committee'] });
    const branches = await fourBranches();
    const body = campaignBody(branches);

    // The first attempt fails on one branch's write: the campaign and the others landed.
    let writes = 0;
    const ctx = interposed(contextOn(runtime(), 'activities'), async (command, send) => {
      if (command instanceof TransactWriteCommand && ++writes === 3) throw new Error('connection reset');
      return send(command);
    });
    const lambda = createHttpHandler(activitiesService, ctx);
    const key = newId();
    const event = httpEvent({
      method: 'POST',
      path: '/activities/campaigns',
      body,
      caller: { sub: committee.sub, groups: ['committee'] },
      now: BEFORE,
    });
    event.headers['idempotency-key'] = key;
    const failed = await lambda(
      event,
      lambdaContext('test-activities', 10_000, event.requestContext.requestId),
    );
    expect(failed.statusCode).toBe(500);
    const counts = async () =>
      Promise.all(branches.map(async (b) => (await activitiesOf(committee, b.branchId)).length));
    expect((await counts()).sort()).toEqual([0, 1, 1, 1]);

    // The retry with the same key makes the missing branch only.
    const retried = await committee.post('/activities/campaigns', body, keyed(key));
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.body.summary).toMatchObject({ branches: 4, scheduled: 4, pending: 0 });
    expect(await counts()).toEqual([1, 1, 1, 1]);

    // And once more: the same campaign, the same activities, nothing new, nothing published again.
    const again = await committee.post('/activities/campaigns', body, keyed(key));
    expect(again.status).toBe(201);
    expect(again.body.campaignId).toBe(retried.body.campaignId);
    expect(again.body.branches).toEqual(retried.body.branches);
    expect(await counts()).toEqual([1, 1, 1, 1]);
    for (const p of again.body.branches as BranchStatus[]) {
      expect(await scheduledEvents(p.activityId)).toHaveLength(1);
    }
  }, 90_000);

  it('refuses a campaign naming a branch that does not exist, and writes nothing for any branch', async () => {
    const committee = await as({ roles: ['committee'] });
    const branches = await fourBranches();
    const body = campaignBody(branches);
    const unknown = newId();
    const res = await committee.post(
      '/activities/campaigns',
      { ...body, branches: [...body.branches.slice(0, 3), entry(unknown, 3)] },
      keyed(newId()),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.code).toBe('unknown-branch');
    expect(res.body.error.message).toContain(unknown);
    for (const b of branches) expect(await activitiesOf(committee, b.branchId)).toEqual([]);

    // Each branch once; a bad window anywhere refuses the whole; only the committee.
    const twice = await committee.post('/activities/campaigns', {
      ...body,
      branches: [entry(nth(branches, 0).branchId, 0), entry(nth(branches, 0).branchId, 1)],
    });
    expect(twice.status).toBe(400);
    const backwards = { ...entry(nth(branches, 3).branchId, 3), endsAt: '2026-12-13T14:00:00+08:00' };
    const window = await committee.post(
      '/activities/campaigns',
      { ...body, branches: [...body.branches.slice(0, 3), backwards] },
      at(BEFORE),
    );
    expect(window.status).toBe(422);
    expect(window.body.error.code).toBe('ends-before-start');
    expect((await nth(branches, 0).secretary.post('/activities/campaigns', body, at(BEFORE))).status).toBe(
      403,
    );
    for (const b of branches) expect(await activitiesOf(committee, b.branchId)).toEqual([]);
  }, 90_000);
});
