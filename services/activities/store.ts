/**
 * The activities table. Access patterns (pk / sk; every read on a request path is a GetItem
 * or a Query, never a Scan):
 *   ACTIVITY#<id> / ACTIVITY              an activity                         GetItem
 *     gsi1 BRANCH#<branchId> / <startsAt>#<id>   a branch's activities       Query (list, compliance,
 *                                                                         the daily cadence watch,
 *                                                                         the register export)
 *     gsi2 ACTIVITIES / <startsAt>#<id>          every branch's activities   Query (the committee's list)
 *       (one partition: an institution schedules tens of activities a week, far below what a
 *       partition takes; the keys are on the activity item itself, so every put of it, from
 *       create, change, move, cancel and completion alike, keeps them right)
 *   ACTIVITY#<id> / ATTENDANCE#<personId> attendance as recorded             GetItem, Query (roll)
 *   ACTIVITY#<id> / GUESS#<personId>      a person's wrong check-in codes     UpdateItem ADD, ConditionCheck (TTL)
 *   ACTIVITY#<id> / GUESSES               the activity's wrong codes, all     UpdateItem ADD (TTL)
 *   PARTICIPATION#<branchId> / <startsAt>#<activityId>#<personId>
 *                                         final attendance, per branch       Query by window
 *                                         (participation; the register's absentees, a year in one Query)
 *   ROOMS / ROOM#<roomId>                 the rooms (党员活动室)              GetItem, Query
 *   ROOM#<roomId> / BOOKING#<startsAt>#<activityId>   a booking            Query around a window
 *   SETTINGS / CADENCE                    the cadence rules (三会一课)        GetItem
 *   BRANCHES / BRANCH#<branchId>          every branch heard of              Query (committee's compliance)
 *   GROUPS#<branchId> / GROUPS            members per party group (党小组) of a branch, one
 *                                         counter attribute `GROUP#<partyGroupId>` each,
 *                                         kept with the roster copy            GetItem (compliance)
 *   CADENCE#<branchId> / AT-RISK#<period>#<type>[#<partyGroupId>]
 *                                         a CadenceAtRisk published (the once-per-period
 *                                         marker, with the event; TTL a year on) GetItem (cadence watch)
 *   PERSON#… / ROSTER#… items             talent's roster copy (services/talent/roster.ts)
 *   OUTBOX#… / SEEN#… items               outbox and consumer markers (shared/events)
 *   ACTIVITY#<id> / LEAVE#<personId>      leave requests (请假): store/leave.ts
 *   AGENDA#<personId> / <startsAt>#<id>   a member's agenda (GET /activities/me): store/agenda.ts
 *   evidence (佐证材料) and its tallies: store/evidence.ts; campaigns (统一部署): store/campaigns.ts
 */

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { jitteredDelay, pause } from '../../shared/backoff.js';
import type { ServiceContext } from '../../shared/context.js';
import { conflict, DomainError, ruleViolation } from '../../shared/errors.js';
import type { Page } from '../../shared/http/paging.js';
import { getItem, queryAll, queryPage } from '../../shared/store/query.js';
import { retryOnConflict } from '../../shared/store/retry.js';
import { singleTable, transactionOn } from '../../shared/store/table.js';
import type { Condition, Transaction } from '../../shared/store/transaction.js';
import { expectVersion, versionBump, versionConflict } from '../../shared/store/version.js';
import { toLocalIso } from '../../shared/time.js';
import { branchRoster, type RosterEntry, type RosterReader } from '../talent/roster.js';
import type { Activity } from './domain/activity.js';
import { MAX_DURATION_MS } from './domain/activity.js';
import type { RecordedStatus } from './domain/attendance.js';
import { type Booking, findClash } from './domain/booking.js';
import { type CadenceRules, statutoryCadence } from './domain/cadence.js';
import type { LateEntry } from './domain/late-entry.js';
import type { FinalRecord } from './domain/participation.js';
import { type TallyChange, tallyChanges, tallyOf } from './domain/party-groups.js';
import type { ActivityType, AttendanceStatus } from './events.js';

export const table = singleTable(2);

