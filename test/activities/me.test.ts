/**
 * A member's agenda (GET /activities/me) through the gateway: the activities they are invited
 * to that have not ended, by start, with their check-in and leave, kept right as activities
 * are scheduled, moved, re-invited and cancelled. Scheduled on 2026-11-20; read on 11-25.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ActivityCancelled, ActivityMoved, ActivityScheduled } from '../../services/activities/events.js';
import { newId } from '../../shared/ids.js';
import { as, publish, runtime, settle, tableClient } from '../support/api.js';
import { at, meeting, outboxOf, seedRoster } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;
type Item = {
  activity: { activityId: string; title: string; startsAt: string; status: string; checkInCode?: string };
  attendance: { status: string; checkedInAt?: string };
  leave?: { status: string; note?: string };
};

const SCHEDULED_ON = at('2026-11-20T10:00:00+08:00');
const READ_ON = at('2026-11-25T12:00:00+08:00');

const setUp = async () => {
  const branchId = newId();
  const [secretaryId, aliceId, bobId] = [newId(), newId(), newId()];
  await seedRoster([
    { personId: secretaryId, branchId, secretaryOf: branchId },
    { personId: aliceId, branchId },
    { personId: bobId, branchId },
  ]);
  const secretary = await as({ roles: ['secretary', 'member'], branchId, personId: secretaryId });
  const alice = await as({ roles: ['member'], branchId, personId: aliceId });
  const bob = await as({ roles: ['member'], branchId, personId: bobId });
  const schedule = async (title: string, startsAt: string, endsAt: string, inviteeIds: string[]) => {
    const res = await secretary.post(
      '/activities',
      meeting(branchId, { title, startsAt, endsAt, inviteeIds }),
      SCHEDULED_ON,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.activityId as string;
  };
  return { branchId, secretaryId, aliceId, bobId, secretary, alice, bob, schedule };
};

const agenda = async (client: Client, options = READ_ON, query = 'limit=100') => {
  const res = await client.get(`/activities/me?${query}`, options);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: Item[]; nextCursor?: string };
};
const titles = async (client: Client, options = READ_ON) =>
  (await agenda(client, options)).items.map((i) => i.activity.title);

describe('GET /activities/me', () => {
  it('lists what the caller is invited to, by start, kept right through moves, invitee changes and cancellations', async () => {
    const { aliceId, bobId, secretary, alice, bob, schedule } = await setUp();
    const first = await schedule('党课', '2026-11-27T09:00:00+08:00', '2026-11-27T11:00:00+08:00', [aliceId]);
    const second = await schedule('支委会', '2026-11-26T14:00:00+08:00', '2026-11-26T16:00:00+08:00', [
      aliceId,
      bobId,
    ]);
    const third = await schedule('主题党日', '2026-11-28T09:00:00+08:00', '2026-11-28T11:00:00+08:00', [
      aliceId,
    ]);
    await schedule('党小组学习', '2026-11-29T09:00:00+08:00', '2026-11-29T11:00:00+08:00', [bobId]);
    // Already over when read: left out.
    await schedule('上周的会', '2026-11-24T09:00:00+08:00', '2026-11-24T11:00:00+08:00', [aliceId]);

    expect(await titles(alice)).toEqual(['支委会', '党课', '主题党日']);
    expect(await titles(bob)).toEqual(['支委会', '党小组学习']);
    const item = (await agenda(alice)).items[0] as Item;
    expect(item.attendance).toEqual({ status: 'unknown' });
    expect(item.leave).toBeUndefined();
    // A member's view of an activity never shows the check-in code.
    expect(item.activity.checkInCode).toBeUndefined();

    // Cancelled: gone.
    expect((await secretary.post(`/activities/${third}/cancel`, { reason: '改期' }, READ_ON)).status).toBe(
      200,
    );
    expect(await titles(alice)).toEqual(['支委会', '党课']);

    // Moved before the other: the order follows.
    const moved = await secretary.patch(
      `/activities/${first}`,
      { version: 1, startsAt: '2026-11-26T08:00:00+08:00', endsAt: '2026-11-26T10:00:00+08:00' },
      READ_ON,
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(await titles(alice)).toEqual(['党课', '支委会']);

    // Alice no longer invited, Bob still: only Bob keeps it.
    const reinvited = await secretary.patch(
      `/activities/${second}`,
      { version: 1, inviteeIds: [bobId] },
      READ_ON,
    );
    expect(reinvited.status, JSON.stringify(reinvited.body)).toBe(200);
    expect(await titles(alice)).toEqual(['党课']);
    expect(await titles(bob)).toEqual(['支委会', '党小组学习']);

    // Under way it is still listed; once ended, not.
    expect(await titles(alice, at('2026-11-26T09:30:00+08:00'))).toEqual(['党课']);
    expect(await titles(alice, at('2026-11-26T10:00:00+08:00'))).toEqual([]);
  });

  it('shows the caller’s check-in and leave, the decision included', async () => {
    const { aliceId, bobId, secretary, alice, bob, schedule } = await setUp();
    const meetingId = await schedule(
      '支部党员大会',
      '2026-11-26T09:00:00+08:00',
      '2026-11-26T11:00:00+08:00',
      [aliceId, bobId],
    );
    expect((await alice.post(`/activities/${meetingId}/leave`, { reason: '出差' }, READ_ON)).status).toBe(
      201,
    );
    expect((await agenda(alice)).items[0]).toMatchObject({
      leave: { status: 'pending' },
      attendance: { status: 'unknown' },
    });
    const decided = await secretary.post(
      `/activities/${meetingId}/leave/${aliceId}/decision`,
      { decision: 'approved', note: '同意' },
      READ_ON,
    );
    expect(decided.status).toBe(200);
    expect((await agenda(alice)).items[0]).toMatchObject({
      leave: { status: 'approved', note: '同意' },
      attendance: { status: 'excused' },
    });

    const code = (await secretary.get(`/activities/${meetingId}`, READ_ON)).body.checkInCode as string;
    const during = at('2026-11-26T09:05:00+08:00');
    expect((await bob.post(`/activities/${meetingId}/check-in`, { code }, during)).status).toBe(201);
    const bobs = (await agenda(bob, during)).items[0] as Item;
    expect(bobs.attendance).toEqual({ status: 'present', checkedInAt: '2026-11-26T09:05:00+08:00' });
    expect(bobs.leave).toBeUndefined();
  });

  it('pages by start, and answers only for the caller’s own person', async () => {
    const { aliceId, alice, schedule } = await setUp();
    for (const day of ['26', '27', '28']) {
      await schedule(`会议 ${day}`, `2026-11-${day}T09:00:00+08:00`, `2026-11-${day}T10:00:00+08:00`, [
        aliceId,
      ]);
    }
    const one = await agenda(alice, READ_ON, 'limit=2');
    expect(one.items.map((i) => i.activity.title)).toEqual(['会议 26', '会议 27']);
    expect(one.nextCursor).toBeDefined();
    const two = await agenda(
      alice,
      READ_ON,
      `limit=2&cursor=${encodeURIComponent(one.nextCursor as string)}`,
    );
    expect(two.items.map((i) => i.activity.title)).toEqual(['会议 28']);

    const nobody = await as({ roles: ['member'], branchId: newId(), personId: newId() });
    const res = await nobody.get('/activities/me', READ_ON);
    expect([res.status, res.body.error.code]).toEqual([403, 'no-person']);
    const committee = await as({ roles: ['committee'], personId: newId() });
    expect((await committee.get('/activities/me', READ_ON)).status).toBe(403);
  });

  it('is made whole by the sync-agenda subscription: what the request did not get to is written, what is left over goes', async () => {
    const { aliceId, bobId, secretary, alice, bob, schedule } = await setUp();
    const activityId = await schedule('党课', '2026-11-27T09:00:00+08:00', '2026-11-27T11:00:00+08:00', [
      aliceId,
      bobId,
    ]);
    await settle();
    const TableName = runtime().tableNames.activities as string;
    const db = tableClient();
    const last = async (detailType: string) =>
      (await outboxOf(activityId)).filter((e) => e.detailType === detailType).at(-1)?.data as never;
    const entry = (personId: string, startsAt: string) => ({
      pk: `AGENDA#${personId}`,
      sk: `${startsAt}#${activityId}`,
    });
    const held = async (personId: string, startsAt: string) =>
      (await db.send(new GetCommand({ TableName, Key: entry(personId, startsAt), ConsistentRead: true })))
        .Item;

    // As if the request had died part-way: Bob's entry never written, Alice's with an old end.
    const scheduled = (await last('ActivityScheduled')) as { startsAt: string; endsAt: string };
    await db.send(new DeleteCommand({ TableName, Key: entry(bobId, scheduled.startsAt) }));
    await db.send(
      new UpdateCommand({
        TableName,
        Key: entry(aliceId, scheduled.startsAt),
        UpdateExpression: 'SET endsAt = :old',
        ExpressionAttributeValues: { ':old': '2026-11-25T00:00:00.000Z' },
      }),
    );
    expect(await titles(alice)).toEqual([]);
    expect(await titles(bob)).toEqual([]);
    await publish(ActivityScheduled, await last('ActivityScheduled'));
    await settle();
    expect(await titles(alice)).toEqual(['党课']);
    expect(await titles(bob)).toEqual(['党课']);
    expect((await held(aliceId, scheduled.startsAt))?.endsAt).toBe(scheduled.endsAt);

    // Moved, and the request died before it wrote Bob's new entry and dropped his old one.
    const moved = await secretary.patch(
      `/activities/${activityId}`,
      { version: 1, startsAt: '2026-11-28T09:00:00+08:00', endsAt: '2026-11-28T11:00:00+08:00' },
      READ_ON,
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await settle();
    const move = (await last('ActivityMoved')) as { startsAt: string };
    const old = await held(bobId, move.startsAt);
    await db.send(new DeleteCommand({ TableName, Key: entry(bobId, move.startsAt) }));
    await db.send(new PutCommand({ TableName, Item: { ...old, ...entry(bobId, scheduled.startsAt) } }));
    await publish(ActivityMoved, await last('ActivityMoved'));
    await settle();
    expect(await held(bobId, move.startsAt)).toBeDefined();
    expect(await held(bobId, scheduled.startsAt)).toBeUndefined();
    expect(await titles(bob)).toEqual(['党课']);

    // Cancelled, and an entry left behind: it goes.
    expect(
      (await secretary.post(`/activities/${activityId}/cancel`, { reason: '改期' }, READ_ON)).status,
    ).toBe(200);
    await settle();
    await db.send(new PutCommand({ TableName, Item: { ...old, ...entry(aliceId, move.startsAt) } }));
    await publish(ActivityCancelled, await last('ActivityCancelled'));
    await settle();
    expect(await held(aliceId, move.startsAt)).toBeUndefined();
    expect(await held(bobId, move.startsAt)).toBeUndefined();
  });
});
