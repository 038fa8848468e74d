/** Self check-in, the secretary's attendance record, and the attendance list with rates. */

import { randomInt } from 'node:crypto';
import * as z from 'zod';
import { actorOf } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { DomainError, ruleViolation, unwrap, validationFailed } from '../../../shared/errors.js';
import { created, ok } from '../../../shared/http/result.js';
import { idParam, multiLine } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { toLocalIso } from '../../../shared/time.js';
import { rosterSelf } from '../../talent/roster.js';
import { type Activity, checkIn, newCheckInCode, requireScheduled, WRONG_CODE } from '../domain/activity.js';
import { finalStatus, roll, tally } from '../domain/attendance.js';
import {
  checkInLocked,
  MAX_WRONG_CODES_PER_PERSON,
  rotationDue,
  wrongCode,
} from '../domain/check-in-guard.js';
import { lateEntry } from '../domain/late-entry.js';
import { withApprovedLeave } from '../domain/leave.js';
import { attendanceWithLeave } from '../store/leave.js';
import {
  ALREADY_RECORDED,
  type AttendanceRecord,
  attendanceItem,
  attendanceOpen,
  checkInOnce,
  commitRetryingConflicts,
  countWrongCode,
  getAttendanceRecord,
  guardAttendance,
  notLockedOut,
  recordedStatuses,
  rosterReader,
  rotateCheckInCode,
} from '../store.js';
import {
  AttendanceRecordView,
  AttendanceView,
  attendanceStatusEnum,
  attendanceView,
  recordView,
  unrecordedView,
} from '../views.js';
import {
  branchOrganisers,
  branchPeople,
  lateEntryReason,
  lateWrite,
  organisedActivity,
  requireInBranch,
  visibleActivity,
} from './common.js';

const activityParams = z.strictObject({ activityId: idParam });
/** One transaction holds the activity's check and at most 99 records. */
const MAX_ENTRIES = 99;

const attendanceOf = async (ctx: ServiceContext, a: Activity) => {
  const { records, onLeave } = await attendanceWithLeave(ctx, a.activityId);
  // Approved leave shows as excused where nothing was recorded, as completion will count it.
  const items = roll(a.inviteeIds, withApprovedLeave(recordedStatuses(records), onLeave)).map(
    ({ personId, status }) => {
      const r = records.get(personId);
      if (r) return recordView(r);
      // Once completed, nobody is unknown any more: the unrecorded were absent.
      return unrecordedView(personId, a.status === 'completed' ? finalStatus(status) : status);
    },
  );
  return attendanceView(a, items, tally(items.map((i) => i.status)));
};

