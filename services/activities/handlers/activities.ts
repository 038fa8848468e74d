/** Scheduling, listing, changing, cancelling and completing activities. */
import { randomInt } from 'node:crypto';
import * as z from 'zod';
import { actorOf, type Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import {
  conflict,
  DomainError,
  notFound,
  ruleViolation,
  unwrap,
  validationFailed,
} from '../../../shared/errors.js';
import { accountScope, createOnce, type Once } from '../../../shared/http/idempotent.js';
import { pageOf, pageQuery, pageView } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, multiLine, singleLine, versionField } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { retryOnConflict } from '../../../shared/store/retry.js';
import { versionConflict } from '../../../shared/store/version.js';
import { localDate, toLocalIso } from '../../../shared/time.js';
import { branchMembers } from '../../talent/roster.js';
import {
  type Activity,
  checkCompletion,
  checkWindow,
  listingScope,
  newCheckInCode,
  organises,
  requireScheduled,
} from '../domain/activity.js';
import { finalStatus, roll, tally } from '../domain/attendance.js';
import type { Booking } from '../domain/booking.js';
import { lateEntry } from '../domain/late-entry.js';
import { withApprovedLeave } from '../domain/leave.js';
import {
  ActivityCancelled,
  ActivityCompleted,
  ActivityMoved,
  ActivityScheduled,
  ATTENDANCE_GROUP,
  AttendanceRecorded,
} from '../events.js';
import { attendanceWithLeave } from '../store/leave.js';
import {
  ALREADY_FINAL,
  activityItem,
  bookingKey,
  closeAttendance,
  commitWithBooking,
  finalisedInvitees,
  finalOnce,
  getActivity,
  knownBranchItem,
  listActivities,
  participationItem,
  putCompleted,
  recordedStatuses,
  rosterReader,
  stillScheduled,
  transaction,
} from '../store.js';
import { ActivityView, activityStatusEnum, activityTypeEnum, activityView } from '../views.js';
import { agendaAfterCommit } from './agenda.js';
import {
  activityRef,
  branchOrganisers,
  branchPeople,
  instant,
  lateEntryReason,
  lateWrite,
  organisedActivity,
  requireInBranch,
  visibleActivity,
} from './common.js';

const MAX_INVITEES = 1000;
const personIds = z.array(idParam).max(MAX_INVITEES);
const activityParams = z.strictObject({ activityId: idParam });

const createFields = {
  branchId: idParam,
  title: singleLine(200).meta({ example: '第四季度支部党员大会' }),
  agenda: multiLine(5000)
    .optional()
    .meta({ example: '一、学习党的二十届三中全会精神；二、讨论发展党员事宜' }),
  startsAt: instant.meta({ example: '2026-12-18T14:30:00+08:00' }),
  endsAt: instant.meta({ example: '2026-12-18T16:30:00+08:00' }),
  roomId: idParam.optional(),
  location: singleLine(200).optional().meta({ example: '行政楼三层党员活动室' }),
  inviteeIds: personIds.optional(),
  /** Why it is recorded after the fact: needed once its end is past (domain/late-entry.ts). */
  lateEntryReason: lateEntryReason.optional(),
};

/** A party-group meeting (党小组会) names its party group; no other activity belongs to one. */
const createBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('party-group-meeting'), partyGroupId: idParam, ...createFields }),
  z.strictObject({
    type: activityTypeEnum
      .exclude(['party-group-meeting'])
      .meta({ description: 'Any other type of activity' }),
    ...createFields,
  }),
]);

const patchBody = z.strictObject({
  version: versionField,
  title: singleLine(200).optional(),
  agenda: multiLine(5000).optional(),
  startsAt: instant.optional(),
  endsAt: instant.optional(),
  /** null releases the room. */
  roomId: idParam.nullable().optional(),
  location: singleLine(200).nullable().optional(),
  inviteeIds: personIds.optional(),
  /** Needed when the change moves the end into the past. */
  lateEntryReason: lateEntryReason.optional(),
});

const listQuery = z.strictObject({
  ...pageQuery,
  branchId: idParam
    .optional()
    .meta({ description: 'Left out: every branch for the committee, their own for anyone else' }),
  type: activityTypeEnum.optional(),
  status: activityStatusEnum.optional(),
  from: instant.optional(),
  to: instant.optional(),
});

const utc = (iso: string) => new Date(iso).toISOString();
const unique = (ids: readonly string[]) => [...new Set(ids)];

