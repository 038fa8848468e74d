/**
 * Leave requests (请假). Access patterns (pk / sk; beside ../store.ts's, in the activity's
 * own partition, so completion reads them with its attendance):
 *   ACTIVITY#<activityId> / LEAVE#<personId>   one invitee's leave request   GetItem (ask, decide),
 *                                              Query (the managers' list, completion's approved leave)
 *   ACTIVITY#<activityId> / ATTENDANCE#… … LEAVE#…   the records and approved leave together
 *                                              one Query (the attendance list, completion's tally)
 */
import type { ServiceContext } from '../../../shared/context.js';
import { conflict } from '../../../shared/errors.js';
import { getItem, queryAll, queryPage } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { versionConflict } from '../../../shared/store/version.js';
import type { Activity } from '../domain/activity.js';
import type { LeaveDecision, LeaveRequest } from '../domain/leave.js';
import { type AttendanceRecord, activityKey, attendanceOpen } from '../store.js';

const LEAVE = 'LEAVE#';
export const leaveKey = (activityId: string, personId: string) => ({
  pk: `ACTIVITY#${activityId}`,
  sk: `${LEAVE}${personId}`,
});

const LEAVE_FIELDS = [
  'activityId',
  'personId',
  'reason',
  'status',
  'requestedAt',
  'decidedAt',
  'decidedBy',
  'note',
] as const;

export const toLeave = (item: Record<string, unknown>): LeaveRequest => {
  const out: Record<string, unknown> = {};
  for (const f of LEAVE_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as LeaveRequest;
};

export const getLeave = async (ctx: ServiceContext, activityId: string, personId: string) => {
  const item = await getItem(ctx, leaveKey(activityId, personId));
  return item ? toLeave(item) : undefined;
};

/** The refusal of a second request written meanwhile: the handler answers with the one standing. */
export const LEAVE_REQUESTED_MEANWHILE = 'leave-requested-meanwhile';

/**
 * A new request, once per person and activity, while the activity is still scheduled, its
 * attendance open and its start (stored as UTC ISO, so it compares as text) after `now`:
 * a request that raced a move, a cancellation or the start of completion is refused with
 * 409 `version-conflict`, and asked again gets that change's own answer.
 */
export const requestLeave = (
  t: Transaction,
  leave: LeaveRequest,
  a: Pick<Activity, 'activityId'>,
  now: Date,
): Transaction =>
  t
    .check(activityKey(a.activityId), {
      condition: '#status = :scheduled AND attribute_not_exists(attendanceClosed) AND startsAt > :now',
      names: { '#status': 'status' },
      values: { ':scheduled': 'scheduled', ':now': now.toISOString() },
      onConditionFailed: () => versionConflict('The activity'),
    })
    .put(
      { ...leaveKey(leave.activityId, leave.personId), kind: 'leave', ...leave },
      {
        condition: 'attribute_not_exists(pk)',
        onConditionFailed: () => conflict(LEAVE_REQUESTED_MEANWHILE, 'Leave was asked for meanwhile'),
      },
    );

/**
 * The decision: pending → approved or declined, once (a second decision, or one racing it,
 * is 409 `leave-already-decided`), and only while the activity's attendance is open, so
 * completion, which closes it first, counts exactly the decisions made before.
 */
export const decideLeave = (
  t: Transaction,
  leave: Pick<LeaveRequest, 'activityId' | 'personId'>,
  decision: { status: LeaveDecision; decidedAt: string; decidedBy: string; note?: string },
): Transaction => {
  const open = attendanceOpen(leave.activityId);
  return t.check(open.key, open.condition).update(
    leaveKey(leave.activityId, leave.personId),
    {
      expression: `SET #status = :decision, decidedAt = :at, decidedBy = :by${decision.note === undefined ? '' : ', note = :note'}`,
      values: {
        ':decision': decision.status,
        ':at': decision.decidedAt,
        ':by': decision.decidedBy,
        ...(decision.note === undefined ? {} : { ':note': decision.note }),
      },
    },
    {
      condition: '#status = :pending',
      names: { '#status': 'status' },
      values: { ':pending': 'pending' },
      onConditionFailed: () => conflict('leave-already-decided', 'The leave request was decided meanwhile'),
    },
  );
};

const leavePartition = (activityId: string) => ({
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :leave)',
  ExpressionAttributeValues: { ':pk': `ACTIVITY#${activityId}`, ':leave': LEAVE },
});

/** An activity's leave requests, by person id, for its organisers. */
export const leavePage = (ctx: ServiceContext, activityId: string, limit: number, cursor?: string) =>
  queryPage(
    ctx,
    { TableName: ctx.env.tableName, ...leavePartition(activityId) },
    { list: 'leave-requests', partition: { name: 'pk', value: `ACTIVITY#${activityId}` }, limit, cursor },
    toLeave,
  );

/**
 * An activity's attendance records and who has approved leave, in one consistent Query of its
 * partition from the first ATTENDANCE# to the last LEAVE# instead of one Query each. Between
 * them sort only the wrong-code counters and the evidence (at most 30 files), left out by the
 * filter.
 */
export const attendanceWithLeave = async (
  ctx: ServiceContext,
  activityId: string,
): Promise<{ records: Map<string, AttendanceRecord>; onLeave: Set<string> }> => {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    FilterExpression: 'kind = :attendance OR (kind = :leave AND #status = :approved)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':pk': `ACTIVITY#${activityId}`,
      ':from': 'ATTENDANCE#',
      // `$` sorts right after `#`: the last LEAVE#<personId> is inside.
      ':to': 'LEAVE$',
      ':attendance': 'attendance',
      ':leave': 'leave',
      ':approved': 'approved',
    },
    ConsistentRead: true,
  });
  const records = new Map<string, AttendanceRecord>();
  const onLeave = new Set<string>();
  for (const i of items) {
    if (i.kind === 'attendance') records.set(i.personId as string, i as unknown as AttendanceRecord);
    else onLeave.add(i.personId as string);
  }
  return { records, onLeave };
};
