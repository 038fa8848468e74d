/** What activities tells the platform (source `dangjian.activities`). */
import * as z from 'zod';
import { defineEvent } from '../../shared/events/contract.js';
import { exportedBy } from '../../shared/exports.js';
import { isoDate, isoDateTime } from '../../shared/schemas.js';
import { cadencePeriods, cadenceTypes } from './domain/cadence.js';

/** The types with a cadence (三会一课 and the rest), as CadenceAtRisk names them. */
export { type CadenceType, cadenceTypes } from './domain/cadence.js';

const ACTIVITIES = 'activities';

/** 三会一课 and the other party activities; the first seven have a statutory cadence. */
export const activityTypes = [
  'branch-general-meeting', // 支部党员大会
  'branch-committee-meeting', // 支委会
  'party-group-meeting', // 党小组会
  'party-lesson', // 党课
  'theme-day', // 主题党日
  'organizational-life-meeting', // 组织生活会
  'democratic-evaluation', // 民主评议
  'history-study',
  'warning-education',
  'seminar',
  'other',
] as const;
export type ActivityType = (typeof activityTypes)[number];

export const attendanceStatuses = ['present', 'late', 'excused', 'absent'] as const;
export type AttendanceStatus = (typeof attendanceStatuses)[number];

const activityRef = {
  activityId: z.string(),
  branchId: z.string(),
  type: z.enum(activityTypes),
  title: z.string(),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  partyGroupId: z.string().optional(),
  /**
   * Present when the activity was recorded after the fact (scheduled once it had ended, or its
   * attendance or completion written from the 8th day after it): why, when and by whom. Added
   * later; consumers may ignore it.
   */
  recordedLate: z.object({ reason: z.string(), recordedAt: isoDateTime, by: z.string() }).optional(),
};

export const ActivityScheduled = defineEvent(
  ACTIVITIES,
  'ActivityScheduled',
  z.object({
    ...activityRef,
    roomId: z.string().optional(),
    /** Where it is held when no room is booked (free text). Added later; consumers may ignore it. */
    location: z.string().optional(),
    inviteeIds: z.array(z.string()),
  }),
);

export const ActivityCancelled = defineEvent(
  ACTIVITIES,
  'ActivityCancelled',
  z.object({ ...activityRef, reason: z.string() }),
);

/**
 * A scheduled activity's time or place changed (a PATCH that moves its start, end, room or
 * location), with the invitees as they now stand and what it was before. `version` is the
 * activity's, so consumers can order changes that arrive out of order.
 */
export const ActivityMoved = defineEvent(
  ACTIVITIES,
  'ActivityMoved',
  z.object({
    ...activityRef,
    roomId: z.string().optional(),
    location: z.string().optional(),
    inviteeIds: z.array(z.string()),
    version: z.number().int().positive(),
    previous: z.object({
      startsAt: isoDateTime,
      endsAt: isoDateTime,
      roomId: z.string().optional(),
      location: z.string().optional(),
    }),
  }),
);

export const ActivityCompleted = defineEvent(
  ACTIVITIES,
  'ActivityCompleted',
  z.object({
    ...activityRef,
    /** The local (Asia/Shanghai) date it was held: what a resolution refers to. */
    heldOn: isoDate,
    resolutions: z.array(z.string()),
    attendance: z.object({
      invited: z.number().int().nonnegative(),
      present: z.number().int().nonnegative(),
      late: z.number().int().nonnegative(),
      excused: z.number().int().nonnegative(),
      absent: z.number().int().nonnegative(),
    }),
  }),
);

/** The most invitees one AttendanceRecorded names: those whose statuses commit together. */
export const ATTENDANCE_GROUP = 25;

const attendee = z.object({ personId: z.string(), status: z.enum(attendanceStatuses) });

/**
 * Invitees' final statuses once an activity is completed (unknowns become absent), a group
 * at a time: every invitee is named in exactly one. One event per group rather than per
 * invitee: a year of 三会一课 for a few hundred members is a few hundred events, not thousands.
 * Version 1 named one invitee (`personId`, `status`); one still on its way when version 2
 * deploys is read as a group of one.
 */
export const AttendanceRecorded = defineEvent(
  ACTIVITIES,
  'AttendanceRecorded',
  z.union([
    z.object({ ...activityRef, attendees: z.array(attendee).min(1).max(ATTENDANCE_GROUP) }),
    z
      .object({ ...activityRef, ...attendee.shape })
      .transform(({ personId, status, ...a }) => ({ ...a, attendees: [{ personId, status }] })),
  ]),
  2,
);

/**
 * A branch is about to miss a cadence period (三会一课逾期预警): the period ends within its
 * warning days (domain/cadence-watch.ts) and fewer than `required` activities of the type
 * were held (completed) or are scheduled in it. Published once per branch, type (and party
 * group) and period, by the daily `cadence-watch` schedule.
 */
export const CadenceAtRisk = defineEvent(
  ACTIVITIES,
  'CadenceAtRisk',
  z.object({
    branchId: z.string(),
    type: z.enum(cadenceTypes),
    /** A party-group meeting's party group (党小组): those are judged per group. */
    partyGroupId: z.string().optional(),
    /** `2026-11`, `2026-Q4`, `2026-H2`, `2026`. */
    period: z.string(),
    periodKind: z.enum(cadencePeriods),
    /** The period's first and last local dates, inclusive. */
    periodFrom: isoDate,
    periodEndsOn: isoDate,
    required: z.number().int().positive(),
    /** Completed in the period. */
    held: z.number().int().nonnegative(),
    /** Scheduled to start in the period, not completed or cancelled. */
    scheduled: z.number().int().nonnegative(),
    /** The local date the watch found it. */
    asOf: isoDate,
  }),
);

/**
 * An invitee asked for leave (请假) from an activity before its start. The reason stays in
 * activities (the secretary reads it on the leave list): it may be personal.
 */
export const LeaveRequested = defineEvent(
  ACTIVITIES,
  'LeaveRequested',
  z.object({ ...activityRef, personId: z.string() }),
);

/** A leave request was approved or declined, by whom, with the decider's note to the member. */
export const LeaveDecided = defineEvent(
  ACTIVITIES,
  'LeaveDecided',
  z.object({
    ...activityRef,
    personId: z.string(),
    decision: z.enum(['approved', 'declined']),
    decidedBy: z.string(),
    note: z.string().optional(),
  }),
);

/**
 * A register left the service as a workbook (台账, compliance, participation): an audited read
 * of personal data (shared/exports.ts), published before the file is answered; talent's audit
 * log keeps it.
 */
export const ActivitiesDataExported = exportedBy('activities');

export const activitiesEvents = [
  ActivityScheduled,
  ActivityCancelled,
  ActivityMoved,
  ActivityCompleted,
  AttendanceRecorded,
  CadenceAtRisk,
  LeaveRequested,
  LeaveDecided,
  ActivitiesDataExported,
];