const bookingOf = (a: Activity): Booking | undefined =>
  a.roomId
    ? { roomId: a.roomId, activityId: a.activityId, startsAt: a.startsAt, endsAt: a.endsAt }
    : undefined;

const fitsRoom = (invitees: number, room: { capacity: number; name: string } | undefined) => {
  if (room && invitees > room.capacity) {
    throw ruleViolation('room-too-small', `${room.name} seats ${room.capacity}; ${invitees} are invited`);
  }
};

/**
 * Invitees whose final statuses commit together, with the one AttendanceRecorded that names
 * them: a group's participation items and its event are one transaction (26 items, well
 * inside 100). A 40-member branch meeting completes in 2 commits and 2 events, not 40.
 */
const FINAL_GROUP = ATTENDANCE_GROUP;

/**
 * The invitees' final statuses, each written once and published in its group's
 * AttendanceRecorded. Runs after the completion commit (an activity may have more invitees
 * than one transaction holds). Those already final are read first and left out, so the
 * second pass (the subscription on ActivityCompleted, or a retry of the handler) writes
 * only what is missing. Each participation item is created only if absent: a group that
 * meets one written meanwhile (the other pass running beside this one) is sent again one
 * invitee at a time, and the one already final is skipped, so nobody is published twice
 * and a crash in between loses nothing: the subscription finishes the job.
 */
export const finaliseAttendance = async (
  ctx: ServiceContext,
  a: Activity,
  /** The attendance and leave the completing request read once attendance was closed: frozen since. */
  frozen?: Awaited<ReturnType<typeof attendanceWithLeave>>,
): Promise<void> => {
  const [{ records, onLeave }, finalised] = await Promise.all([
    frozen ?? attendanceWithLeave(ctx, a.activityId),
    finalisedInvitees(ctx, a),
  ]);
  const missing = roll(a.inviteeIds, withApprovedLeave(recordedStatuses(records), onLeave))
    .filter((r) => !finalised.has(r.personId))
    .map((r) => [r.personId, finalStatus(r.status)] as const);
  if (missing.length === 0) return;
  const occurredAt = new Date(a.completedAt ?? Date.now());
  const write = (group: readonly (readonly [string, ReturnType<typeof finalStatus>])[]) =>
    retryOnConflict(
      async () => {
        const t = transaction(ctx);
        for (const [personId, status] of group) t.put(participationItem(a, personId, status), finalOnce);
        t.publish(
          AttendanceRecorded,
          { ...activityRef(a), attendees: group.map(([personId, status]) => ({ personId, status })) },
          { key: a.activityId, occurredAt },
        );
        await t.commit();
      },
      { attempts: 6 },
    );
  const alreadyFinal = (error: unknown) => error instanceof DomainError && error.code === ALREADY_FINAL;
  const one = async (entry: readonly [string, ReturnType<typeof finalStatus>]) => {
    try {
      await write([entry]);
    } catch (error) {
      if (!alreadyFinal(error)) throw error;
    }
  };
  const groups: (typeof missing)[] = [];
  for (let i = 0; i < missing.length; i += FINAL_GROUP) groups.push(missing.slice(i, i + FINAL_GROUP));
  const queue = [...groups];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      try {
        await write(group);
      } catch (error) {
        if (!alreadyFinal(error)) throw error;
        if (group.length > 1) for (const entry of group) await one(entry);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, groups.length) }, worker));
};

/** What scheduling one activity takes: the body of `POST /activities`, or one branch's part of a campaign. */
export type ScheduleInput = z.output<typeof createBody>;

/**
 * Everything decided before an activity is written, the same for one scheduled alone and for
 * each branch's of a campaign (统一部署): the window, the late-entry rule, the people and the
 * party group named (of the branch), and the invitees (the branch's party members by default).
 */