export const transaction = (ctx: ServiceContext) => transactionOn(ctx, table);
export const rosterReader = (ctx: ServiceContext): RosterReader => ({
  db: ctx.db,
  tableName: ctx.env.tableName,
  table,
});

export const activityKey = (activityId: string) => ({ pk: `ACTIVITY#${activityId}`, sk: 'ACTIVITY' });
export const attendanceKey = (activityId: string, personId: string) => ({
  pk: `ACTIVITY#${activityId}`,
  sk: `ATTENDANCE#${personId}`,
});
export const roomKey = (roomId: string) => ({ pk: 'ROOMS', sk: `ROOM#${roomId}` });
export const bookingKey = (b: Pick<Booking, 'roomId' | 'startsAt' | 'activityId'>) => ({
  pk: `ROOM#${b.roomId}`,
  sk: `BOOKING#${b.startsAt}#${b.activityId}`,
});
const participationKey = (a: Pick<Activity, 'branchId' | 'startsAt' | 'activityId'>, personId: string) => ({
  pk: `PARTICIPATION#${a.branchId}`,
  sk: `${a.startsAt}#${a.activityId}#${personId}`,
});
const settingsKey = { pk: 'SETTINGS', sk: 'CADENCE' };
export const knownBranchItem = (branchId: string) => ({
  pk: 'BRANCHES',
  sk: `BRANCH#${branchId}`,
  kind: 'branch',
  branchId,
});

// ---------------------------------------------------------------- activities

const ACTIVITY_FIELDS = [
  'activityId',
  'branchId',
  'type',
  'partyGroupId',
  'title',
  'agenda',
  'startsAt',
  'endsAt',
  'roomId',
  'location',
  'inviteeIds',
  'status',
  'checkInCode',
  'version',
  'attendanceClosed',
  'createdBy',
  'createdAt',
  'cancelReason',
  'cancelledAt',
  'minutes',
  'resolutions',
  'completedAt',
  'attendance',
  'recordedLate',
  'codeRotations',
  'campaignId',
] as const;

export const toActivity = (item: Record<string, unknown>): Activity => {
  const out: Record<string, unknown> = {};
  for (const f of ACTIVITY_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as Activity;
};

/** The institution-wide listing's partition (gsi2): every activity of every branch, by start. */
const EVERY_BRANCH = 'ACTIVITIES';

export const activityItem = (a: Activity) => ({
  ...activityKey(a.activityId),
  kind: 'activity',
  gsi1pk: `BRANCH#${a.branchId}`,
  gsi1sk: `${a.startsAt}#${a.activityId}`,
  gsi2pk: EVERY_BRANCH,
  gsi2sk: `${a.startsAt}#${a.activityId}`,
  ...a,
});

/** The activity is still scheduled: neither cancelled nor completed. */
const scheduled = {
  condition: '#status = :scheduled',
  names: { '#status': 'status' },
  values: { ':scheduled': 'scheduled' },
};

/**
 * Completion's first step: attendance closes, on the version read and while still scheduled,
 * so check-ins and corrections stop before the tally is taken.
 */
export const closeAttendance = (t: Transaction, a: Pick<Activity, 'activityId' | 'version'>): Transaction =>
  t.update(
    activityKey(a.activityId),
    { expression: 'SET attendanceClosed = :yes', values: { ':yes': true } },
    // The version read: a change committed since then would be overwritten by the completion.
    expectVersion(a.version, 'The activity', scheduled),
  );

/**
 * Completion's second step: the completed activity replaces the one whose attendance was
 * closed, on the version read. Refused, it was completed meanwhile (by a retry, say).
 */
export const putCompleted = (t: Transaction, completed: Activity, read: number): Transaction =>
  t.put(
    activityItem(completed),
    expectVersion(read, 'The activity', {
      ...scheduled,
      condition: `${scheduled.condition} AND attendanceClosed = :yes`,
      values: { ...scheduled.values, ':yes': true },
      onConditionFailed: () => conflict('activity-completed', 'The activity is already completed'),
    }),
  );

export const getActivity = async (ctx: ServiceContext, activityId: string): Promise<Activity | undefined> => {
  const item = await getItem(ctx, activityKey(activityId));
  return item ? toActivity(item) : undefined;
};

/** A branch's activities by start, or (no branch) every branch's, filtered alike. */
export const listActivities = async (
  ctx: ServiceContext,
  q: {
    branchId?: string;
    from?: string;
    to?: string;
    type?: ActivityType;
    status?: string;
    limit: number;
    cursor?: string;
  },
): Promise<Page<Activity>> => {
  const [index, partition] =
    q.branchId === undefined ? ['gsi2', EVERY_BRANCH] : ['gsi1', `BRANCH#${q.branchId}`];
  const filters: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':b': partition,
    ':lo': q.from ?? '0',
    // Exclusive upper bound: `<to>#id` sorts after `<to>`, so an activity starting at `to` is left out.
    ':hi': q.to ?? '~',
  };
  if (q.type) {
    filters.push('#type = :type');
    names['#type'] = 'type';
    values[':type'] = q.type;
  }
  if (q.status) {
    filters.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = q.status;
  }
  return queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      IndexName: index,
      KeyConditionExpression: `${index}pk = :b AND ${index}sk BETWEEN :lo AND :hi`,
      ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    },
    {
      list: index === 'gsi2' ? 'activities-across-branches' : 'activities',
      partition: { name: `${index}pk`, value: partition },
      limit: q.limit,
      cursor: q.cursor,
    },
    toActivity,
  );
};

