/**
 * Places: the conditions that keep an event's capacity, each partner's quota and the
 * waitlist true under any concurrency (handlers/places.ts decides and retries). The
 * counters live on the event item (`confirmed`) and per-partner quota items
 * (`confirmedForPartner`); every write is conditioned on the values it was decided on.
 * The access patterns are listed in ../store.ts.
 */
import { conflict } from '../../../shared/errors.js';
import type { Condition, Transaction } from '../../../shared/store/transaction.js';
import { expectVersion, versionBump } from '../../../shared/store/version.js';
import {
  type JointEventItem,
  keys,
  ownRegistrations,
  type Participant,
  type RegistrationItem,
} from '../store.js';
import { registrantIndex } from './me.js';

/** A lost race for the places: read again and decide again (never shown to a caller as such). */
export const placesChanged = () => conflict('places-changed', 'The places changed meanwhile');

/**
 * The event's counter as read: `exact`, the very value seen; otherwise room left for
 * `confirm` more (DynamoDB conditions cannot add, so the limit is computed).
 */
const eventPlaces = (event: JointEventItem, exact: boolean, confirm: number) => ({
  condition: exact
    ? '#status = :published AND #confirmed = :seen'
    : '#status = :published AND #confirmed <= :limit',
  names: { '#status': 'status', '#confirmed': 'confirmed' },
  values: {
    ':published': 'published',
    ...(exact ? { ':seen': event.confirmed } : { ':limit': event.capacity - confirm }),
  },
  onConditionFailed: placesChanged,
});

/** A registration changed by another placement or cancellation: decided again, not a version conflict. */
const registrationAsRead = (registration: Pick<RegistrationItem, 'version'>): Condition =>
  expectVersion(registration.version, 'The registration', { onConditionFailed: placesChanged });

const confirmedForPartnerName = { '#cfp': 'confirmedForPartner' };

/** The partner's counter is the value seen (absent counts as 0). */
const partnerPlacesSeen = (seen: number) => ({
  condition: seen === 0 ? 'attribute_not_exists(#cfp) OR #cfp = :seen' : '#cfp = :seen',
  names: confirmedForPartnerName,
  values: { ':seen': seen },
  onConditionFailed: placesChanged,
});

/**
 * A new registration as placed: the member's one registration, the registration, its
 * participants' phones (apart, for PIPL), and a waitlist entry per waiting participant.
 */
export const addRegistration = (
  t: Transaction,
  registration: RegistrationItem,
  phones: readonly (string | null)[],
  eventStartsAt: string,
): Transaction => {
  const { jointEventId: eventId, registrationId, registrant } = registration;
  if (registrant.kind === 'member') {
    t.create(
      { ...keys.member(eventId, registrant.personId), type: 'member-registration', registrationId },
      () => conflict('already-registered', 'You are already registered for this event'),
    );
  }
  t.create(
    {
      ...keys.registration(eventId, registrationId),
      type: 'registration',
      gsi1pk: ownRegistrations(eventId, registrant),
      gsi1sk: registrationId,
      ...registrantIndex(registration, eventStartsAt),
      ...registration,
    },
    () => conflict('registration-exists', 'The registration already exists'),
  );
  if (phones.some((p) => p)) {
    t.put({ ...keys.contact(eventId, registrationId), type: 'contact', phones: [...phones] });
  }
  registration.participants.forEach((p, i) => {
    if (p.status !== 'waitlisted') return;
    t.put({
      ...keys.waiting(eventId, p.position),
      type: 'waiting',
      position: p.position,
      registrationId,
      participantIndex: i,
      ...(registrant.kind === 'partner' ? { partnerId: registrant.partnerId } : {}),
    });
  });
  return t;
};

/**
 * Takes `confirm` of the event's places, on the counter as read (`exact`), or only checks
 * it when none are taken.
 */
export const takeEventPlaces = (
  t: Transaction,
  event: JointEventItem,
  { confirm, exact }: { confirm: number; exact: boolean },
): Transaction =>
  confirm > 0
    ? t.update(
        keys.event(event.jointEventId),
        { expression: 'SET #confirmed = #confirmed + :n', values: { ':n': confirm } },
        eventPlaces(event, exact, confirm),
      )
    : t.check(keys.event(event.jointEventId), eventPlaces(event, true, 0));

