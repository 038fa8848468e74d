/**
 * The joint event's own rules: its schedule, what each status allows, the registration and
 * cancellation windows, how places are allocated and the waitlist promoted, who took part.
 * Pure: "now" is a parameter, and a refusal is a value (a Result), never thrown.
 */
import {
  accept,
  conflict,
  type Result,
  refuse,
  ruleViolation,
  validationFailed,
} from '../../../shared/errors.js';
import { localDate } from '../../../shared/time.js';

export const jointEventStatuses = ['draft', 'published', 'cancelled', 'completed'] as const;
export type JointEventStatus = (typeof jointEventStatuses)[number];

export interface Schedule {
  startsAt: string;
  endsAt: string;
  registrationOpensAt: string;
  registrationClosesAt: string;
}

const t = (iso: string) => Date.parse(iso);

/** Times must make sense together: the registration window opens, closes, then the event runs. */
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
const LATEST = Date.parse('2100-01-01T00:00:00Z');

export const validateSchedule = <S extends Schedule>(s: S, where = 'body'): Result<S> => {
  const issues: { field: string; message: string }[] = [];
  // Far-off years are typing mistakes, and would not survive the trip through local time.
  for (const field of ['registrationOpensAt', 'registrationClosesAt', 'startsAt', 'endsAt'] as const) {
    const value = s[field];
    if (!(t(value) >= EARLIEST && t(value) < LATEST)) {
      issues.push({ field: `${where}.${field}`, message: 'Must be in the years 2000 to 2099' });
    }
  }
  if (issues.length > 0) return refuse(validationFailed(issues, 'The event times are out of range'));
  if (t(s.endsAt) <= t(s.startsAt))
    issues.push({ field: `${where}.endsAt`, message: 'Must be after startsAt' });
  if (t(s.registrationClosesAt) > t(s.startsAt)) {
    issues.push({ field: `${where}.registrationClosesAt`, message: 'Must not be after startsAt' });
  }
  if (t(s.registrationOpensAt) >= t(s.registrationClosesAt)) {
    issues.push({ field: `${where}.registrationOpensAt`, message: 'Must be before registrationClosesAt' });
  }
  if (issues.length > 0) return refuse(validationFailed(issues, 'The event times do not fit together'));
  return accept(s);
};

/** A quota larger than the capacity is a mistake, not a generous setting. */
export const validateQuota = (
  capacity: number,
  partnerQuota: number | undefined,
  where = 'body',
): Result<number | undefined> =>
  partnerQuota !== undefined && partnerQuota > capacity
    ? refuse(validationFailed([{ field: `${where}.partnerQuota`, message: 'Must not exceed capacity' }]))
    : accept(partnerQuota);

export const requireStatus = (
  status: JointEventStatus,
  allowed: readonly JointEventStatus[],
  action: string,
): Result<JointEventStatus> =>
  allowed.includes(status)
    ? accept(status)
    : refuse(conflict('event-status-conflict', `A ${status} event cannot be ${action}`, { status }));

export const requireRegistrationOpen = <S extends Schedule>(s: S, now: Date): Result<S> => {
  if (now.getTime() < t(s.registrationOpensAt)) {
    return refuse(
      ruleViolation('registration-not-open', 'Registration has not opened yet', {
        registrationOpensAt: s.registrationOpensAt,
      }),
    );
  }
  if (now.getTime() >= t(s.registrationClosesAt)) {
    return refuse(
      ruleViolation('registration-closed', 'Registration has closed', {
        registrationClosesAt: s.registrationClosesAt,
      }),
    );
  }
  return accept(s);
};

/** Publishing an event whose registration window has already closed would invite no one. */
export const requireRegistrationAhead = <S extends Schedule>(s: S, now: Date): Result<S> =>
  t(s.registrationClosesAt) <= now.getTime()
    ? refuse(ruleViolation('registration-window-past', 'The registration window has already closed'))
    : accept(s);

export const CANCELLATION_DEADLINE_HOURS = 24;

/** A registration can be withdrawn until 24 hours before the start; later the places are planned. */
export const requireCancellable = <S extends Schedule>(s: S, now: Date): Result<S> =>
  now.getTime() > t(s.startsAt) - CANCELLATION_DEADLINE_HOURS * 3_600_000
    ? refuse(
        ruleViolation(
          'cancellation-deadline-passed',
          `Registrations can be cancelled only until ${CANCELLATION_DEADLINE_HOURS} hours before the start`,
        ),
      )
    : accept(s);

/**
 * What a member's departure (组织关系转出, end of membership) does to one of their registrations,
 * as of when it was recorded: a place in a published event still to start is given up, whatever
 * the cancellation deadline (the deadline guards the registrant's own late change of mind, and a
 * departure is no choice of theirs), so the waitlist moves up. A registration already cancelled or
 * checked in, or of an event that started, ended or was cancelled, stays as it is: history.
 */
export const withdrawnByDeparture = (
  event: Pick<Schedule, 'startsAt'> & { status: JointEventStatus },
  registration: { status: 'active' | 'cancelled'; checkedInAt?: string | undefined },
  departedAt: Date,
): boolean =>
  event.status === 'published' &&
  departedAt.getTime() < t(event.startsAt) &&
  registration.status === 'active' &&
  registration.checkedInAt === undefined;