/** A branch's activities that started in [from, to) (UTC ISO) whose status passes `filter` (on `:status`). */
const branchActivitiesBetween = async (
  ctx: ServiceContext,
  q: { branchId: string; from: string; to: string; filter: string; status: Activity['status'] },
) =>
  (
    await queryAll(ctx, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :b AND gsi1sk BETWEEN :lo AND :hi',
      FilterExpression: q.filter,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':b': `BRANCH#${q.branchId}`,
        ':lo': q.from,
        ':hi': q.to,
        ':status': q.status,
      },
    })
  ).map(toActivity);

/**
 * Every activity of a branch that started in [from, to) (UTC ISO), whatever its status, by
 * start: the register (台账) lists the cancelled and the still scheduled beside the held.
 */
export const branchActivities = async (ctx: ServiceContext, branchId: string, from: string, to: string) =>
  (
    await queryAll(ctx, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :b AND gsi1sk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':b': `BRANCH#${branchId}`, ':lo': from, ':hi': to },
    })
  ).map(toActivity);

/** Completed activities of a branch that started in [from, to) (UTC ISO), for compliance. */
export const completedActivities = (ctx: ServiceContext, branchId: string, from: string, to: string) =>
  branchActivitiesBetween(ctx, { branchId, from, to, filter: '#status = :status', status: 'completed' });

/** The condition every attendance write carries: the activity is scheduled and attendance open. */
export const attendanceOpen = (activityId: string) => ({
  key: activityKey(activityId),
  condition: {
    condition: '#status = :scheduled AND attribute_not_exists(attendanceClosed)',
    names: { '#status': 'status' },
    values: { ':scheduled': 'scheduled' },
    onConditionFailed: () =>
      conflict('attendance-closed', 'Attendance can no longer change for this activity'),
  },
});

/**
 * What an attendance record conditions on: attendance open and, for a record written late
 * that is the activity's first, the mark (`recordedLate`) set on the version read, moving the
 * activity to its next version (so a PATCH decided before cannot overwrite the mark).
 */
export const guardAttendance = (
  t: Transaction,
  a: Pick<Activity, 'activityId' | 'version' | 'recordedLate'>,
  late: LateEntry | undefined,
): Transaction => {
  const open = attendanceOpen(a.activityId);
  if (!late || a.recordedLate) return t.check(open.key, open.condition);
  return t.update(
    activityKey(a.activityId),
    {
      expression: `SET recordedLate = :late, ${versionBump.expression}`,
      names: versionBump.names,
      values: { ':late': late, ...versionBump.values },
    },
    expectVersion(a.version, 'The activity', {
      condition: open.condition.condition,
      names: open.condition.names,
      values: open.condition.values,
    }),
  );
};