/**
 * Takes `confirm` of the partner's quota: on the counter as read (`exact`, `used`), or
 * within the quota; only checks it when none are taken and a quota applies.
 */
export const takePartnerPlaces = (
  t: Transaction,
  eventId: string,
  partnerId: string,
  {
    confirm,
    exact,
    used,
    quota,
  }: { confirm: number; exact: boolean; used: number; quota: number | undefined },
): Transaction => {
  const key = keys.quota(eventId, partnerId);
  const condition = exact
    ? partnerPlacesSeen(used)
    : quota !== undefined
      ? {
          condition: 'attribute_not_exists(#cfp) OR #cfp <= :limit',
          names: confirmedForPartnerName,
          values: { ':limit': quota - confirm },
          onConditionFailed: placesChanged,
        }
      : undefined;
  if (confirm > 0) {
    return t.update(
      key,
      {
        expression: 'SET #cfp = if_not_exists(#cfp, :zero) + :n, #type = :type',
        names: { ...confirmedForPartnerName, '#type': 'type' },
        values: { ':zero': 0, ':n': confirm, ':type': 'quota' },
      },
      condition,
    );
  }
  if (condition && quota !== undefined) t.check(key, condition);
  return t;
};

/**
 * Cancels a registration on the version read: its participants' places are given up, its
 * waitlist entries and the member's one registration go, and nobody needs the phones any more.
 */
export const cancelRegistrationItem = (
  t: Transaction,
  registration: RegistrationItem,
  at: string,
): Transaction => {
  const { jointEventId: eventId, registrationId, registrant } = registration;
  t.update(
    keys.registration(eventId, registrationId),
    {
      expression: `SET #status = :cancelled, cancelledAt = :at, participants = :participants, ${versionBump.expression}`,
      names: { '#status': 'status', ...versionBump.names },
      values: {
        ':cancelled': 'cancelled',
        ':at': at,
        ':participants': registration.participants.map((p) => ({ ...p, status: 'cancelled' })),
        ...versionBump.values,
      },
    },
    registrationAsRead(registration),
  );
  t.delete(keys.contact(eventId, registrationId));
  if (registrant.kind === 'member') t.delete(keys.member(eventId, registrant.personId));
  for (const p of registration.participants) {
    if (p.status === 'waitlisted') t.delete(keys.waiting(eventId, p.position));
  }
  return t;
};

/** Participants of a registration promoted from the waitlist, on the version read. */
export const confirmParticipants = (
  t: Transaction,
  registration: Pick<RegistrationItem, 'jointEventId' | 'registrationId' | 'version'>,
  participants: readonly Participant[],
): Transaction =>
  t.update(
    keys.registration(registration.jointEventId, registration.registrationId),
    {
      expression: `SET participants = :participants, ${versionBump.expression}`,
      names: versionBump.names,
      values: { ':participants': participants, ...versionBump.values },
    },
    registrationAsRead(registration),
  );

/** A promoted place leaves the waitlist; if it left already, someone else promoted it. */
export const leaveWaitlist = (t: Transaction, eventId: string, position: number): Transaction =>
  t.delete(keys.waiting(eventId, position), {
    condition: 'attribute_exists(pk)',
    onConditionFailed: placesChanged,
  });

/** The event's confirmed places after a cancellation and its promotions, on the exact count read. */
export const setEventPlaces = (t: Transaction, event: JointEventItem, confirmed: number): Transaction =>
  t.update(
    keys.event(event.jointEventId),
    { expression: 'SET #confirmed = :next', values: { ':next': confirmed } },
    eventPlaces(event, true, 0),
  );

/** A partner's confirmed places after a cancellation and its promotions, on the count read (`seen`). */
export const setPartnerPlaces = (
  t: Transaction,
  eventId: string,
  partnerId: string,
  { seen, confirmed }: { seen: number; confirmed: number },
): Transaction =>
  t.update(
    keys.quota(eventId, partnerId),
    {
      expression: 'SET #cfp = :next, #type = :type',
      names: { ...confirmedForPartnerName, '#type': 'type' },
      values: { ':next': confirmed, ':type': 'quota' },
    },
    partnerPlacesSeen(seen),
  );