export const prepareActivity = async (
  ctx: ServiceContext,
  caller: Caller,
  body: ScheduleInput,
  now: Date,
  ids: { activityId: string; campaignId?: string },
): Promise<Activity> => {
  const partyGroupId = body.type === 'party-group-meeting' ? body.partyGroupId : undefined;
  const window = unwrap(checkWindow(body.startsAt, body.endsAt));
  const late = unwrap(lateEntry(lateWrite('create', caller, window.endsAt, now, body.lateEntryReason)));
  await requireInBranch(ctx, body.branchId, {
    ...(body.inviteeIds ? { personIds: body.inviteeIds } : {}),
    partyGroupId,
  });
  const inviteeIds = unique(
    body.inviteeIds ??
      (await branchMembers(rosterReader(ctx), body.branchId, partyGroupId)).map((p) => p.personId),
  );
  return {
    activityId: ids.activityId,
    branchId: body.branchId,
    type: body.type,
    ...(partyGroupId ? { partyGroupId } : {}),
    title: body.title,
    ...(body.agenda ? { agenda: body.agenda } : {}),
    ...window,
    ...(body.roomId ? { roomId: body.roomId } : {}),
    ...(body.location ? { location: body.location } : {}),
    inviteeIds,
    status: 'scheduled',
    checkInCode: newCheckInCode(randomInt),
    version: 1,
    createdBy: actorOf(caller),
    createdAt: toLocalIso(now),
    ...(late ? { recordedLate: late } : {}),
    ...(ids.campaignId ? { campaignId: ids.campaignId } : {}),
  };
};

/**
 * Writes a prepared activity in one transaction: the activity (created only if absent), its
 * room's booking, its branch as known and ActivityScheduled, which invites the invitees. A
 * create with an Idempotency-Key adds its claim and commits through `once`.
 */
export const scheduleActivity = async (
  ctx: ServiceContext,
  activity: Activity,
  now: Date,
  once?: Partial<Once>,
): Promise<void> => {
  await commitWithBooking(
    ctx,
    bookingOf(activity),
    (t, room) => {
      once?.claim?.(t);
      fitsRoom(activity.inviteeIds.length, room);
      t.create(activityItem(activity), () => conflict('activity-exists', 'The activity already exists'));
      t.put(knownBranchItem(activity.branchId));
      t.publish(
        ActivityScheduled,
        {
          ...activityRef(activity),
          ...(activity.roomId ? { roomId: activity.roomId } : {}),
          ...(activity.location ? { location: activity.location } : {}),
          inviteeIds: activity.inviteeIds,
        },
        { key: activity.activityId, occurredAt: now },
      );
    },
    once?.commit,
  );
  // The invitees' agenda entries cannot share the activity's transaction (up to 1,000 of them).
  await agendaAfterCommit(ctx, activity);
};

