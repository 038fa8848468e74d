/**
 * Reminders (提醒) through the gateway: an activity scheduled through activities' API reminds
 * each invitee once a day and once an hour before it starts, however often the sweep runs
 * and whatever the bus repeats; a move reminds at the new time only, a cancellation never,
 * and a reminder found after the start is dropped. Time is the tests' own: the request's
 * `now` and the schedules' tick.
 */
import { describe, expect, it } from 'vitest';
import { toLocalIso } from '../../shared/time.js';
import { branchWithMembers } from '../activities/support.js';
import { type as, runtime, tick } from '../support/api.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';

type Client = Awaited<ReturnType<typeof as>>;
interface Entry {
  noticeId: string;
  kind: string;
  activityId?: string;
  startsAt?: string;
}

const HOUR = 60 * 60_000;
const MINUTE = 60_000;
/** The only schedule these tests mean to run: the shared database holds every file's data. */
const REMINDERS = ['notices.reminders'] as const;
const at = (instant: Date, offset: number) => new Date(instant.getTime() + offset);

/**
 * A far day of its own for each activity (10:00 in Shanghai), 30 days apart, in a year no
 * other test file schedules in: the sweep takes whatever is due at the tick's time, and the
 * committee's listing across branches (activities' tests) sees every file's activities.
 */
const base = Date.UTC(2061, 0, 1, 2);
let used = 0;
const freshStart = () => new Date(base + 30 * 24 * HOUR * ++used);

const remindersOf = async (client: Client, activityId: string): Promise<Entry[]> => {
  const res = await client.get('/notices/me?limit=100');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { items: Entry[] }).items.filter(
    (e) => e.activityId === activityId && e.kind === 'activity-reminder',
  );
};

const compact = (instant: Date) => instant.toISOString().replace(/[-:]|\.\d{3}/g, '');
const reminderId = (activityId: string, slot: '24h' | '1h', start: Date) =>
  `${activityId}-reminder-${slot}-${compact(start)}`;

/** Each invitee's reminders of the activity, by notice id. */
const reminded = async (clients: Client[], activityId: string) =>
  Promise.all(clients.map(async (c) => (await remindersOf(c, activityId)).map((e) => e.noticeId).sort()));

/** Two hours from `start`, as a request writes them. */
const window = (start: Date) => ({
  startsAt: start.toISOString(),
  endsAt: at(start, 2 * HOUR).toISOString(),
});

