/**
 * Assigned study falling due (必学任务即将到期) through the gateway: a secretary assigns study
 * through resources' API, and notices reminds each assignee who has not completed it three
 * days and one day before the due date at 09:00 in Shanghai, once, whatever the bus repeats
 * and however often the sweep runs; those who completed are left out, a reminder to nobody
 * posts nothing, and none is written for a time already past. Time is the tests' own: the
 * request's `now` and the reminders schedule's tick.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { StudyAssigned } from '../../services/resources/events.js';
import { addDays } from '../../shared/time.js';
import { branchWithMembers } from '../activities/support.js';
import { as, publish, runtime, settle, tableClient, tick } from '../support/api.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';

type Client = Awaited<ReturnType<typeof as>>;
interface Entry {
  noticeId: string;
  kind: string;
  title: string;
  assignmentId?: string;
  dueOn?: string;
}

const TITLE = '学习贯彻党的二十大精神';
/** The only schedule these tests mean to run: the shared database holds every file's data. */
const REMINDERS = ['notices.reminders'] as const;

/**
 * A due date of its own for each assignment, 30 days apart, in a year no other test file
 * reminds in (reminders.test.ts has 2061): the sweep takes whatever is due at the tick's time.
 */
let used = 0;
const freshDueOn = () => addDays('2063-01-01', 30 * ++used);
/** A local time (Asia/Shanghai) `days` from a date. */
const local = (date: string, days: number, time: string) => new Date(`${addDays(date, days)}T${time}+08:00`);

const compact = (date: string) => date.replaceAll('-', '');
const reminderId = (assignmentId: string, slot: '3d' | '1d', dueOn: string) =>
  `${assignmentId}-reminder-${slot}-${compact(dueOn)}`;

/** Runs `sweeps` with the bus delivering every event twice. */
const withDuplicates = async (sweeps: () => Promise<void>) => {
  const set = (duplicateDeliveries: boolean) =>
    fetch(`${runtime().busEndpoint}/faults`, {
      method: 'PUT',
      body: JSON.stringify({ duplicateDeliveries }),
    });
  expect((await set(true)).status).toBe(200);
  try {
    await sweeps();
  } finally {
    await set(false);
  }
};

const noticesItem = async (pk: string, sk: string) =>
  (
    await tableClient().send(
      new GetCommand({ TableName: runtime().tableNames.notices, Key: { pk, sk }, ConsistentRead: true }),
    )
  ).Item;

const deadLettersAbout = async (id: string) => {
  const res = await fetch(`${runtime().busEndpoint}/dead-letters`);
  expect(res.status).toBe(200);
  const { items } = (await res.json()) as { items: { target: string; event: unknown }[] };
  return items.filter((l) => JSON.stringify(l.event).includes(id)).map((l) => l.target);
};

/** A branch of `n` party members, a resource for it, and study of it assigned at `assignedAt`. */
const assign = async (n: number, dueOn: string, assignedAt: Date) => {
  const b = await branchWithMembers(n);
  const link = { kind: 'link', url: 'https://example.org/20th', estimatedMinutes: 60 };
  const resource = await (await as({ roles: ['committee'] })).post('/resources', {
    ...link,
    title: TITLE,
    audience: { branchIds: [b.branchId] },
  });
  expect(resource.status, JSON.stringify(resource.body)).toBe(201);
  const resourceId = resource.body.resourceId as string;
  const assigned = await b.secretary.post(
    '/resources/assignments',
    { resourceId, branchIds: [b.branchId], dueOn },
    { now: assignedAt.toISOString() },
  );
  expect(assigned.status, JSON.stringify(assigned.body)).toBe(201);
  await settle();
  return { ...b, resourceId, assignmentId: assigned.body.assignmentId as string };
};

const complete = async (member: Client, resourceId: string, at: Date) => {
  const res = await member.post(
    `/resources/${resourceId}/progress`,
    { minutes: 30, completed: true },
    { now: at.toISOString() },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await settle();
};

/** Each member's study reminders of the assignment, by notice id. */
const reminded = async (clients: Client[], assignmentId: string) =>
  Promise.all(
    clients.map(async (c) => {
      const res = await c.get('/notices/me?limit=100');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body as { items: Entry[] }).items
        .filter((e) => e.kind === 'study-due' && e.assignmentId === assignmentId)
        .map((e) => e.noticeId)
        .sort();
    }),
  );

