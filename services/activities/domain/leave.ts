/**
 * Leave (请假): an invitee asks to be excused from an activity before it starts, the branch's
 * secretary (or the committee) approves or declines, and an approved leave makes the
 * invitee `excused` at completion unless attendance was recorded for them. Pure: "now" is a
 * parameter.
 */
import {
  accept,
  conflict,
  type DomainError,
  ownRecord,
  type Result,
  refuse,
  ruleViolation,
} from '../../../shared/errors.js';
import type { Activity } from './activity.js';
import { requireScheduled } from './activity.js';
import type { RecordedStatus } from './attendance.js';

export const leaveStatuses = ['pending', 'approved', 'declined'] as const;
export type LeaveStatus = (typeof leaveStatuses)[number];
export const leaveDecisions = ['approved', 'declined'] as const;
export type LeaveDecision = (typeof leaveDecisions)[number];

export interface LeaveRequest {
  activityId: string;
  personId: string;
  reason: string;
  status: LeaveStatus;
  /** Local ISO (`toLocalIso`), as every answer gives it. */
  requestedAt: string;
  decidedAt?: string;
  /** The person who decided. */
  decidedBy?: string;
  note?: string;
}

/**
 * Whether `personId` may ask for leave from `activity` at `now`: an invitee, of an activity
 * still scheduled (not cancelled, completed or being completed), strictly before its start.
 * Who may see the activity at all is the handler's scope check (404) before this.
 */
export const canAskLeave = (
  activity: Activity,
  personId: string,
  now: Date,
): Result<Activity, DomainError> => {
  if (!activity.inviteeIds.includes(personId)) {
    // As for check-in: the activity is visible (own branch) but the caller is not on its list.
    return refuse(ruleViolation('not-invited', 'Only invitees can ask for leave'));
  }
  const open = requireScheduled(activity, 'ask for leave');
  if (!open.ok) return open;
  if (now.getTime() >= Date.parse(activity.startsAt)) {
    return refuse(ruleViolation('leave-after-start', 'Leave is asked for before the activity starts'));
  }
  return accept(activity);
};

/**
 * Whether `deciderId` may decide `leave` now: nobody decides their own (a secretary's own
 * leave goes to the committee), only a pending request, and only while the activity is
 * scheduled with attendance open: completion takes the tally from what was decided before.
 */
export const canDecideLeave = (
  activity: Activity,
  leave: LeaveRequest,
  deciderId: string | undefined,
): Result<LeaveRequest, DomainError> => {
  if (deciderId !== undefined && deciderId === leave.personId) {
    return refuse(ownRecord('Nobody decides their own leave; the committee decides a secretary’s'));
  }
  const open = requireScheduled(activity, 'decide leave');
  if (!open.ok) return open;
  if (leave.status !== 'pending') {
    return refuse(conflict('leave-already-decided', `The leave request was already ${leave.status}`));
  }
  return accept(leave);
};

/**
 * The statuses completion counts: what was recorded (a check-in, the secretary's record)
 * stands; an invitee with approved leave and nothing recorded is `excused`.
 */
export const withApprovedLeave = (
  recorded: ReadonlyMap<string, RecordedStatus>,
  approved: ReadonlySet<string>,
): Map<string, RecordedStatus> => {
  const out = new Map(recorded);
  for (const personId of approved) if (!out.has(personId)) out.set(personId, 'excused');
  return out;
};