const schedule = async (start: Date) => {
  const a = await branchWithMembers(2);
  const res = await a.secretary.post(
    '/activities',
    { branchId: a.branchId, type: 'theme-day', title: '主题党日', ...window(start) },
    { now: at(start, -10 * 24 * HOUR).toISOString() },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.activityId as string;
  // The reminders are written with the activity copy, which the scheduled notice follows.
  await until('the scheduled notice in every inbox', DELIVERY_BUDGET_MS, async () => {
    const found = await Promise.all(
      a.members.map(async (m) => (await m.get('/notices/me?limit=100')).body.items as Entry[]),
    );
    return found.every((items) => items.some((e) => e.noticeId === `${id}-scheduled`));
  });
  return { ...a, id };
};

const faults = async (switches: { duplicateDeliveries: boolean }) => {
  const res = await fetch(`${runtime().busEndpoint}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(switches),
  });
  expect(res.status).toBe(200);
};

describe('reminders before an activity (提醒)', () => {
  it('remind each invitee once a day and once an hour before, however often the sweep runs', {
    // Its waits: the scheduling (roster and notice) and seven ticks.
    timeout: timeoutFor(deliveries(9)),
  }, async () => {
    const start = freshStart();
    const a = await schedule(start);

    await tick(at(start, -25 * HOUR), REMINDERS);
    expect(await reminded(a.members, a.id)).toEqual([[], []]);

    const dayBefore = at(start, -24 * HOUR + MINUTE);
    await tick(dayBefore, REMINDERS);
    const oneDay = [reminderId(a.id, '24h', start)];
    expect(await reminded(a.members, a.id)).toEqual([oneDay, oneDay]);
    const [entry] = await remindersOf(a.members[0] as Client, a.id);
    expect(entry).toMatchObject({ kind: 'activity-reminder', startsAt: toLocalIso(start) });

    // The same minute again, a later one, and with every delivery made twice: still one.
    await tick(dayBefore, REMINDERS);
    await faults({ duplicateDeliveries: true });
    try {
      await tick(dayBefore, REMINDERS);
      await tick(at(dayBefore, MINUTE), REMINDERS);
    } finally {
      await faults({ duplicateDeliveries: false });
    }
    expect(await reminded(a.members, a.id)).toEqual([oneDay, oneDay]);

    await tick(at(start, -HOUR + MINUTE), REMINDERS);
    const both = [reminderId(a.id, '1h', start), reminderId(a.id, '24h', start)].sort();
    expect(await reminded(a.members, a.id)).toEqual([both, both]);
    await tick(at(start, -30 * MINUTE), REMINDERS);
    expect(await reminded(a.members, a.id)).toEqual([both, both]);
    // Seven sweeps, each settled: 13 s on a quiet machine, more beside other engineers' runs.
  });

  it('a moved activity reminds at its new time, never at the old one', async () => {
    const start = freshStart();
    const a = await schedule(start);
    const moved = at(start, 2 * 24 * HOUR);
    const res = await a.secretary.patch(
      `/activities/${a.id}`,
      { version: 1, ...window(moved) },
      { now: at(start, -5 * 24 * HOUR).toISOString() },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await until('the move in every inbox', DELIVERY_BUDGET_MS, async () =>
      (
        await Promise.all(
          a.members.map(async (m) => (await m.get('/notices/me?limit=100')).body.items as Entry[]),
        )
      ).every((items) => items.some((e) => e.noticeId === `${a.id}-moved-2`)),
    );

    await tick(at(start, -24 * HOUR + MINUTE), REMINDERS);
    await tick(at(start, -HOUR + MINUTE), REMINDERS);
    expect(await reminded(a.members, a.id)).toEqual([[], []]);

    await tick(at(moved, -24 * HOUR + MINUTE), REMINDERS);
    const oneDay = [reminderId(a.id, '24h', moved)];
    expect(await reminded(a.members, a.id)).toEqual([oneDay, oneDay]);
  });

  it('a cancelled activity never reminds', async () => {
    const start = freshStart();
    const a = await schedule(start);
    const cancelled = await a.secretary.post(
      `/activities/${a.id}/cancel`,
      { reason: '场地检修' },
      { now: at(start, -3 * 24 * HOUR).toISOString() },
    );
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await until('the cancellation in every inbox', DELIVERY_BUDGET_MS, async () =>
      (
        await Promise.all(
          a.members.map(async (m) => (await m.get('/notices/me?limit=100')).body.items as Entry[]),
        )
      ).every((items) => items.some((e) => e.noticeId === `${a.id}-cancelled`)),
    );
    for (const time of [at(start, -24 * HOUR + MINUTE), at(start, -HOUR + MINUTE), at(start, -MINUTE)]) {
      await tick(time, REMINDERS);
    }
    expect(await reminded(a.members, a.id)).toEqual([[], []]);
  });

  it('a reminder found after the start is dropped, not sent late', async () => {
    const start = freshStart();
    const a = await schedule(start);
    await tick(at(start, MINUTE), REMINDERS);
    expect(await reminded(a.members, a.id)).toEqual([[], []]);
    // Dropped means gone: a sweep at its due time afterwards finds nothing to send.
    await tick(at(start, -HOUR + MINUTE), REMINDERS);
    expect(await reminded(a.members, a.id)).toEqual([[], []]);
  });
});
