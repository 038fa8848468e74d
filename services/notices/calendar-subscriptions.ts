/**
 * What the calendar feeds learn from other services' events: activities' schedules, moves
 * and cancellations, community's joint events and members' registrations, and resources'
 * study assignments. These consumers are the calendar's own (named `calendar-…`), beside
 * the inbox's: a failure of one never redelivers the other's notices. Each is safe to run
 * twice, late or out of order: an activity's calendar copy is written on the version read
 * and ignores older news, and a person's calendar only ever gains pointers (whether they
 * are still invited is read from the copy with the feed).
 *
 * The pointers' expiry only moves later, and the copy says how far it got: every invitee the
 * copy names has a pointer lasting at least as long as the copy's end asks (the pointers are
 * written before the copy is committed). So a move writes only the pointers that must change:
 * every invitee's when it ends later than the copy, otherwise only those of invitees the copy
 * did not name. A change of room, or a move earlier, with the same people writes none. (A
 * pointer the table's TTL took had an expiry already past, so it would be past for any end
 * not later either.)
 */
import { patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import { ActivityCancelled, ActivityMoved, ActivityScheduled } from '../activities/events.js';
import { JointEventPublished, RegistrationConfirmed } from '../community/events.js';
import { StudyAssigned } from '../resources/events.js';
import {
  type CalendarActivity,
  firstPointersAt,
  getCalendarActivity,
  getCalendarJointEvent,
  pointCalendarAt,
  pointCalendarsAt,
  putCalendarActivity,
  putCalendarJointEvent,
  putCalendarStudies,
} from './store/calendar.js';

const utc = (iso: string) => new Date(iso).toISOString();

/** An activity's time and place as an event tells them (times in UTC, as the copy keeps them). */
const described = (a: {
  activityId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  location?: string | undefined;
}) => ({
  activityId: a.activityId,
  title: a.title,
  startsAt: utc(a.startsAt),
  endsAt: utc(a.endsAt),
  ...(a.location ? { location: a.location } : {}),
});

const pointerTo = (a: Pick<CalendarActivity, 'activityId' | 'endsAt'>) => ({
  kind: 'ACTIVITY' as const,
  id: a.activityId,
  endsAt: new Date(a.endsAt),
});

const endsLater = (a: Pick<CalendarActivity, 'endsAt'>, than: Pick<CalendarActivity, 'endsAt'>) =>
  new Date(a.endsAt).getTime() > new Date(than.endsAt).getTime();

/**
 * The pointers a change of the activity must write, given the copy it was read from (see the
 * module's comment): all of them when it ends later than the copy, else the new invitees'.
 */
const pointersToWrite = (
  held: CalendarActivity | undefined,
  next: Pick<CalendarActivity, 'endsAt'>,
  invitees: string[],
) => {
  if (!held?.inviteeIds || endsLater(next, held)) return invitees;
  const named = new Set(held.inviteeIds);
  return invitees.filter((personId) => !named.has(personId));
};

/** A joint event without a published copy yet is kept this long; the copy, when it comes, tells the rest. */
const REGISTRATION_HORIZON_MS = 400 * 86_400_000;

export const calendarSubscriptions = [
  // The first news of an activity, unless a move (newer) already told the calendar its invitees.
  subscription({
    name: 'calendar-activity-scheduled',
    pattern: patternFor(ActivityScheduled),
    contract: ActivityScheduled,
    handler: async (event, t, ctx) => {
      const a = event.data;
      const held = await getCalendarActivity(ctx, a.activityId);
      if (held?.inviteeIds) {
        // A move named the invitees first. If it ends later than this schedule, and raced an
        // earlier attempt of this delivery, that attempt's puts may have pulled its invitees'
        // pointers back (store/calendar.ts firstPointersAt): they are pushed to its end again.
        if (held.activityVersion !== undefined && endsLater(held, described(a))) {
          const named = new Set(held.inviteeIds);
          await pointCalendarsAt(
            ctx,
            a.inviteeIds.filter((personId) => named.has(personId)),
            pointerTo(held),
          );
        }
        return;
      }
      // A cancellation that came first keeps its status, reason and time: it is the newer news.
      const next: Omit<CalendarActivity, 'version'> = held
        ? { ...held, inviteeIds: a.inviteeIds, sequence: held.sequence + 1, updatedAt: utc(event.occurredAt) }
        : {
            ...described(a),
            status: 'scheduled',
            inviteeIds: a.inviteeIds,
            sequence: 0,
            updatedAt: utc(event.occurredAt),
          };
      await firstPointersAt(ctx, a.inviteeIds, pointerTo(next));
      putCalendarActivity(t, next, held);
    },
  }),

  // A new time or place, with the invitees as they now stand; a move older than the one held is ignored.
  subscription({
    name: 'calendar-activity-moved',
    pattern: patternFor(ActivityMoved),
    contract: ActivityMoved,
    handler: async (event, t, ctx) => {
      const a = event.data;
      const held = await getCalendarActivity(ctx, a.activityId);
      if (held?.activityVersion !== undefined && held.activityVersion >= a.version) return;
      const updatedAt = utc(event.occurredAt);
      let next: Omit<CalendarActivity, 'version'>;
      if (held?.status === 'cancelled') {
        // Cancelled stays cancelled; the move only tells who was invited, if nothing had.
        if (held.inviteeIds) return;
        next = { ...held, inviteeIds: a.inviteeIds, sequence: held.sequence + 1, updatedAt };
      } else {
        next = {
          ...described(a),
          status: 'scheduled',
          inviteeIds: a.inviteeIds,
          activityVersion: a.version,
          sequence: held ? held.sequence + 1 : 0,
          updatedAt,
        };
      }
      await pointCalendarsAt(ctx, pointersToWrite(held, next, a.inviteeIds), pointerTo(next));
      putCalendarActivity(t, next, held);
    },
  }),

  // Cancelled: the entry stays, marked so (STATUS:CANCELLED) with a higher SEQUENCE.
  subscription({
    name: 'calendar-activity-cancelled',
    pattern: patternFor(ActivityCancelled),
    contract: ActivityCancelled,
    handler: async (event, t, ctx) => {
      const a = event.data;
      const held = await getCalendarActivity(ctx, a.activityId);
      if (held?.status === 'cancelled') return;
      const next: Omit<CalendarActivity, 'version'> = {
        ...(held ?? described(a)),
        status: 'cancelled',
        reason: a.reason,
        sequence: held ? held.sequence + 1 : 0,
        updatedAt: utc(event.occurredAt),
      };
      putCalendarActivity(t, next, held);
    },
  }),

  // A published joint event's time and place, for those who register.
  subscription({
    name: 'calendar-joint-event-published',
    pattern: patternFor(JointEventPublished),
    contract: JointEventPublished,
    handler: async (event, _t, ctx) => {
      const e = event.data;
      await putCalendarJointEvent(ctx, {
        jointEventId: e.jointEventId,
        title: e.title,
        startsAt: utc(e.startsAt),
        endsAt: utc(e.endsAt),
        location: e.location,
        updatedAt: utc(event.occurredAt),
      });
    },
  }),

  // A member's confirmed place (a partner's registration reaches no person's calendar).
  subscription({
    name: 'calendar-registration-confirmed',
    pattern: patternFor(RegistrationConfirmed),
    contract: RegistrationConfirmed,
    handler: async (event, _t, ctx) => {
      const { registrant, jointEventId } = event.data;
      if (registrant.kind !== 'member') return;
      const published = await getCalendarJointEvent(ctx, jointEventId);
      const endsAt = published
        ? new Date(published.endsAt)
        : new Date(new Date(event.occurredAt).getTime() + REGISTRATION_HORIZON_MS);
      await pointCalendarAt(ctx, registrant.personId, { kind: 'JOINTEVENT', id: jointEventId, endsAt });
    },
  }),

  // A due date in each assignee's calendar, as a whole day.
  subscription({
    name: 'calendar-study-assigned',
    pattern: patternFor(StudyAssigned),
    contract: StudyAssigned,
    handler: async (event, _t, ctx) => {
      const s = event.data;
      const study = {
        assignmentId: s.assignmentId,
        resourceId: s.resourceId,
        title: s.title,
        dueOn: s.dueOn,
        updatedAt: utc(event.occurredAt),
      };
      await putCalendarStudies(ctx, s.personIds, study);
    },
  }),
];