/** A change or a cancel: on the version read, while the activity is scheduled and attendance open. */
export const stillScheduled = (version: number): Condition =>
  expectVersion(version, 'The activity', {
    ...scheduled,
    condition: `${scheduled.condition} AND attribute_not_exists(attendanceClosed)`,
  });

// ---------------------------------------------------------------- wrong check-in codes

const guessKey = (activityId: string, personId: string) => ({
  pk: `ACTIVITY#${activityId}`,
  sk: `GUESS#${personId}`,
});
const guessesKey = (activityId: string) => ({ pk: `ACTIVITY#${activityId}`, sk: 'GUESSES' });
/** The counters outlive the check-in window (it closes at the end) by two days, then TTL takes them. */
const guessExpiry = (a: Pick<Activity, 'endsAt'>) => Math.floor(Date.parse(a.endsAt) / 1000) + 2 * 86_400;
const belowLimit = 'attribute_not_exists(#wrong) OR #wrong < :max';

const addWrong = async (
  ctx: ServiceContext,
  key: { pk: string; sk: string },
  a: Pick<Activity, 'endsAt'>,
  max?: number,
): Promise<number | undefined> => {
  try {
    const out = await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.env.tableName,
        Key: key,
        UpdateExpression: 'SET kind = :kind, expiresAt = :expires ADD #wrong :one',
        ...(max === undefined ? {} : { ConditionExpression: belowLimit }),
        ExpressionAttributeNames: { '#wrong': 'wrong' },
        ExpressionAttributeValues: {
          ':kind': 'wrong-codes',
          ':expires': guessExpiry(a),
          ':one': 1,
          ...(max === undefined ? {} : { ':max': max }),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return out.Attributes?.wrong as number;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
};

/**
 * Counts one wrong code, atomically (ADD): the person's count for the activity, which stops
 * at `maxPerPerson` (undefined: they were locked out already, nothing counted), and the
 * activity's count from everyone. Two counter items, never the activity item, so a flood of
 * wrong codes does not contend with the check-ins conditioned on the activity.
 */
export const countWrongCode = async (
  ctx: ServiceContext,
  a: Pick<Activity, 'activityId' | 'endsAt'>,
  personId: string,
  maxPerPerson: number,
): Promise<{ person: number; activity: number } | undefined> => {
  const person = await addWrong(ctx, guessKey(a.activityId, personId), a, maxPerPerson);
  if (person === undefined) return undefined;
  const activity = (await addWrong(ctx, guessesKey(a.activityId), a)) as number;
  return { person, activity };
};

/** The check-in's condition that the person is not locked out of the activity. */
export const notLockedOut = (
  activityId: string,
  personId: string,
  max: number,
  locked: () => DomainError,
) => ({
  key: guessKey(activityId, personId),
  condition: {
    condition: belowLimit,
    names: { '#wrong': 'wrong' },
    values: { ':max': max },
    onConditionFailed: locked,
  } satisfies Condition,
});

/**
 * Replaces the check-in code, if it is still the one judged and the activity scheduled: one
 * replacement however many wrong codes race past the threshold. The activity moves to its next
 * version, so a change decided on the old code cannot put it back.
 */
export const rotateCheckInCode = async (
  ctx: ServiceContext,
  a: Pick<Activity, 'activityId' | 'checkInCode' | 'codeRotations'>,
  code: string,
): Promise<boolean> => {
  try {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.env.tableName,
        Key: activityKey(a.activityId),
        UpdateExpression: `SET checkInCode = :code, codeRotations = :rotations, ${versionBump.expression}`,
        ConditionExpression: 'checkInCode = :old AND #status = :scheduled',
        ExpressionAttributeNames: { ...versionBump.names, '#status': 'status' },
        ExpressionAttributeValues: {
          ':code': code,
          ':rotations': (a.codeRotations ?? 0) + 1,
          ':old': a.checkInCode,
          ':scheduled': 'scheduled',
          ...versionBump.values,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
};

// ---------------------------------------------------------------- attendance

export interface AttendanceRecord {
  personId: string;
  status: AttendanceStatus;
  note?: string;
  checkedInAt?: string;
  recordedAt: string;
  recordedBy: string;
  via: 'check-in' | 'secretary';
}

export const attendanceItem = (activityId: string, r: AttendanceRecord) => ({
  ...attendanceKey(activityId, r.personId),
  kind: 'attendance',
  ...r,
});

export const getAttendanceRecord = async (ctx: ServiceContext, activityId: string, personId: string) =>
  (await getItem(ctx, attendanceKey(activityId, personId))) as AttendanceRecord | undefined;

export const recordedStatuses = (records: Map<string, AttendanceRecord>) =>
  new Map<string, RecordedStatus>([...records].map(([id, r]) => [id, r.status]));

export const participationItem = (a: Activity, personId: string, status: AttendanceStatus) => ({
  ...participationKey(a, personId),
  kind: 'participation',
  activityId: a.activityId,
  type: a.type,
  personId,
  status,
});

/** A check-in refused because a record already stands: a concurrent one (or the secretary's) won. */
export const ALREADY_RECORDED = 'already-recorded';
export const checkInOnce: Condition = {
  condition: 'attribute_not_exists(pk)',
  onConditionFailed: () => conflict(ALREADY_RECORDED, 'Attendance was recorded meanwhile'),
};

/** Writes refused because the final record is already there: the work was done before. */
export const ALREADY_FINAL = 'attendance-already-final';
export const finalOnce = {
  condition: 'attribute_not_exists(pk)',
  onConditionFailed: () => conflict(ALREADY_FINAL, 'This final attendance was already recorded'),
};

/**
 * Who of an activity has a final status already (its participation items, one Query of the
 * branch's partition at the activity's start): a completion's second pass (the subscription,
 * a retry) writes only the rest, instead of sending each again to be refused.
 */
export const finalisedInvitees = async (
  ctx: ServiceContext,
  a: Pick<Activity, 'branchId' | 'startsAt' | 'activityId'>,
): Promise<Set<string>> => {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :activity)',
    ExpressionAttributeValues: {
      ':pk': `PARTICIPATION#${a.branchId}`,
      ':activity': `${a.startsAt}#${a.activityId}#`,
    },
    ProjectionExpression: 'personId',
    ConsistentRead: true,
  });
  return new Set(items.map((i) => i.personId as string));
};

/** Final attendance of a branch's activities that started in [from, to] (UTC ISO), each with its activity. */
export const participationRecords = async (
  ctx: ServiceContext,
  branchId: string,
  from: string,
  to: string,
): Promise<(FinalRecord & { activityId: string })[]> =>
  (
    await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':pk': `PARTICIPATION#${branchId}`, ':lo': from, ':hi': to },
    })
  ).map((i) => ({
    activityId: i.activityId as string,
    personId: i.personId as string,
    status: i.status as AttendanceStatus,
  }));

