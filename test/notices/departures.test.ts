/**
 * notices follows talent's departures and moves, through the gateway: a member transferred
 * out receives no new announcement of their old branch and is not in its read counts, a
 * retiree moved to the retired members' branch (离退休党支部) receives that branch's and not
 * the old one's; reminders written before the departure (an activity's) reach only those still
 * on the register, and the departed person's calendar feed opens no more. Time is the tests'
 * own: the request's `now` and the reminders' tick.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as, request, settle, tick } from '../support/api.js';
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

type Client = Awaited<ReturnType<typeof as>>;
interface Entry {
  noticeId: string;
  kind: string;
  activityId?: string;
}

const at = { now: TODAY };
const HOUR = 60 * 60_000;
const full = (branchId: string) => ({ branchId, politicalStatus: 'full', statusSince: '2010-07-01' });
const inbox = async (client: Client): Promise<Entry[]> => {
  const res = await client.get('/notices/me?limit=100');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { items: Entry[] }).items;
};

const announce = async (secretary: Client, branchId: string) => {
  const drafted = await secretary.post('/notices/announcements', {
    title: `关于开展主题党日活动的通知 ${newId()}`,
    text: '各党员：\n本月主题党日定于周五下午举行，请准时参加。',
    audience: { kind: 'branches', branchIds: [branchId] },
  });
  expect(drafted.status, JSON.stringify(drafted.body)).toBe(201);
  const id = drafted.body.announcementId as string;
  expect((await secretary.post(`/notices/announcements/${id}/publish`)).status).toBe(200);
  return id;
};

/** Who the announcement reached (its unread, as nobody read it), once its delivery is done. */
const reached = async (secretary: Client, id: string) => {
  const receipts = () => secretary.get(`/notices/announcements/${id}/reads`);
  await until(
    `announcement ${id} delivered`,
    DELIVERY_BUDGET_MS,
    async () => (await receipts()).body.recipients > 0,
  );
  // Delivered in batches by one consumer: the count is final once the platform is quiet.
  await settle();
  const body = (await receipts()).body as { branches: { unread: { personId: string }[] }[] };
  return body.branches.flatMap((b) => b.unread.map((u) => u.personId));
};

describe('notices after a departure or a retirement', () => {
  it(
    'addresses a branch’s new announcement to its current members only, the retiree to their new branch',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      const retiredBranch = { branchId: await retiredMembersBranch(admin) };
      const [stays, leaves, retires] = [
        await register(admin, full(branchId)),
        await register(admin, full(branchId)),
        await register(admin, full(branchId)),
      ];
      await Promise.all(
        [stays, leaves, retires].map((p) => untilRosterCopies(['notices'], p.personId, p.version)),
      );
      const secretary = await as({ roles: ['secretary', 'member'], branchId });
      const retiredSecretary = await as({ roles: ['secretary', 'member'], branchId: retiredBranch.branchId });

      const out = await transferOut(admin, leaves, '2026-11-20', at);
      expect(out.status, out.text).toBe(200);
      const retired = await retireInto(admin, retires, retiredBranch.branchId, '2026-11-20', at);
      expect(retired.status, retired.text).toBe(200);
      await untilRosterCopies(['notices'], leaves.personId, out.body.version);
      await untilRosterCopies(['notices'], retires.personId, retired.body.version);

      const old = await announce(secretary, branchId);
      expect(await reached(secretary, old)).toEqual([stays.personId]);
      const moved = await announce(retiredSecretary, retiredBranch.branchId);
      expect(await reached(retiredSecretary, moved)).toEqual([retires.personId]);
      const leaver = await as({ roles: ['member'], personId: leaves.personId });
      expect((await inbox(leaver)).map((e) => e.noticeId)).not.toContain(old);
      // Waits: the roster copies, the moves reaching notices, each announcement delivered and settled.
    },
    timeoutFor(deliveries(5)),
  );

  it(
    'stops the reminders and the calendar feed of a member who left',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      const [stays, leaves] = [await register(admin, full(branchId)), await register(admin, full(branchId))];
      await Promise.all(
        [stays, leaves].map((p) => untilRosterCopies(['notices', 'activities'], p.personId, p.version)),
      );
      const secretary = await as({ roles: ['secretary', 'member'], branchId });
      const stayer = await as({ roles: ['member'], branchId, personId: stays.personId });
      const leaver = await as({ roles: ['member'], branchId, personId: leaves.personId });

      const feed = await leaver.post('/notices/me/calendar');
      expect(feed.status, feed.text).toBe(200);
      const feedPath = new URL(feed.body.url as string).pathname;
      const fetchFeed = () => request('GET', feedPath, undefined, { token: null, ...at });
      expect((await fetchFeed()).status).toBe(200);

      // An activity on a minute of its own, far ahead (the sweep takes whatever is due then).
      const start = new Date(Date.UTC(2064, 0, 1, 2) + Math.floor(Math.random() * 300_000) * 60_000);
      const scheduled = await secretary.post(
        '/activities',
        {
          branchId,
          type: 'theme-day',
          title: '主题党日',
          startsAt: start.toISOString(),
          endsAt: new Date(start.getTime() + 2 * HOUR).toISOString(),
        },
        { now: new Date(start.getTime() - 10 * 24 * HOUR).toISOString() },
      );
      expect(scheduled.status, scheduled.text).toBe(201);
      const activityId = scheduled.body.activityId as string;
      expect([...scheduled.body.inviteeIds].sort()).toEqual([stays.personId, leaves.personId].sort());
      // The reminders are written with the copy the scheduled notice follows.
      await until('the scheduled notice in both inboxes', DELIVERY_BUDGET_MS, async () =>
        (await Promise.all([stayer, leaver].map(inbox))).every((items) =>
          items.some((e) => e.noticeId === `${activityId}-scheduled`),
        ),
      );

      const out = await transferOut(admin, leaves, '2026-11-20', at);
      expect(out.status, out.text).toBe(200);
      await untilRosterCopies(['notices'], leaves.personId, out.body.version);

      await tick(new Date(start.getTime() - 24 * HOUR + 60_000), ['notices.reminders']);
      const reminders = async (client: Client) =>
        (await inbox(client)).filter((e) => e.activityId === activityId && e.kind === 'activity-reminder');
      expect(await reminders(stayer)).toHaveLength(1);
      expect(await reminders(leaver)).toEqual([]);
      expect((await fetchFeed()).status).toBe(404);
      // Waits: the roster copies, the scheduled notice, the departure reaching notices, the reminder.
    },
    timeoutFor(deliveries(4)),
  );
});