export const attendanceRoutes = [
  route('POST /activities/{activityId}/check-in', {
    summary: 'Check in to an activity with its six-digit code (签到), as one of its invitees',
    // Invitees are people of the activity's branch, who all hold `member` (the committee's
    // members too, as people of their own branch); an account that is committee alone is
    // nobody's invitee, so it has nothing to check in to.
    access: ['member', 'secretary'],
    outcomes: { ...branchPeople, committee: 403 },
    refusals: [
      'no-person',
      'activity-completing',
      'attendance-closed',
      'not-invited',
      'check-in-not-open',
      'check-in-closed',
      'wrong-check-in-code',
      'check-in-locked',
    ],
    // 201 for a new check-in; 200 repeats the record that already stood.
    responses: { 200: AttendanceRecordView, 201: AttendanceRecordView },
    request: {
      params: activityParams,
      body: z.strictObject({
        code: z
          .string()
          .regex(/^\d{6}$/, 'Six digits')
          .meta({ description: 'The six digits the organiser shows', example: '482913' }),
      }),
    },
    // A wrong code is refused and counted: the count is what locks a guesser out.
    recordsRefusals: ['wrong-codes'],
    handler: async ({ params, body, caller, now }, ctx) => {
      // The caller checks in as their person; an account that names no one may not.
      const { personId } = await rosterSelf(rosterReader(ctx), caller);
      const a = await visibleActivity(ctx, caller, params.activityId);
      const first = await getAttendanceRecord(ctx, a.activityId, personId);
      // Checking in twice changes nothing: the first record stands.
      if (first && a.inviteeIds.includes(personId)) return ok(recordView(first));
      const verdict = checkIn(a, personId, body.code, now);
      if (!verdict.ok && verdict.error.code === WRONG_CODE) {
        // Counted atomically; the 5th is the person's last, every 50th replaces the code.
        const counted = await countWrongCode(ctx, a, personId, MAX_WRONG_CODES_PER_PERSON);
        if (!counted) throw checkInLocked(a.endsAt);
        if (rotationDue(counted.activity, a.codeRotations ?? 0)) {
          await rotateCheckInCode(ctx, a, newCheckInCode(randomInt));
        }
        throw wrongCode(counted.person);
      }
      const status = unwrap(verdict);
      unwrap(requireScheduled(a, 'check in'));
      const record: AttendanceRecord = {
        personId,
        status,
        checkedInAt: toLocalIso(now),
        recordedAt: toLocalIso(now),
        recordedBy: personId,
        via: 'check-in',
      };
      const open = attendanceOpen(a.activityId);
      // A locked-out person is refused even with the right code: the lock would teach nothing otherwise.
      const unlocked = notLockedOut(a.activityId, personId, MAX_WRONG_CODES_PER_PERSON, () =>
        checkInLocked(a.endsAt),
      );
      const build = (t: Transaction) =>
        t
          .check(open.key, open.condition)
          .check(unlocked.key, unlocked.condition)
          .put(attendanceItem(a.activityId, record), checkInOnce);
      try {
        await commitRetryingConflicts(ctx, build);
      } catch (error) {
        // A concurrent check-in (or the secretary) got there first: show that record.
        if (error instanceof DomainError && error.code === ALREADY_RECORDED) {
          const winner = await getAttendanceRecord(ctx, a.activityId, personId);
          if (winner) return ok(recordView(winner));
        }
        throw error;
      }
      return created(recordView(record));
    },
  }),

  route('PUT /activities/{activityId}/attendance', {
    summary: "Record invitees' attendance (出席, 迟到, 请假, 缺席) before completion",
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    refusals: [
      'activity-completed',
      'attendance-closed',
      'not-invited',
      'late-entry-closed',
      'late-entry-reason-required',
    ],
    responses: { 200: AttendanceView },
    request: {
      params: activityParams,
      body: z.strictObject({
        entries: z
          .array(
            z.strictObject({
              personId: idParam,
              status: attendanceStatusEnum,
              note: multiLine(500).optional(),
            }),
          )
          .min(1)
          .max(MAX_ENTRIES)
          .meta({
            description: 'One entry per invitee: a person listed twice is a 400 naming the second entry',
          }),
        /** Needed from the 8th day after the activity ended (domain/late-entry.ts). */
        lateEntryReason: lateEntryReason.optional(),
      }),
    },
    handler: async ({ params, body, caller, now }, ctx) => {
      const a = await organisedActivity(ctx, caller, params.activityId);
      const seen = new Set<string>();
      const twice = body.entries.flatMap((e, i) => {
        if (seen.has(e.personId)) return [{ field: `body.entries.${i}.personId`, message: 'Listed twice' }];
        seen.add(e.personId);
        return [];
      });
      if (twice.length) throw validationFailed(twice);
      const strangers = body.entries.map((e) => e.personId).filter((id) => !a.inviteeIds.includes(id));
      if (strangers.length) {
        // Someone not of the branch does not exist here (404); the branch's own people who
        // were not invited are this activity's rule (422).
        await requireInBranch(ctx, a.branchId, { personIds: strangers });
        throw ruleViolation('not-invited', 'Attendance is recorded for invitees only', {
          personIds: strangers,
        });
      }
      unwrap(requireScheduled(a, 'record attendance'));
      const late = unwrap(lateEntry(lateWrite('record', caller, a.endsAt, now, body.lateEntryReason)));
      await commitRetryingConflicts(ctx, (t) => {
        guardAttendance(t, a, late);
        for (const e of body.entries) {
          t.put(
            attendanceItem(a.activityId, {
              personId: e.personId,
              status: e.status,
              ...(e.note ? { note: e.note } : {}),
              recordedAt: toLocalIso(now),
              recordedBy: actorOf(caller),
              via: 'secretary',
            }),
          );
        }
      });
      return ok(await attendanceOf(ctx, a));
    },
  }),

  route('GET /activities/{activityId}/attendance', {
    summary: 'The attendance list of an activity, every invitee with their status, and its rate',
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    responses: { 200: AttendanceView },
    request: { params: activityParams },
    handler: async ({ params, caller }, ctx) =>
      ok(await attendanceOf(ctx, await organisedActivity(ctx, caller, params.activityId))),
  }),
];