// ---------------------------------------------------------------- rooms

export interface Room {
  roomId: string;
  name: string;
  capacity: number;
  bookingsVersion: number;
  createdAt: string;
}

const toRoom = ({ roomId, name, capacity, bookingsVersion, createdAt }: Record<string, unknown>) =>
  ({ roomId, name, capacity, bookingsVersion, createdAt }) as Room;

export const roomItem = (room: Room) => ({ ...roomKey(room.roomId), kind: 'room', ...room });

export const getRoom = async (ctx: ServiceContext, roomId: string) => {
  const item = await getItem(ctx, roomKey(roomId));
  return item ? toRoom(item) : undefined;
};

export const listRooms = (ctx: ServiceContext, limit: number, cursor?: string) =>
  queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'ROOMS' },
    },
    { list: 'rooms', partition: { name: 'pk', value: 'ROOMS' }, limit, cursor },
    toRoom,
  );

export const allRooms = async (ctx: ServiceContext) =>
  (
    await queryAll(ctx, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'ROOMS' } })
  ).map(toRoom);

const toBooking = ({ roomId, activityId, startsAt, endsAt }: Record<string, unknown>) =>
  ({ roomId, activityId, startsAt, endsAt }) as Booking;

/**
 * Bookings that may overlap [from, to): a booking lasts at most 12 hours, so one that starts
 * more than 12 hours before `from` cannot reach into the window.
 */