describe('reminders before assigned study falls due (必学任务即将到期)', () => {
  it('reminds each assignee who has not completed, once, three days and one day before', {
    // Its waits: the assignment (roster and settle), the inboxes, two completions, a settle
    // and nine sweeps, each settled.
    timeout: timeoutFor(deliveries(15)),
  }, async () => {
    const dueOn = freshDueOn();
    const s = await assign(3, dueOn, local(dueOn, -10, '10:00:00'));
    const [done, later, never] = s.members as [Client, Client, Client];
    await until('the assignment in every inbox', DELIVERY_BUDGET_MS, async () =>
      (
        await Promise.all(
          s.members.map(async (m) => (await m.get('/notices/me?limit=100')).body.items as Entry[]),
        )
      ).every((items) => items.some((e) => e.noticeId === `${s.assignmentId}-assigned`)),
    );
    await complete(done, s.resourceId, local(dueOn, -5, '20:00:00'));

    const threeDays = local(dueOn, -3, '09:00:00');
    await tick(new Date(threeDays.getTime() - 60_000), REMINDERS);
    expect(await reminded(s.members, s.assignmentId)).toEqual([[], [], []]);

    await tick(threeDays, REMINDERS);
    const first = [reminderId(s.assignmentId, '3d', dueOn)];
    expect(await reminded(s.members, s.assignmentId)).toEqual([[], first, first]);
    const entry = ((await never.get('/notices/me?limit=100')).body.items as Entry[]).find(
      (e) => e.noticeId === first[0],
    );
    expect(entry).toMatchObject({
      kind: 'study-due',
      title: '学习任务即将到期：学习贯彻党的二十大精神',
      assignmentId: s.assignmentId,
      resourceId: s.resourceId,
      dueOn,
    });

    // StudyAssigned again, under a new event id and then the very same envelope twice: the
    // reminder already sent is not put back, and nothing is posted again.
    const again = await publish(StudyAssigned, {
      assignmentId: s.assignmentId,
      resourceId: s.resourceId,
      title: TITLE,
      dueOn,
      branchIds: [s.branchId],
      personIds: [],
    });
    await publish(StudyAssigned, again.data, { envelope: again });
    await settle();
    expect(await noticesItem(`REMINDERS#study#${s.assignmentId}`, 'REMINDER#3d')).toBeUndefined();
    // Nothing about the assignment failed into the dead letters: the repeat was a no-op.
    expect(await deadLettersAbout(s.assignmentId)).toEqual([]);
    // The same minute again, a later one, and with every delivery made twice: still one.
    await tick(threeDays, REMINDERS);
    await withDuplicates(async () => {
      await tick(threeDays, REMINDERS);
      await tick(new Date(threeDays.getTime() + 60_000), REMINDERS);
    });
    expect(await reminded(s.members, s.assignmentId)).toEqual([[], first, first]);

    // Completed between the two reminders: the second leaves them out.
    await complete(later, s.resourceId, local(dueOn, -2, '21:00:00'));
    await tick(local(dueOn, -1, '09:00:00'), REMINDERS);
    const both = [...first, reminderId(s.assignmentId, '1d', dueOn)].sort();
    expect(await reminded(s.members, s.assignmentId)).toEqual([[], first, both]);

    // Nothing on or after the due date.
    await tick(local(dueOn, 0, '09:00:00'), REMINDERS);
    await tick(local(dueOn, 1, '09:00:00'), REMINDERS);
    expect(await reminded(s.members, s.assignmentId)).toEqual([[], first, both]);
  });

  it('a reminder to nobody, everyone having completed, posts nothing', {
    // Its waits: the assignment (roster and settle), a completion, a tick.
    timeout: timeoutFor(deliveries(4)),
  }, async () => {
    const dueOn = freshDueOn();
    const s = await assign(2, dueOn, local(dueOn, -10, '10:00:00'));
    for (const m of s.members) await complete(m, s.resourceId, local(dueOn, -4, '10:00:00'));

    await tick(local(dueOn, -3, '09:00:00'), REMINDERS);
    expect(await reminded(s.members, s.assignmentId)).toEqual([[], []]);
    const id = reminderId(s.assignmentId, '3d', dueOn);
    expect(await noticesItem(`NOTICE#${id}`, 'NOTICE')).toBeUndefined();
    // Taken all the same: it is not swept again.
    expect(await noticesItem(`REMINDERS#study#${s.assignmentId}`, 'REMINDER#3d')).toBeUndefined();
  });

  it('writes no reminder already past when the study is assigned', {
    // Its waits: the assignment (roster and settle), two ticks.
    timeout: timeoutFor(deliveries(4)),
  }, async () => {
    const dueOn = freshDueOn();
    // Assigned two days before the due date: the three-day reminder's time is past.
    const s = await assign(1, dueOn, local(dueOn, -2, '10:00:00'));

    await tick(local(dueOn, -3, '09:00:00'), REMINDERS);
    expect(await reminded(s.members, s.assignmentId)).toEqual([[]]);

    await tick(local(dueOn, -1, '09:00:00'), REMINDERS);
    expect(await reminded(s.members, s.assignmentId)).toEqual([[reminderId(s.assignmentId, '1d', dueOn)]]);
  });
});