/** Check-in happens on the event's own (Asia/Shanghai) day. */
export const requireEventDay = <S extends Schedule>(s: S, now: Date): Result<S> =>
  localDate(now) === localDate(new Date(s.startsAt))
    ? accept(s)
    : refuse(ruleViolation('not-event-day', 'Check-in is possible only on the day of the event'));

export const requireStarted = <S extends Schedule>(s: S, now: Date): Result<S> =>
  now.getTime() < t(s.startsAt)
    ? refuse(ruleViolation('event-not-started', 'An event can be completed only once it has started'))
    : accept(s);

/** Volunteering hours credited for taking part: the event's duration, to the nearest half hour. */
export const creditedHours = (s: Pick<Schedule, 'startsAt' | 'endsAt'>): number =>
  Math.round(((t(s.endsAt) - t(s.startsAt)) / 3_600_000) * 2) / 2;

export interface PlaceCounts {
  capacity: number;
  confirmed: number;
  /** Undefined: no per-partner limit (and always for members). */
  quota?: number | undefined;
  confirmedForPartner: number;
}

/** How many of a request's participants get a place now, in order; the rest wait. */
export const allocatePlaces = (requested: number, c: PlaceCounts): { confirm: number; wait: number } => {
  const free = Math.max(0, c.capacity - c.confirmed);
  const quotaFree = c.quota === undefined ? free : Math.max(0, c.quota - c.confirmedForPartner);
  const confirm = Math.min(requested, free, quotaFree);
  return { confirm, wait: requested - confirm };
};

export interface WaitingPlace {
  position: number;
  registrationId: string;
  participantIndex: number;
  /** Set for a partner's participant: the quota applies. */
  partnerId?: string | undefined;
}

/**
 * Who moves up when places free: the waitlist in its order, skipping anyone whose
 * partner has reached its quota (they keep their position for a later opening).
 */
export const planPromotions = (
  waitlist: readonly WaitingPlace[],
  freePlaces: number,
  quota: number | undefined,
  confirmedForPartner: (partnerId: string) => number,
): WaitingPlace[] => {
  const promoted: WaitingPlace[] = [];
  const used = new Map<string, number>();
  let free = freePlaces;
  for (const place of waitlist) {
    if (free <= 0) break;
    if (place.partnerId !== undefined && quota !== undefined) {
      const already = used.get(place.partnerId) ?? confirmedForPartner(place.partnerId);
      if (already >= quota) continue;
      used.set(place.partnerId, already + 1);
    }
    promoted.push(place);
    free--;
  }
  return promoted;
};

/** What the completion rules need to know of a registration. */
export interface Attendance {
  status: 'active' | 'cancelled';
  checkedInAt?: string | undefined;
  registrant: { kind: 'member'; personId: string } | { kind: 'partner'; partnerId: string };
  participants: readonly { status: 'confirmed' | 'waitlisted' | 'cancelled' }[];
}

/** Only an active registration holding a confirmed place checks in, and only once. */
export const requireCheckIn = <R extends Attendance>(r: R): Result<R> => {
  if (r.status !== 'active' || !r.participants.some((p) => p.status === 'confirmed')) {
    return refuse(
      ruleViolation('no-confirmed-place', 'Only a registration with a confirmed place can check in'),
    );
  }
  if (r.checkedInAt) return refuse(conflict('already-checked-in', 'Already checked in'));
  return accept(r);
};

/**
 * Who took part in a completed event: every checked-in member holding a place, credited with
 * `hours`, and the number of partners' confirmed participants on checked-in registrations.
 */
export const participation = (registrations: readonly Attendance[], hours: number) => {
  const present = registrations.filter((r) => r.status === 'active' && r.checkedInAt !== undefined);
  const members = present.flatMap((r) =>
    r.registrant.kind === 'member' && r.participants.some((p) => p.status === 'confirmed')
      ? [{ personId: r.registrant.personId, hours }]
      : [],
  );
  const partnerParticipants = present
    .filter((r) => r.registrant.kind === 'partner')
    .reduce((n, r) => n + r.participants.filter((p) => p.status === 'confirmed').length, 0);
  return { members, partnerParticipants };
};

/** Where a registration stands for its registrant (我的报名): one word for the agenda. */
export const registrationStates = ['registered', 'waitlisted', 'cancelled', 'checked-in'] as const;
export type RegistrationState = (typeof registrationStates)[number];

/** Cancelled wins, then a check-in; a registration with no confirmed place is still waiting. */
export const registrationState = (r: Attendance): RegistrationState => {
  if (r.status === 'cancelled') return 'cancelled';
  if (r.checkedInAt !== undefined) return 'checked-in';
  return r.participants.some((p) => p.status === 'confirmed') ? 'registered' : 'waitlisted';
};

/**
 * Who goes on the sign-in sheet (签到表) printed for the door: everyone holding a place, then
 * the waitlist (候补, who may still be let in), each in arrival order. A cancelled place
 * comes to no door.
 */
export const signInOrder = <R extends { participant: { status: string; position: number } }>(
  rows: readonly R[],
): R[] => {
  const rank = (r: R) => (r.participant.status === 'confirmed' ? 0 : 1);
  return rows
    .filter((r) => r.participant.status !== 'cancelled')
    .sort((a, b) => rank(a) - rank(b) || a.participant.position - b.participant.position);
};
