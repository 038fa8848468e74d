/**
 * notices through the gateway: announcements reach exactly their branches' inboxes, read
 * receipts count exactly, scope and roles hold, withdrawal and reminders reach the inboxes,
 * and activities' events leave one notice per invitee however often they are delivered.
 */
import { describe, expect, it } from 'vitest';
import { ActivityCancelled, ActivityMoved, ActivityScheduled } from '../../services/activities/events.js';
import { newId } from '../../shared/ids.js';
import { branchWithMembers } from '../activities/support.js';
import { as, publish, settle } from '../support/api.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';

type Client = Awaited<ReturnType<typeof as>>;
interface Entry {
  noticeId: string;
  kind: string;
  startsAt?: string;
  read: boolean;
  remindedAt?: string;
  activityId?: string;
}

const inbox = async (client: Client, query = 'limit=100'): Promise<Entry[]> => {
  const res = await client.get(`/notices/me?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { items: Entry[] }).items;
};

const unread = async (client: Client): Promise<number> => {
  const res = await client.get('/notices/me/unread-count');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { unread: number }).unread;
};

const holds = (client: Client, noticeId: string) => async () =>
  (await inbox(client)).some((e) => e.noticeId === noticeId);

const reaches = (clients: Client[], noticeId: string) =>
  Promise.all(
    clients.map((c) => until(`notice ${noticeId} in an inbox`, DELIVERY_BUDGET_MS, holds(c, noticeId))),
  );

const announce = async (secretary: Client, branchId: string, over: Record<string, unknown> = {}) => {
  const drafted = await secretary.post('/notices/announcements', {
    title: `关于开展主题党日活动的通知 ${newId()}`,
    text: '各党员：\n本月主题党日定于周五下午举行，请准时参加。',
    audience: { kind: 'branches', branchIds: [branchId] },
    ...over,
  });
  expect(drafted.status, JSON.stringify(drafted.body)).toBe(201);
  const id = (drafted.body as { announcementId: string }).announcementId;
  const published = await secretary.post(`/notices/announcements/${id}/publish`);
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  return id;
};

describe('announcements (通知公告)', () => {
  it("reach exactly the addressed branch's inboxes, and nobody else's", async () => {
    const a = await branchWithMembers(3);
    const b = await branchWithMembers(2);
    const id = await announce(a.secretary, a.branchId);
    await reaches(a.members, id);
    await settle();
    for (const member of a.members) expect(await unread(member)).toBe(1);
    for (const member of b.members) {
      expect(await inbox(member)).toEqual([]);
      expect(await unread(member)).toBe(0);
    }
    const receipts = await a.secretary.get(`/notices/announcements/${id}/reads`);
    expect(receipts.status).toBe(200);
    expect(receipts.body).toMatchObject({ recipients: 3, readCount: 0 });
    expect(receipts.body.branches.map((x: { branchId: string }) => x.branchId)).toEqual([a.branchId]);
    // A member addressed may read the whole announcement; another branch's secretary may not.
    expect((await a.members[0]?.get(`/notices/announcements/${id}`))?.status).toBe(200);
    expect((await b.secretary.get(`/notices/announcements/${id}`)).status).toBe(404);
  });

  it('count read receipts exactly: a second mark and concurrent marks count once', async () => {
    const a = await branchWithMembers(3);
    const [first, second, third] = a.members as [Client, Client, Client];
    const id = await announce(a.secretary, a.branchId);
    await reaches(a.members, id);
    const once = await first.post(`/notices/me/${id}/read`);
    const again = await first.post(`/notices/me/${id}/read`);
    expect(once.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.readAt).toBe(once.body.readAt);
    const together = await Promise.all(
      Array.from({ length: 6 }, () => second.post(`/notices/me/${id}/read`)),
    );
    expect(together.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(new Set(together.map((r) => r.body.readAt)).size).toBe(1);
    const receipts = await a.secretary.get(`/notices/announcements/${id}/reads`);
    expect(receipts.body).toMatchObject({ recipients: 3, readCount: 2 });
    const [branch] = receipts.body.branches;
    expect(branch).toMatchObject({ branchId: a.branchId, recipients: 3, readCount: 2, unreadCount: 1 });
    expect(branch.read.map((r: { personId: string }) => r.personId).sort()).toEqual(
      [first.personId, second.personId].sort(),
    );
    expect(branch.unread.map((r: { personId: string }) => r.personId)).toEqual([third.personId]);
    expect(await unread(first)).toBe(0);
    expect(await unread(third)).toBe(1);
    // Nobody else reads the receipts: a member is 403, another branch's secretary 404.
    expect((await third.get(`/notices/announcements/${id}/reads`)).status).toBe(403);
    const other = await branchWithMembers(0);
    expect((await other.secretary.get(`/notices/announcements/${id}/reads`)).status).toBe(404);
  });

  it('a secretary publishes only to their own branch (404), a member not at all (403)', async () => {
    const a = await branchWithMembers(1);
    const b = await branchWithMembers(1);
    const body = (branchIds: string[]) => ({
      title: '通知',
      text: '内容',
      audience: { kind: 'branches', branchIds },
    });
    const toOther = await a.secretary.post('/notices/announcements', body([b.branchId]));
    expect(toOther.status, JSON.stringify(toOther.body)).toBe(404);
    expect((await a.secretary.post('/notices/announcements', body([a.branchId, b.branchId]))).status).toBe(
      404,
    );
    const everyone = await a.secretary.post('/notices/announcements', {
      ...body([]),
      audience: { kind: 'institution' },
    });
    expect(everyone.status).toBe(403);
    const mandatory = await a.secretary.post('/notices/announcements', {
      ...body([a.branchId]),
      mandatory: true,
    });
    expect(mandatory.status).toBe(403);
    const member = a.members[0] as Client;
    expect((await member.post('/notices/announcements', body([a.branchId]))).status).toBe(403);
    // The committee may address any branch it knows, and none it does not.
    const committee = await as({ roles: ['committee'] });
    expect((await committee.post('/notices/announcements', body([b.branchId]))).status).toBe(201);
    expect((await committee.post('/notices/announcements', body([newId()]))).status).toBe(404);
  });

  it('withdrawn, it leaves every inbox it reached', async () => {
    const a = await branchWithMembers(2);
    const id = await announce(a.secretary, a.branchId);
    await reaches(a.members, id);
    const withdrawn = await a.secretary.post(`/notices/announcements/${id}/withdraw`);
    expect(withdrawn.status).toBe(200);
    for (const member of a.members) {
      await until('the withdrawn notice gone', DELIVERY_BUDGET_MS, async () => !(await holds(member, id)()));
      expect(await unread(member)).toBe(0);
      expect((await member.get(`/notices/announcements/${id}`)).status).toBe(404);
    }
    expect((await a.secretary.post(`/notices/announcements/${id}/withdraw`)).status).toBe(409);
  });

  it('marks all read, and the unread count follows', async () => {
    const a = await branchWithMembers(1);
    const member = a.members[0] as Client;
    const ids = [await announce(a.secretary, a.branchId), await announce(a.secretary, a.branchId)];
    for (const id of ids) await reaches([member], id);
    expect(await unread(member)).toBe(2);
    expect((await inbox(member, 'unread=true')).map((e) => e.noticeId).sort()).toEqual([...ids].sort());
    const all = await member.post('/notices/me/read');
    expect(all.body).toEqual({ marked: 2 });
    expect(await unread(member)).toBe(0);
    expect(await inbox(member, 'unread=true')).toEqual([]);
    expect((await inbox(member)).every((e) => e.read)).toBe(true);
    expect((await member.post('/notices/me/read')).body).toEqual({ marked: 0 });
  });

  it('reminds the unread once per reminder, not those who read it', async () => {
    const a = await branchWithMembers(2);
    const [reader, late] = a.members as [Client, Client];
    const id = await announce(a.secretary, a.branchId);
    await reaches(a.members, id);
    await reader.post(`/notices/me/${id}/read`);
    const key = { headers: { 'Idempotency-Key': `remind-${newId()}` } };
    const reminded = await a.secretary.post(`/notices/announcements/${id}/reminders`, undefined, key);
    expect(reminded.status, JSON.stringify(reminded.body)).toBe(202);
    expect(reminded.body.unread).toBe(1);
    const repeat = await a.secretary.post(`/notices/announcements/${id}/reminders`, undefined, key);
    expect(repeat.body.reminderId).toBe(reminded.body.reminderId);
    await until('the reminder in the inbox', DELIVERY_BUDGET_MS, async () =>
      (await inbox(late)).some((e) => e.noticeId === id && e.remindedAt !== undefined),
    );
    await settle();
    expect((await inbox(reader)).find((e) => e.noticeId === id)?.remindedAt).toBeUndefined();
    expect(await unread(late)).toBe(1);
  });
});

describe("notices from activities' events", () => {
  // The schedule was decided the week before the meeting: news to its invitees.
  const decided = { occurredAt: new Date('2026-11-26T09:00:00+08:00') };
  const scheduled = (branchId: string, inviteeIds: string[]) => ({
    activityId: newId(),
    branchId,
    type: 'branch-committee-meeting' as const,
    title: '支委会',
    startsAt: '2026-12-03T09:00:00+08:00',
    endsAt: '2026-12-03T11:00:00+08:00',
    inviteeIds,
  });
  const ofActivity = async (client: Client, activityId: string) =>
    (await inbox(client)).filter((e) => e.activityId === activityId);

  it("a scheduled activity's invitees get one notice, however often the event comes", async () => {
    const a = await branchWithMembers(3);
    const [one, two, notInvited] = a.members as [Client, Client, Client];
    const data = scheduled(a.branchId, [one.personId, two.personId]);
    const first = await publish(ActivityScheduled, data, decided);
    await until('the notice in both inboxes', DELIVERY_BUDGET_MS, async () => {
      const found = await Promise.all([one, two].map((c) => ofActivity(c, data.activityId)));
      return found.every((entries) => entries.length > 0);
    });
    const [entry] = await ofActivity(one, data.activityId);
    expect((await one.post(`/notices/me/${entry?.noticeId}/read`)).status).toBe(200);
    // The same event again, and another event about the same fact (a new event id).
    await publish(ActivityScheduled, data, { envelope: first });
    await publish(ActivityScheduled, data, decided);
    await settle();
    for (const invitee of [one, two]) {
      expect((await ofActivity(invitee, data.activityId)).map((e) => e.kind)).toEqual(['activity-scheduled']);
    }
    // What was read stays read.
    expect(await unread(one)).toBe(0);
    expect(await unread(two)).toBe(1);
    expect(await ofActivity(notInvited, data.activityId)).toEqual([]);
  });

  it('an activity scheduled, moved and cancelled through activities reaches its invitees each time', async () => {
    const a = await branchWithMembers(2);
    const res = await a.secretary.post(
      '/activities',
      {
        branchId: a.branchId,
        type: 'party-lesson',
        title: '党课',
        startsAt: '2026-12-05T09:00:00+08:00',
        endsAt: '2026-12-05T11:00:00+08:00',
      },
      { now: '2026-11-25T10:00:00+08:00' },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id = res.body.activityId as string;
    await reaches(a.members, `${id}-scheduled`);
    const path = `/activities/${id}`;
    const before = { now: '2026-11-25T10:00:00+08:00' };
    const moved = await a.secretary.patch(
      path,
      { version: 1, startsAt: '2026-12-05T14:00:00+08:00', endsAt: '2026-12-05T16:00:00+08:00' },
      before,
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await reaches(a.members, `${id}-moved-2`);
    // A new title is no move: nobody is told again.
    expect((await a.secretary.patch(path, { version: 2, title: '党课（第二讲）' }, before)).status).toBe(200);
    expect((await a.secretary.post(`${path}/cancel`, { reason: '场地检修' }, before)).status).toBe(200);
    await reaches(a.members, `${id}-cancelled`);
    await settle();
    for (const member of a.members) {
      const entries = await ofActivity(member, id);
      // All three at the one injected request time: compared as a set.
      expect(entries.map((e) => e.kind).sort()).toEqual([
        'activity-cancelled',
        'activity-moved',
        'activity-scheduled',
      ]);
      expect(entries.find((e) => e.kind === 'activity-moved')).toMatchObject({
        startsAt: '2026-12-05T14:00:00+08:00',
      });
    }
  });

  it('a cancelled activity leaves a cancellation notice, even when the cancellation comes first', async () => {
    const a = await branchWithMembers(1);
    const invitee = a.members[0] as Client;
    const data = scheduled(a.branchId, [invitee.personId]);
    const { inviteeIds: _, ...ref } = data;
    await publish(ActivityScheduled, data, decided);
    await reaches([invitee], `${data.activityId}-scheduled`);
    const cancel = await publish(ActivityCancelled, { ...ref, reason: '与上级会议冲突' });
    await publish(ActivityCancelled, { ...ref, reason: '与上级会议冲突' }, { envelope: cancel });
    await reaches([invitee], `${data.activityId}-cancelled`);
    await settle();
    expect((await ofActivity(invitee, data.activityId)).map((e) => e.kind).sort()).toEqual([
      'activity-cancelled',
      'activity-scheduled',
    ]);

    // Out of order: the cancellation first, then the schedule. Only the cancellation is posted.
    const late = scheduled(a.branchId, [invitee.personId]);
    const { inviteeIds: __, ...lateRef } = late;
    await publish(ActivityCancelled, { ...lateRef, reason: '改期' });
    await settle();
    await publish(ActivityScheduled, late, decided);
    await reaches([invitee], `${late.activityId}-cancelled`);
    await settle();
    expect((await ofActivity(invitee, late.activityId)).map((e) => e.kind)).toEqual(['activity-cancelled']);
  });
});

describe('meetings recorded after the fact (补录)', () => {
  it('tell nobody: no notice of the schedule, and none of its cancellation', async () => {
    const a = await branchWithMembers(2);
    const committee = await as({ roles: ['committee'] });
    // Typed up from the paper sign-in sheet four days after it was held.
    const typedUp = await committee.post(
      '/activities',
      {
        branchId: a.branchId,
        type: 'party-lesson',
        title: '十一月党课',
        startsAt: '2026-12-02T09:00:00+08:00',
        endsAt: '2026-12-02T11:00:00+08:00',
        lateEntryReason: '据纸质签到表补录',
      },
      { now: '2026-12-06T10:00:00+08:00' },
    );
    expect(typedUp.status, JSON.stringify(typedUp.body)).toBe(201);
    const pastId = typedUp.body.activityId as string;
    // An event about a meeting already over when it was decided, then its cancellation.
    const [invitee] = a.members as [Client];
    const over = {
      activityId: newId(),
      branchId: a.branchId,
      type: 'branch-committee-meeting' as const,
      title: '支委会',
      startsAt: '2026-12-01T09:00:00+08:00',
      endsAt: '2026-12-01T11:00:00+08:00',
      inviteeIds: [invitee.personId],
    };
    await publish(ActivityScheduled, over, { occurredAt: new Date('2026-12-04T09:00:00+08:00') });
    const { inviteeIds: _, ...overRef } = over;
    await settle();
    await publish(ActivityCancelled, { ...overRef, reason: '录入有误' });
    // The same branch's next meeting, scheduled ahead, is news: once it has arrived, the
    // others have been delivered too, and left nothing.
    const ahead = await a.secretary.post(
      '/activities',
      {
        branchId: a.branchId,
        type: 'party-lesson',
        title: '十二月党课',
        startsAt: '2026-12-20T09:00:00+08:00',
        endsAt: '2026-12-20T11:00:00+08:00',
      },
      { now: '2026-12-06T10:00:00+08:00' },
    );
    expect(ahead.status, JSON.stringify(ahead.body)).toBe(201);
    await reaches(a.members, `${ahead.body.activityId}-scheduled`);
    await settle();
    for (const member of a.members) {
      const entries = await inbox(member);
      expect(entries.filter((e) => e.activityId === pastId)).toEqual([]);
      expect(entries.filter((e) => e.activityId === over.activityId)).toEqual([]);
    }
  });

  it('a record typed up late, after a move already told the invitees, marks nothing untold: its cancellation reaches them', {
    // Its waits: the branch's roster, two notices and a settle.
    timeout: timeoutFor(deliveries(4)),
  }, async () => {
    const a = await branchWithMembers(1);
    const [invitee] = a.members as [Client];
    const activityId = newId();
    const held = {
      activityId,
      branchId: a.branchId,
      type: 'branch-committee-meeting' as const,
      title: '支委会',
      startsAt: '2026-12-01T09:00:00+08:00',
      endsAt: '2026-12-01T11:00:00+08:00',
    };
    // Recorded on the 4th, after it was held; moved on the 6th to a day ahead (news); the
    // record's event arrives after the move's.
    await publish(
      ActivityMoved,
      {
        ...held,
        startsAt: '2026-12-20T09:00:00+08:00',
        endsAt: '2026-12-20T11:00:00+08:00',
        inviteeIds: [invitee.personId],
        version: 2,
        previous: { startsAt: held.startsAt, endsAt: held.endsAt },
      },
      { occurredAt: new Date('2026-12-06T10:00:00+08:00') },
    );
    await reaches([invitee], `${activityId}-moved-2`);
    await publish(
      ActivityScheduled,
      { ...held, inviteeIds: [invitee.personId] },
      { occurredAt: new Date('2026-12-04T09:00:00+08:00') },
    );
    await settle();
    await publish(
      ActivityCancelled,
      { ...held, startsAt: '2026-12-20T09:00:00+08:00', endsAt: '2026-12-20T11:00:00+08:00', reason: '改期' },
      { occurredAt: new Date('2026-12-07T10:00:00+08:00') },
    );
    await reaches([invitee], `${activityId}-cancelled`);
    const entries = (await inbox(invitee)).filter((e) => e.activityId === activityId);
    expect(entries.map((e) => e.kind).sort()).toEqual(['activity-cancelled', 'activity-moved']);
  });
});

describe('pinned announcements (置顶)', () => {
  const order = async (client: Client, query?: string) => (await inbox(client, query)).map((e) => e.noticeId);

  it('lead the inbox and its unread list while pinned, and go back to their place when unpinned', async () => {
    const a = await branchWithMembers(1);
    const member = a.members[0] as Client;
    const first = await announce(a.secretary, a.branchId);
    const second = await announce(a.secretary, a.branchId);
    const third = await announce(a.secretary, a.branchId);
    await reaches([member], third);
    await reaches([member], first);
    expect(await order(member)).toEqual([third, second, first]);

    expect((await a.secretary.post(`/notices/announcements/${first}/pin`, { pinned: true })).status).toBe(
      200,
    );
    await settle();
    expect(await order(member)).toEqual([first, third, second]);
    expect(await order(member, 'unread=true')).toEqual([first, third, second]);
    expect((await inbox(member))[0]).toMatchObject({ noticeId: first, pinned: true });
    // Paged, the pinned one is on the first page and no page repeats it.
    const page = await member.get('/notices/me?limit=2');
    expect(page.body.items.map((e: Entry) => e.noticeId)).toEqual([first, third]);
    const rest = await member.get(`/notices/me?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(rest.body.items.map((e: Entry) => e.noticeId)).toEqual([second]);

    // A reminder of the unread brings an unpinned one to the top of the unpinned, not above the pinned.
    await a.secretary.post(`/notices/announcements/${second}/reminders`, undefined);
    await settle();
    expect(await order(member)).toEqual([first, second, third]);

    // Read, it stays pinned in the inbox and leaves the unread list.
    expect((await member.post(`/notices/me/${first}/read`)).status).toBe(200);
    expect(await order(member, 'unread=true')).toEqual([second, third]);
    expect(await order(member)).toEqual([first, second, third]);

    expect((await a.secretary.post(`/notices/announcements/${first}/pin`, { pinned: false })).status).toBe(
      200,
    );
    await settle();
    expect(await order(member)).toEqual([second, third, first]);
  });
});