const bookingWindow = (roomId: string, from: string, to: string) => ({
  KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
  FilterExpression: 'endsAt > :from',
  ExpressionAttributeValues: {
    ':pk': `ROOM#${roomId}`,
    ':lo': `BOOKING#${new Date(Date.parse(from) - MAX_DURATION_MS).toISOString()}`,
    // `BOOKING#<to>#…` sorts after `BOOKING#<to>`: a booking starting exactly at `to` is outside.
    ':hi': `BOOKING#${to}`,
    ':from': from,
  },
});

export const bookingsAround = async (ctx: ServiceContext, roomId: string, from: string, to: string) =>
  (await queryAll(ctx, { ...bookingWindow(roomId, from, to), ConsistentRead: true })).map(toBooking);

export const bookingsPage = (
  ctx: ServiceContext,
  roomId: string,
  from: string,
  to: string,
  limit: number,
  cursor?: string,
) =>
  queryPage(
    ctx,
    { TableName: ctx.env.tableName, ...bookingWindow(roomId, from, to) },
    { list: 'bookings', partition: { name: 'pk', value: `ROOM#${roomId}` }, limit, cursor },
    toBooking,
  );

export const bookingItem = (b: Booking) => ({ ...bookingKey(b), kind: 'booking', ...b });

/**
 * Commits a transaction built afresh on each attempt, retrying (a bounded number of times)
 * only DynamoDB's TransactionConflict: on AWS, transactions that merely condition-check the
 * same activity item (a branch checking in at once) can cancel each other.
 */
export const commitRetryingConflicts = (ctx: ServiceContext, build: (t: Transaction) => void) =>
  retryOnConflict(
    async () => {
      const t = transaction(ctx);
      build(t);
      await t.commit();
    },
    { attempts: 6 },
  );

const ROOM_MOVED_ON = 'room-bookings-changed';
const MAX_BOOKING_ATTEMPTS = 25;

const retryable = (error: unknown) =>
  error instanceof DomainError && (error.code === ROOM_MOVED_ON || error.code === 'concurrent-update');

/**
 * Commits `build`'s writes together with a booking of the room, if one is wanted.
 *
 * Bookings of one room never overlap, even when requested at the same instant: each booking
 * reads the room's `bookingsVersion` and the bookings around the interval, checks for a clash
 * (a pure function), and commits the booking with a conditional bump of that version. Of two
 * concurrent bookers only one commit can match the version both read; the other re-reads,
 * now sees the winner's booking, and is refused with 409 `room-booked`. The loop is bounded:
 * it is concurrency control, not a way to hide failures.
 */
export const commitWithBooking = async (
  ctx: ServiceContext,
  wanted: Booking | undefined,
  build: (t: Transaction, room: Room | undefined) => void,
  /** How the transaction is committed (a create with an Idempotency-Key settles a lost answer). */
  commit: (t: Transaction) => Promise<unknown> = (t) => t.commit(),
): Promise<void> => {
  for (let attempt = 0; ; attempt += 1) {
    const t = transaction(ctx);
    let room: Room | undefined;
    if (wanted) {
      room = await getRoom(ctx, wanted.roomId);
      if (!room) throw ruleViolation('room-not-found', `Room ${wanted.roomId} does not exist`);
      const clash = findClash(
        await bookingsAround(ctx, wanted.roomId, wanted.startsAt, wanted.endsAt),
        wanted,
      );
      if (clash) {
        throw conflict('room-booked', `The room is booked by activity ${clash.activityId} at that time`, {
          activityId: clash.activityId,
          // Bookings keep UTC sort keys; answers use the one timestamp form.
          startsAt: toLocalIso(new Date(clash.startsAt)),
          endsAt: toLocalIso(new Date(clash.endsAt)),
        });
      }
    }
    build(t, room);
    if (wanted && room) {
      t.put(bookingItem(wanted));
      t.update(
        roomKey(wanted.roomId),
        { expression: 'SET bookingsVersion = :next', values: { ':next': room.bookingsVersion + 1 } },
        {
          condition: 'bookingsVersion = :read',
          values: { ':read': room.bookingsVersion },
          onConditionFailed: () => conflict(ROOM_MOVED_ON, 'The room was booked meanwhile'),
        },
      );
    }
    try {
      await commit(t);
      return;
    } catch (error) {
      if (!wanted || !retryable(error) || attempt + 1 >= MAX_BOOKING_ATTEMPTS) {
        if (error instanceof DomainError && error.code === ROOM_MOVED_ON) {
          throw conflict('room-busy', 'The room is being booked by many at once; try again');
        }
        throw error;
      }
      await pause(jitteredDelay(attempt, 200));
    }
  }
};

