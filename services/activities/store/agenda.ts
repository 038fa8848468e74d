/**
 * A member's agenda (GET /activities/me): the activities a person is invited to, by start,
 * without reading every activity. Access patterns (pk / sk; beside ../store.ts's):
 *   AGENDA#<personId> / <startsAt>#<activityId>   one invitation: the invitee's entry for a
 *                                                 scheduled activity at its (UTC) start; TTL a
 *                                                 day after its end          Query by start (the agenda);
 *                                                 BatchGetItem (the sync-agenda subscription, with
 *                                                 the activity, before it writes what is missing)
 * With each page: the activities, the person's attendance records and leave requests
 * (ACTIVITY#<id> / ACTIVITY, ATTENDANCE#<personId>, LEAVE#<personId>)    BatchGetItem
 *
 * An activity holds up to 1,000 invitees, more than one transaction takes, so the entries
 * are written after the activity's own commit (`syncAgenda`: by the request, and again from
 * the committed state by the `sync-agenda` subscription on ActivityScheduled, ActivityMoved
 * and ActivityCancelled, which reads them first and writes only what the request did not get
 * to). An entry only points: the agenda reads the activity itself and
 * shows an entry only while the activity is not cancelled, the person is still invited and
 * the start is the entry's, so an entry left behind by a move, a removal or a raced sync is
 * never shown, and TTL takes it.
 */
import type { ServiceContext } from '../../../shared/context.js';
import type { Page } from '../../../shared/http/paging.js';
import { getInBatches, putRequests, type WriteRequest, writeInBatches } from '../../../shared/store/batch.js';
import { queryPage } from '../../../shared/store/query.js';
import type { Activity } from '../domain/activity.js';
import { MAX_DURATION_MS } from '../domain/activity.js';
import type { LeaveRequest } from '../domain/leave.js';
import { type AttendanceRecord, activityKey, attendanceKey, toActivity } from '../store.js';
import { leaveKey, toLeave } from './leave.js';

const agendaKey = (personId: string, a: Pick<Activity, 'startsAt' | 'activityId'>) => ({
  pk: `AGENDA#${personId}`,
  sk: `${a.startsAt}#${a.activityId}`,
});

const DAY_S = 86_400;

const agendaItem = (personId: string, a: Pick<Activity, 'activityId' | 'startsAt' | 'endsAt'>) => ({
  ...agendaKey(personId, a),
  kind: 'agenda',
  personId,
  activityId: a.activityId,
  startsAt: a.startsAt,
  endsAt: a.endsAt,
  // Past activities leave the agenda by the key condition; TTL only keeps the partition small.
  expiresAt: Math.floor(Date.parse(a.endsAt) / 1000) + DAY_S,
});

type Synced = Pick<Activity, 'activityId' | 'startsAt' | 'endsAt' | 'inviteeIds' | 'status'>;
type Key = { pk: string; sk: string };

/**
 * What bringing the invitees' entries in line with `next` (as committed) takes, given what it
 * was before (`previous`, when known): an entry per invitee while it is scheduled, none once
 * cancelled; the entries at a previous start, and those of people no longer invited, go.
 */
const agendaPlan = (next: Synced, previous?: Pick<Activity, 'startsAt' | 'inviteeIds'>) => {
  const wanted = next.status === 'cancelled' ? [] : next.inviteeIds;
  const keep = new Set(wanted);
  // What may have entries that must go: the activity before the change or, for a cancellation
  // seen without it, the activity itself.
  const before = previous ?? (next.status === 'cancelled' ? next : undefined);
  const dropped = (before?.inviteeIds ?? []).filter(
    (id) => before?.startsAt !== next.startsAt || !keep.has(id),
  );
  return {
    puts: wanted.map((id) => agendaItem(id, next)),
    deletes: dropped.map(
      (id): Key => agendaKey(id, { startsAt: (before as Activity).startsAt, activityId: next.activityId }),
    ),
  };
};

const writes = (puts: readonly Record<string, unknown>[], deletes: readonly Key[]): WriteRequest[] => [
  ...putRequests(puts),
  ...deletes.map((Key): WriteRequest => ({ DeleteRequest: { Key } })),
];

/**
 * The request's pass: every entry written (they are new, or just moved), blind. Idempotent,
 * so the request and the subscription may both run it. Batched, not transacted: each write
 * stands alone (an entry only points), and a transaction's item costs twice the write units.
 */
export const syncAgenda = async (
  ctx: ServiceContext,
  next: Activity,
  previous?: Pick<Activity, 'startsAt' | 'inviteeIds'>,
) => {
  const { puts, deletes } = agendaPlan(next, previous);
  await writeInBatches(ctx, writes(puts, deletes));
};