export const activityRoutes = [
  route('POST /activities', {
    summary:
      'Schedule an activity (三会一课 or another party activity), booking its room. A repeat with the same Idempotency-Key answers 201 with the activity as it stands now',
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    refusals: [
      'activity-exists',
      'room-booked',
      'room-busy',
      'room-not-found',
      'room-too-small',
      'ends-before-start',
      'too-long',
      'late-entry-closed',
      'late-entry-reason-required',
    ],
    responses: { 201: ActivityView },
    request: { body: createBody },
    idempotent: true,
    handler: async (request, ctx) => {
      const { body, caller, now } = request;
      // A branch the caller does not act for does not exist for them.
      if (!organises(caller, body.branchId)) throw notFound('Branch');
      const activity = await prepareActivity(ctx, caller, body, now, { activityId: newId() });
      return createOnce(ctx, request, {
        scope: accountScope('activity', caller),
        entityId: activity.activityId,
        replay: async (activityId) =>
          created(
            activityView(await organisedActivity(ctx, caller, activityId), caller),
            `/activities/${activityId}`,
          ),
        create: async (once) => {
          await scheduleActivity(ctx, activity, now, once);
          return created(activityView(activity, caller), `/activities/${activity.activityId}`);
        },
      });
    },
  }),

  route('GET /activities', {
    summary: "List activities by start: a branch's, or every branch's for the committee",
    description:
      'Without `branchId`, the committee gets every branch’s activities; a secretary or member gets their own branch’s (404 for an account of no branch). With `branchId`, the committee may name any branch, anyone else only their own (404 otherwise). Either way the same filters, the same order (by `startsAt`, then id) and the same paging.',
    access: ['committee', 'secretary', 'member'],
    outcomes: branchPeople,
    responses: { 200: pageOf(ActivityView) },
    request: { query: listQuery },
    handler: async ({ query, caller }, ctx) => {
      const branchId = unwrap(listingScope(caller, query.branchId));
      if (query.from && query.to && Date.parse(query.to) <= Date.parse(query.from)) {
        throw validationFailed([{ field: 'query.to', message: 'Must be after from' }]);
      }
      const page = await listActivities(ctx, {
        ...(branchId === undefined ? {} : { branchId }),
        ...(query.from ? { from: utc(query.from) } : {}),
        ...(query.to ? { to: utc(query.to) } : {}),
        ...(query.type ? { type: query.type } : {}),
        ...(query.status ? { status: query.status } : {}),
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return ok(pageView(page, (a) => activityView(a, caller)));
    },
  }),

  route('GET /activities/{activityId}', {
    summary: 'Read one activity (its check-in code only for its organisers)',
    access: ['committee', 'secretary', 'member'],
    outcomes: branchPeople,
    responses: { 200: ActivityView },
    request: { params: activityParams },
    handler: async ({ params, caller }, ctx) =>
      ok(activityView(await visibleActivity(ctx, caller, params.activityId), caller)),
  }),

  route('PATCH /activities/{activityId}', {
    summary: 'Change a scheduled activity (time, room, invitees…), given the version read',
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    refusals: [
      'version-conflict',
      'activity-cancelled',
      'room-booked',
      'room-busy',
      'too-long',
      'late-entry-reason-required',
    ],
    responses: { 200: ActivityView },
    request: { params: activityParams, body: patchBody },
    handler: async ({ params, body, caller, now }, ctx) => {
      const current = await organisedActivity(ctx, caller, params.activityId);
      unwrap(requireScheduled(current, 'change it'));
      if (current.version !== body.version) {
        throw versionConflict('The activity', { version: current.version });
      }
      const window = unwrap(checkWindow(body.startsAt ?? current.startsAt, body.endsAt ?? current.endsAt));
      if (body.inviteeIds) await requireInBranch(ctx, current.branchId, { personIds: body.inviteeIds });
      // Moving the end into the past records the activity after the fact, as scheduling it would.
      const late =
        body.startsAt === undefined && body.endsAt === undefined
          ? undefined
          : unwrap(lateEntry(lateWrite('create', caller, window.endsAt, now, body.lateEntryReason)));
      const next: Activity = { ...current, ...window, version: current.version + 1 };
      if (late && !current.recordedLate) next.recordedLate = late;
      if (body.title !== undefined) next.title = body.title;
      if (body.agenda !== undefined) next.agenda = body.agenda;
      if (body.inviteeIds !== undefined) next.inviteeIds = unique(body.inviteeIds);
      if (body.roomId === null) delete next.roomId;
      else if (body.roomId !== undefined) next.roomId = body.roomId;
      if (body.location === null) delete next.location;
      else if (body.location !== undefined) next.location = body.location;

      const before = bookingOf(current);
      const after = bookingOf(next);
      const moved =
        before?.roomId !== after?.roomId ||
        before?.startsAt !== after?.startsAt ||
        before?.endsAt !== after?.endsAt;
      const sameKey =
        before &&
        after &&
        bookingKey(before).pk === bookingKey(after).pk &&
        bookingKey(before).sk === bookingKey(after).sk;
      await commitWithBooking(ctx, moved ? after : undefined, (t, room) => {
        fitsRoom(next.inviteeIds.length, room);
        t.put(activityItem(next), stillScheduled(body.version));
        // The old booking goes; a new one (re-checked for overlaps) takes its place.
        if (moved && before && !sameKey) t.delete(bookingKey(before));
        // The invitees are told of a new time or place (notices), not of a new title.
        const movedOn =
          current.startsAt !== next.startsAt ||
          current.endsAt !== next.endsAt ||
          current.roomId !== next.roomId ||
          current.location !== next.location;
        if (movedOn) {
          t.publish(
            ActivityMoved,
            {
              ...activityRef(next),
              ...(next.roomId ? { roomId: next.roomId } : {}),
              ...(next.location ? { location: next.location } : {}),
              inviteeIds: next.inviteeIds,
              version: next.version,
              previous: {
                startsAt: current.startsAt,
                endsAt: current.endsAt,
                ...(current.roomId ? { roomId: current.roomId } : {}),
                ...(current.location ? { location: current.location } : {}),
              },
            },
            { key: next.activityId, occurredAt: now },
          );
        }
      });
      await agendaAfterCommit(ctx, next, current);
      return ok(activityView(next, caller));
    },
  }),

  route('POST /activities/{activityId}/cancel', {
    summary: 'Cancel a scheduled activity with a reason, freeing its room',
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    refusals: ['activity-cancelled', 'activity-completing'],
    responses: { 200: ActivityView },
    request: {
      params: activityParams,
      body: z.strictObject({ reason: multiLine(1000).meta({ example: '因防汛工作推迟召开' }) }),
    },
    handler: async ({ params, body, caller, now }, ctx) => {
      const current = await organisedActivity(ctx, caller, params.activityId);
      unwrap(requireScheduled(current, 'cancel it'));
      const next: Activity = {
        ...current,
        status: 'cancelled',
        cancelReason: body.reason,
        cancelledAt: toLocalIso(now),
        version: current.version + 1,
      };
      const t = transaction(ctx);
      t.put(activityItem(next), stillScheduled(current.version));
      // Cancelling frees the room.
      const booking = bookingOf(current);
      if (booking) t.delete(bookingKey(booking));
      t.publish(
        ActivityCancelled,
        { ...activityRef(next), reason: body.reason },
        { key: next.activityId, occurredAt: now },
      );
      await t.commit();
      await agendaAfterCommit(ctx, next, current);
      return ok(activityView(next, caller));
    },
  }),

  route('POST /activities/{activityId}/complete', {
    summary: 'Complete an activity with its minutes (会议记录) and resolutions, fixing attendance',
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    refusals: [
      'activity-cancelled',
      'activity-completed',
      'activity-not-started',
      'late-entry-closed',
      'late-entry-reason-required',
    ],
    responses: { 200: ActivityView },
    request: {
      params: activityParams,
      body: z.strictObject({
        minutes: multiLine(20_000).meta({ example: '应到党员12名，实到11名，1名请假。会议传达学习了……' }),
        resolutions: z
          .array(multiLine(2000))
          .max(50)
          .optional()
          .meta({ example: ['同意接收李明同志为预备党员'] }),
        /** Needed from the 8th day after the activity ended (domain/late-entry.ts). */
        lateEntryReason: lateEntryReason.optional(),
      }),
    },
    handler: async ({ params, body, caller, now }, ctx) => {
      const current = await organisedActivity(ctx, caller, params.activityId);
      unwrap(checkCompletion(current, now));
      const late = unwrap(lateEntry(lateWrite('record', caller, current.endsAt, now, body.lateEntryReason)));
      // Step 1: close attendance, so check-ins and corrections stop before the tally is taken.
      // A retry of an interrupted completion finds it closed already and goes on.
      if (!current.attendanceClosed) {
        await closeAttendance(transaction(ctx), current).commit();
      }
      // Step 2: the tally of the now frozen attendance, the new state and ActivityCompleted, at once.
      // Approved leave (请假) makes the unrecorded excused; what was recorded stands.
      const frozen = await attendanceWithLeave(ctx, current.activityId);
      const { records, onLeave } = frozen;
      const final = roll(current.inviteeIds, withApprovedLeave(recordedStatuses(records), onLeave)).map((r) =>
        finalStatus(r.status),
      );
      const { unknown: _none, attendanceRate, ...counts } = tally(final);
      const next: Activity = {
        ...current,
        status: 'completed',
        minutes: body.minutes,
        resolutions: body.resolutions ?? [],
        completedAt: toLocalIso(now),
        version: current.version + 1,
        attendance: { ...counts, attendanceRate },
      };
      if (late && !current.recordedLate) next.recordedLate = late;
      delete next.attendanceClosed;
      const t = putCompleted(transaction(ctx), next, current.version);
      t.publish(
        ActivityCompleted,
        {
          ...activityRef(next),
          heldOn: localDate(new Date(next.startsAt)),
          resolutions: next.resolutions ?? [],
          attendance: counts,
        },
        { key: next.activityId, occurredAt: now },
      );
      await t.commit();
      try {
        await finaliseAttendance(ctx, next, frozen);
      } catch (error) {
        // The completion stands; the subscription on ActivityCompleted finishes what is left.
        ctx.log.warn('attendance left to the completion subscription', {
          activityId: next.activityId,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
      return ok(activityView(next, caller));
    },
  }),
];

/**
 * After its ActivityCompleted event: finishes any attendance left. The completing request has
 * nearly always published everyone's, so the final records are counted first (one Query) against
 * the invitees the event counted; only when some are missing is the activity read and finished.
 */
export const finishCompletion = async (
  ctx: ServiceContext,
  completed: Pick<Activity, 'activityId' | 'branchId' | 'startsAt'> & { invited: number },
) => {
  if ((await finalisedInvitees(ctx, completed)).size >= completed.invited) return;
  const a = await getActivity(ctx, completed.activityId);
  if (a?.status === 'completed') await finaliseAttendance(ctx, a);
};
