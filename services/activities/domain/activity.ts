/**
 * The activity's own rules: its time window, what may change in which status, who counts
 * as an organiser, and what a caller may see. Pure: "now" and randomness are parameters.
 */
import { actsForBranch, type Caller, hasRole, isSelf } from '../../../shared/auth.js';
import {
  accept,
  conflict,
  type DomainError,
  notFound,
  type Result,
  refuse,
  ruleViolation,
} from '../../../shared/errors.js';
import type { ActivityType } from '../events.js';
import type { LateEntry } from './late-entry.js';

export const activityStatuses = ['scheduled', 'completed', 'cancelled'] as const;
export type ActivityStatus = (typeof activityStatuses)[number];

export interface Activity {
  activityId: string;
  branchId: string;
  type: ActivityType;
  partyGroupId?: string;
  title: string;
  agenda?: string;
  /** UTC ISO instants (`toISOString()`), so they sort as text in keys. */
  startsAt: string;
  endsAt: string;
  roomId?: string;
  location?: string;
  inviteeIds: string[];
  status: ActivityStatus;
  checkInCode: string;
  version: number;
  /** Set by the first step of completion: attendance no longer changes. */
  attendanceClosed?: boolean;
  createdBy: string;
  createdAt: string;
  cancelReason?: string;
  cancelledAt?: string;
  minutes?: string;
  resolutions?: string[];
  completedAt?: string;
  /** Set by the first write that recorded the activity late (domain/late-entry.ts). */
  recordedLate?: LateEntry;
  /** How often the check-in code was replaced after too many wrong codes (domain/check-in-guard.ts). */
  codeRotations?: number;
  /** The final tally, fixed at completion. */
  attendance?: {
    invited: number;
    present: number;
    late: number;
    excused: number;
    absent: number;
    attendanceRate: number | null;
  };
  /** The campaign (统一部署) it was scheduled by, one activity per branch. */
  campaignId?: string;
}

const MINUTE = 60_000;
/** A meeting or activity day never runs past twelve hours. */
export const MAX_DURATION_MS = 12 * 60 * MINUTE;
/** Check-in opens this long before the start... */
export const CHECK_IN_OPENS_BEFORE_MS = 30 * MINUTE;
/** ...and a check-in later than this after the start counts as late (exactly at it is on time). */
export const LATE_AFTER_MS = 15 * MINUTE;

export interface Window {
  startsAt: string;
  endsAt: string;
}

/** Both instants normalised to UTC ISO; `endsAt` after `startsAt`, at most 12 hours later. */
export const checkWindow = (startsAt: string, endsAt: string): Result<Window, DomainError> => {
  const start = new Date(startsAt);
  const end = new Date(endsAt);
  if (end.getTime() <= start.getTime()) {
    return refuse(ruleViolation('ends-before-start', 'endsAt must be after startsAt'));
  }
  if (end.getTime() - start.getTime() > MAX_DURATION_MS) {
    return refuse(ruleViolation('too-long', 'An activity lasts at most 12 hours'));
  }
  return accept({ startsAt: start.toISOString(), endsAt: end.toISOString() });
};

/** A 6-digit code, leading zeros kept; `random` returns an integer in [0, 1e6). */
export const newCheckInCode = (random: (limit: number) => number): string =>
  String(random(1_000_000)).padStart(6, '0');

/** Refuses a change unless the activity is still scheduled (and, for most, attendance is open). */
export const requireScheduled = (activity: Activity, action: string): Result<Activity, DomainError> => {
  if (activity.status === 'completed') {
    return refuse(conflict('activity-completed', `The activity is completed; cannot ${action}`));
  }
  if (activity.status === 'cancelled') {
    return refuse(conflict('activity-cancelled', `The activity is cancelled; cannot ${action}`));
  }
  if (activity.attendanceClosed) {
    return refuse(conflict('activity-completing', `The activity is being completed; cannot ${action}`));
  }
  return accept(activity);
};

/** Completion comes only once the activity has started; a retry of an interrupted one may go on. */
export const checkCompletion = (activity: Activity, now: Date): Result<Activity, DomainError> => {
  if (activity.status === 'completed') {
    return refuse(conflict('activity-completed', 'The activity is already completed'));
  }
  if (activity.status === 'cancelled') {
    return refuse(conflict('activity-cancelled', 'A cancelled activity cannot be completed'));
  }
  if (now.getTime() < Date.parse(activity.startsAt)) {
    return refuse(
      ruleViolation('activity-not-started', 'An activity can be completed only after it started'),
    );
  }
  return accept(activity);
};

/** Organisers: the committee, and the secretary of the activity's branch. */
export const organises = (caller: Caller, branchId: string): boolean => actsForBranch(caller, branchId);

/** Members see their own branch's activities, and any they are invited to. */
export const canSee = (caller: Caller, activity: Activity): boolean =>
  organises(caller, activity.branchId) ||
  (hasRole(caller, 'member') &&
    (caller.branchId === activity.branchId || activity.inviteeIds.some((id) => isSelf(caller, id))));

/** The branches a caller may list: committee any, everyone else only their own. */
export const canListBranch = (caller: Caller, branchId: string): boolean =>
  hasRole(caller, 'committee') || caller.branchId === branchId;

/**
 * Which branch a listing is about: the one named, if the caller may list it; none named,
 * every branch (undefined) for the committee and their own for anyone else. A caller who
 * belongs to no branch has none to list: not found, as any branch outside their scope.
 */
export const listingScope = (caller: Caller, named: string | undefined): Result<string | undefined> => {
  if (named !== undefined) return canListBranch(caller, named) ? accept(named) : refuse(notFound('Branch'));
  if (hasRole(caller, 'committee')) return accept(undefined);
  return caller.branchId ? accept(caller.branchId) : refuse(notFound('Branch'));
};

export type CheckInOutcome = 'present' | 'late';

/** The refusal of a wrong code; the handler counts it (domain/check-in-guard.ts). */
export const WRONG_CODE = 'wrong-check-in-code';

/**
 * Self check-in: the right code, from 30 minutes before the start until the end (both
 * edges included); later than 15 minutes after the start is late, exactly 15:00 is not.
 */
export const checkIn = (
  activity: Activity,
  personId: string,
  code: string,
  now: Date,
): Result<CheckInOutcome, DomainError> => {
  if (!activity.inviteeIds.includes(personId)) {
    // The activity is visible (own branch) but the caller is not on its list. The role may
    // check in; this activity's rule refuses them: 422 (403 is only for a role the route
    // does not admit, 404 for what the caller may not see).
    return refuse(ruleViolation('not-invited', 'Only invitees can check in'));
  }
  const t = now.getTime();
  const start = Date.parse(activity.startsAt);
  if (t < start - CHECK_IN_OPENS_BEFORE_MS) {
    return refuse(ruleViolation('check-in-not-open', 'Check-in opens 30 minutes before the start'));
  }
  if (t > Date.parse(activity.endsAt)) {
    return refuse(ruleViolation('check-in-closed', 'Check-in closed when the activity ended'));
  }
  if (code !== activity.checkInCode) {
    return refuse(ruleViolation(WRONG_CODE, 'The check-in code is not right'));
  }
  return accept(t > start + LATE_AFTER_MS ? 'late' : 'present');
};