// ---------------------------------------------------------------- settings and branches

export interface CadenceSettings {
  rules: CadenceRules;
  /** 0 while the statutory defaults apply (nothing stored yet). */
  version: number;
  updatedAt?: string;
  updatedBy?: string;
}

/** How refusals name the cadence settings. */
export const THE_SETTINGS = 'The cadence settings';

export const getCadence = async (ctx: ServiceContext): Promise<CadenceSettings> => {
  const item = await getItem(ctx, settingsKey);
  if (!item) return { rules: statutoryCadence, version: 0 };
  const { rules, version, updatedAt, updatedBy } = item;
  return { rules, version, updatedAt, updatedBy } as CadenceSettings;
};

export const putCadence = async (ctx: ServiceContext, s: Required<CadenceSettings>, expected: number) => {
  await transaction(ctx)
    .put(
      { ...settingsKey, kind: 'settings', ...s },
      // Version 0 is the statutory defaults, never stored: the first change finds nothing there.
      expected === 0
        ? { condition: 'attribute_not_exists(pk)', onConditionFailed: () => versionConflict(THE_SETTINGS) }
        : expectVersion(expected, THE_SETTINGS),
    )
    .commit();
};

export const knownBranches = async (ctx: ServiceContext) =>
  (
    await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'BRANCHES' },
    })
  ).map((i) => i.branchId as string);

/** Party groups seen on a branch's party-group meetings in a window (besides the roster's). */
export const meetingPartyGroups = (activities: readonly Activity[]) =>
  activities.flatMap((a) => (a.type === 'party-group-meeting' && a.partyGroupId ? [a.partyGroupId] : []));

// ---------------------------------------------------------------- party-group tallies

const tallyKey = (branchId: string) => ({ pk: `GROUPS#${branchId}`, sk: 'GROUPS' });
const GROUP = 'GROUP#';

/**
 * Adds a change to a branch's tally in `t`. `revision` counts the writes, so a rebuild can
 * tell that a roster event slipped in between its reads and its write.
 */
const changeTally = (t: Transaction, { branchId, counts }: TallyChange) => {
  const groups = Object.entries(counts);
  t.update(tallyKey(branchId), {
    expression: `SET kind = :kind, branchId = :branchId ADD revision :one, ${groups
      .map((_, i) => `#g${i} :d${i}`)
      .join(', ')}`,
    names: Object.fromEntries(groups.map(([g], i) => [`#g${i}`, `${GROUP}${g}`])),
    values: {
      ':kind': 'party-group-tally',
      ':branchId': branchId,
      ':one': 1,
      ...Object.fromEntries(groups.map(([, n], i) => [`:d${i}`, n])),
    },
  });
};

/** The roster hook: the tallies follow each roster change, in the roster's own transaction. */
export const followRoster = (held: RosterEntry | undefined, incoming: RosterEntry, t: Transaction) => {
  for (const change of tallyChanges(held, incoming)) changeTally(t, change);
};

const countsOf = (item: Record<string, unknown> | undefined): Record<string, number> =>
  Object.fromEntries(
    Object.entries(item ?? {}).flatMap(([name, n]) =>
      name.startsWith(GROUP) ? [[name.slice(GROUP.length), n as number]] : [],
    ),
  );