const keyOf = (k: Record<string, unknown>) => `${k.pk}|${k.sk}`;

/**
 * The subscription's pass, from the activity as committed now, whatever event woke it. The
 * request has nearly always written the entries already, so what is there is read first
 * (strongly consistent) and only what is missing, different or due to go is written: a read
 * or two instead of a write per invitee. `expected` is the activity as the event tells it
 * (start, end, invitees): its entries are read in the same BatchGetItem as the activity, and
 * only if the activity has moved on since are the entries it has now read in a second one.
 */
export const resyncAgenda = async (
  ctx: ServiceContext,
  activityId: string,
  {
    expected,
    previous,
  }: {
    expected?: Pick<Activity, 'startsAt' | 'endsAt' | 'inviteeIds'>;
    previous?: Pick<Activity, 'startsAt' | 'inviteeIds'>;
  } = {},
) => {
  // Distinct: BatchGetItem refuses a list that names a key twice.
  const keysOf = (plan: ReturnType<typeof agendaPlan>): Key[] => [
    ...new Map(
      [...plan.puts.map(({ pk, sk }) => ({ pk, sk })), ...plan.deletes].map((k) => [keyOf(k), k]),
    ).values(),
  ];
  const guessed = expected
    ? keysOf(agendaPlan({ ...expected, activityId, status: 'scheduled' }, previous))
    : [];
  const found = new Map(
    (await getInBatches(ctx, [activityKey(activityId), ...guessed], { consistentRead: true })).map((i) => [
      keyOf(i),
      i,
    ]),
  );
  const item = found.get(keyOf(activityKey(activityId)));
  if (!item) return;
  const plan = agendaPlan(toActivity(item), previous);
  const read = new Set(guessed.map(keyOf));
  const unread = keysOf(plan).filter((k) => !read.has(keyOf(k)));
  for (const i of await getInBatches(ctx, unread, { consistentRead: true })) found.set(keyOf(i), i);
  const same = (want: Record<string, unknown>) => {
    const held = found.get(keyOf(want));
    return held !== undefined && Object.entries(want).every(([k, v]) => held[k] === v);
  };
  await writeInBatches(
    ctx,
    writes(
      plan.puts.filter((p) => !same(p)),
      plan.deletes.filter((k) => found.has(keyOf(k))),
    ),
  );
};

export interface AgendaEntry {
  activity: Activity;
  attendance?: AttendanceRecord;
  leave?: LeaveRequest;
}

/**
 * A page of the person's agenda: activities not yet ended at `now`, by start. An activity
 * lasts at most 12 hours, so those that started up to 12 hours ago are read and those
 * already ended left out.
 */
export const agendaPage = async (
  ctx: ServiceContext,
  personId: string,
  now: Date,
  limit: number,
  cursor?: string,
): Promise<Page<AgendaEntry>> => {
  const partition = `AGENDA#${personId}`;
  const page = await queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      FilterExpression: 'endsAt > :now',
      ExpressionAttributeValues: {
        ':pk': partition,
        ':from': new Date(now.getTime() - MAX_DURATION_MS).toISOString(),
        ':now': now.toISOString(),
      },
    },
    { list: 'agenda', partition: { name: 'pk', value: partition }, limit, cursor },
    (i) => ({ activityId: i.activityId as string, startsAt: i.startsAt as string }),
  );
  const ids = page.items.map((e) => e.activityId);
  const found = await getInBatches(ctx, [
    ...ids.map(activityKey),
    ...ids.map((id) => attendanceKey(id, personId)),
    ...ids.map((id) => leaveKey(id, personId)),
  ]);
  const byKey = new Map(found.map((i) => [`${i.pk}|${i.sk}`, i]));
  const at = (k: { pk: string; sk: string }) => byKey.get(`${k.pk}|${k.sk}`);
  const items = page.items.flatMap((e): AgendaEntry[] => {
    const item = at(activityKey(e.activityId));
    if (!item) return [];
    const activity = toActivity(item);
    // What the entry points to must still hold: not cancelled, still invited, still at that start.
    if (
      activity.status === 'cancelled' ||
      activity.startsAt !== e.startsAt ||
      !activity.inviteeIds.includes(personId)
    ) {
      return [];
    }
    const attendance = at(attendanceKey(e.activityId, personId));
    const leave = at(leaveKey(e.activityId, personId));
    return [
      {
        activity,
        ...(attendance ? { attendance: attendance as unknown as AttendanceRecord } : {}),
        ...(leave ? { leave: toLeave(leave) } : {}),
      },
    ];
  });
  return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
};
