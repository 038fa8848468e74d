/**
 * 请假: the notices of activities' leave requests. A new request reaches the branch's
 * secretaries (not the one asking: nobody decides their own leave), a decision reaches the
 * member who asked. One notice per fact, under its natural id. Pure.
 */
import { createHash } from 'node:crypto';
import { toLocalIso } from '../../../shared/time.js';
import type { LeaveDecided, LeaveRequested } from '../../activities/events.js';
import { type DataOf, type EventNotice, notice } from './event-notices.js';

/**
 * A leave request's id, at most 64 characters of `[0-9A-Za-z_-]` as a path parameter's: an
 * activity's and a person's ULIDs together are longer, so the pair is hashed. Each request
 * is asked once and decided once, so `what` (requested, decided) completes the fact.
 */
export const leaveNoticeId = (a: { activityId: string; personId: string }, what: 'requested' | 'decided') =>
  `leave-${what}-${createHash('sha256').update(`${a.activityId}\n${a.personId}`).digest('hex').slice(0, 32)}`;

/** To the branch's secretaries other than the one asking; none left, no notice. */
export const leaveRequestedNotice = (
  r: DataOf<typeof LeaveRequested>,
  secretaryIds: readonly string[],
  name: string | undefined,
  at: Date,
): EventNotice | undefined => {
  const to = [...new Set(secretaryIds)].filter((id) => id !== r.personId);
  if (to.length === 0) return undefined;
  return notice(
    'leave-requested',
    leaveNoticeId(r, 'requested'),
    r.title,
    `${name ?? '一名党员'}申请请假，活动开始时间 ${toLocalIso(new Date(r.startsAt))}，请审批`,
    at,
    {
      to: { personIds: to },
      about: { activityId: r.activityId, personId: r.personId },
      startsAt: new Date(r.startsAt).toISOString(),
    },
  );
};

/** To the member who asked: approved or declined, with the decider's note. */
export const leaveDecidedNotice = (d: DataOf<typeof LeaveDecided>, at: Date): EventNotice =>
  notice(
    'leave-decided',
    leaveNoticeId(d, 'decided'),
    d.title,
    `${d.decision === 'approved' ? '您的请假已批准' : '您的请假未获批准'}${d.note ? `：${d.note}` : ''}`,
    at,
    {
      to: { personIds: [d.personId] },
      about: { activityId: d.activityId },
      startsAt: new Date(d.startsAt).toISOString(),
    },
  );