/** Members per party group of a branch (groups emptied keep a zero). One GetItem. */
export const partyGroupTally = async (ctx: ServiceContext, branchId: string) =>
  countsOf(await getItem(ctx, tallyKey(branchId)));

const MAX_REBUILD_ATTEMPTS = 10;

/**
 * Counts one branch's party groups afresh from its roster copy. The write is conditioned on
 * the tally's revision read before the roster: a roster event committed in between bumped it,
 * and the count starts over rather than overwrite that event's change.
 */
const rebuildTally = async (ctx: ServiceContext, branchId: string) => {
  for (let attempt = 1; ; attempt += 1) {
    const revision = (await getItem(ctx, tallyKey(branchId)))?.revision as number | undefined;
    const roster = await branchRoster(rosterReader(ctx), branchId, { consistent: true });
    const counts = tallyOf(roster).get(branchId) ?? {};
    const t = transaction(ctx);
    t.put(
      {
        ...tallyKey(branchId),
        kind: 'party-group-tally',
        branchId,
        revision: (revision ?? 0) + 1,
        ...Object.fromEntries(Object.entries(counts).map(([g, n]) => [`${GROUP}${g}`, n])),
      },
      revision === undefined
        ? { condition: 'attribute_not_exists(pk)' }
        : { condition: 'revision = :read', values: { ':read': revision } },
    );
    try {
      await t.commit();
      return;
    } catch (error) {
      if (!(error instanceof DomainError) || attempt >= MAX_REBUILD_ATTEMPTS) throw error;
    }
  }
};

/**
 * Backfill for tables that held a roster before the tallies existed (and the benchmark's bulk
 * load): every known branch's tally recounted from its roster copy. Idempotent; reads every
 * roster entry, so it belongs in an operator's script, never on a request path.
 */
export const rebuildPartyGroupTallies = async (ctx: ServiceContext): Promise<number> => {
  const branches = await knownBranches(ctx);
  for (let i = 0; i < branches.length; i += 8) {
    await Promise.all(branches.slice(i, i + 8).map((b) => rebuildTally(ctx, b)));
  }
  return branches.length;
};

// ---------------------------------------------------------------- the cadence watch (逾期预警)

/**
 * A branch's activities that start in [from, to) (UTC ISO) and still count for cadence:
 * completed or scheduled, not cancelled. The same gsi1 Query as compliance's, for the daily
 * watch (not a request path), over the periods about to end only.
 */
export const countedActivities = (ctx: ServiceContext, branchId: string, from: string, to: string) =>
  branchActivitiesBetween(ctx, { branchId, from, to, filter: '#status <> :status', status: 'cancelled' });

/** What a CadenceAtRisk is about: the branch, the type (and party group) and the period. */
export interface CadenceFact {
  branchId: string;
  type: string;
  partyGroupId?: string;
  period: string;
}

const atRiskKey = (f: CadenceFact) => ({
  pk: `CADENCE#${f.branchId}`,
  sk: `AT-RISK#${f.period}#${f.type}${f.partyGroupId === undefined ? '' : `#${f.partyGroupId}`}`,
});

/** Whether the watch told of this period already (a marker, written with the event). */
export const toldAtRisk = async (ctx: ServiceContext, f: CadenceFact) =>
  (await getItem(ctx, atRiskKey(f))) !== undefined;

/**
 * The marker that the period was told of, created only if absent, in the transaction that
 * publishes the CadenceAtRisk: the event exists once per fact however often the watch runs.
 * Its condition is the transaction's only one, so a refusal `conflict` means another run
 * told of it meanwhile. It lasts a year past the period's end (TTL): the watch only looks
 * at current periods.
 */
export const markToldAtRisk = (t: Transaction, f: CadenceFact, periodEndsOn: string, toldAt: string) =>
  t.put(
    {
      ...atRiskKey(f),
      kind: 'cadence-at-risk',
      ...f,
      toldAt,
      expiresAt: Math.floor(Date.parse(`${periodEndsOn}T00:00:00+08:00`) / 1000) + 366 * 86_400,
    },
    { condition: 'attribute_not_exists(pk)' },
  );
