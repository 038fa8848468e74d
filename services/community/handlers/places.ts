/**
 * Places: deciding who gets one, and deciding again when another request took them first.
 * A registration confirms what capacity and quota allow and waitlists the rest; a
 * cancellation frees places and promotes the waitlist in the same transaction. Every write
 * is conditioned on the counters it was decided on (store/places.ts), so a lost race is
 * re-read and recomputed (bounded), never a place counted twice.
 */
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, notFound, serviceUnavailable, unwrap } from '../../../shared/errors.js';
import { type Claim, claimIdempotencyKey, commitClaimed } from '../../../shared/store/idempotency.js';
import { retryOnConflict } from '../../../shared/store/retry.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { toLocalIso } from '../../../shared/time.js';
import {
  allocatePlaces,
  planPromotions,
  requireCancellable,
  requireStatus,
  withdrawnByDeparture,
} from '../domain/joint-events.js';
import { RegistrationConfirmed } from '../events.js';
import {
  addRegistration,
  cancelRegistrationItem,
  confirmParticipants,
  leaveWaitlist,
  placesChanged,
  setEventPlaces,
  setPartnerPlaces,
  takeEventPlaces,
  takePartnerPlaces,
} from '../store/places.js';
import {
  confirmedForPartner,
  getEvent,
  getRegistration,
  type JointEventItem,
  type Participant,
  type Registrant,
  type RegistrationItem,
  transaction,
  waitlistHead,
} from '../store.js';

/** Losing a race for the same counters is normal under load: read again and recompute. */
const RETRYABLE = ['concurrent-update', 'places-changed'] as const;

/**
 * Re-decides a lost race within a few seconds, far inside the function's 10 s timeout and the
 * gateway's 29 s: a caller must hear the outcome, and the 503 after it means nothing was
 * written (the last attempt was refused), so trying again is safe.
 */
const withRetries = <T>(attempt: () => Promise<T>): Promise<T> =>
  retryOnConflict(attempt, {
    retryable: RETRYABLE,
    attempts: 60,
    withinMs: 4_000,
    maxDelayMs: 50,
    onExhausted: () => serviceUnavailable('Too many registrations at once; try again'),
  });

/** Adds the freeing of places and the promotion of the waitlist, in order, to a transaction. */
const promote = async (
  ctx: ServiceContext,
  t: Transaction,
  event: JointEventItem,
  cancelled: RegistrationItem,
  now: Date,
) => {
  const freedByPartner = new Map<string, number>();
  const freed = cancelled.participants.filter((p) => p.status === 'confirmed').length;
  const cancelledPartner =
    cancelled.registrant.kind === 'partner' ? cancelled.registrant.partnerId : undefined;
  if (cancelledPartner && freed > 0) freedByPartner.set(cancelledPartner, freed);

  const head = (await waitlistHead(ctx, event.jointEventId, 100)).filter(
    (w) => w.registrationId !== cancelled.registrationId,
  );
  const partners = new Set([
    ...freedByPartner.keys(),
    ...head.flatMap((w) => (w.partnerId ? [w.partnerId] : [])),
  ]);
  const used = new Map<string, number>();
  for (const p of partners) used.set(p, await confirmedForPartner(ctx, event.jointEventId, p));

  const free = event.capacity - event.confirmed + freed;
  // Room in the transaction: the cancellation's own items plus, per promotion, a wait entry
  // and at worst its registration, quota and outbox items.
  const room = Math.max(0, Math.floor((90 - t.size - partners.size) / 3));
  const planned = planPromotions(
    head,
    Math.min(free, room),
    event.partnerQuota,
    (p) => (used.get(p) ?? 0) - (freedByPartner.get(p) ?? 0),
  );

  const byRegistration = new Map<string, number[]>();
  for (const w of planned)
    byRegistration.set(w.registrationId, [
      ...(byRegistration.get(w.registrationId) ?? []),
      w.participantIndex,
    ]);
  const delta = new Map<string, number>();
  for (const [p, n] of freedByPartner) delta.set(p, -n);
  for (const w of planned) if (w.partnerId) delta.set(w.partnerId, (delta.get(w.partnerId) ?? 0) + 1);

  for (const [registrationId, indexes] of byRegistration) {
    const r = await getRegistration(ctx, event.jointEventId, registrationId);
    if (r?.status !== 'active') throw placesChanged();
    const participants = r.participants.map((p, i) =>
      indexes.includes(i) ? { ...p, status: 'confirmed' as const } : p,
    );
    confirmParticipants(t, r, participants);
    t.publish(
      RegistrationConfirmed,
      {
        jointEventId: event.jointEventId,
        registrationId,
        registrant: r.registrant,
        places: indexes.length,
        promotedFromWaitlist: true,
        title: event.title,
        startsAt: event.startsAt,
        version: r.version + 1,
      },
      { key: event.jointEventId, occurredAt: now },
    );
  }
  for (const w of planned) leaveWaitlist(t, event.jointEventId, w.position);
  setEventPlaces(t, event, event.confirmed - freed + planned.length);
  for (const [p, d] of delta) {
    if (d === 0) continue;
    const seen = used.get(p) ?? 0;
    setPartnerPlaces(t, event.jointEventId, p, { seen, confirmed: seen + d });
  }
  return planned.length;
};

export interface Placement {
  eventId: string;
  registrationId: string;
  registrant: Registrant;
  people: readonly { name?: string | undefined; phone?: string | undefined }[];
  /** Arrival positions, one per person, taken before the first attempt so retries keep them. */
  positions: readonly number[];
  now: Date;
  /** The request's idempotency claim, written with the registration. */
  claim: Claim;
}

/** Confirms what capacity and quota allow, in the request's order, and waitlists the rest. */
export const placeRegistration = (
  ctx: ServiceContext,
  { eventId, registrationId, registrant, people, positions, now, claim }: Placement,
) => {
  const partnerId = registrant.kind === 'partner' ? registrant.partnerId : undefined;
  return withRetries(async () => {
    const current = await getEvent(ctx, eventId);
    if (!current) throw notFound('Event');
    unwrap(requireStatus(current.status, ['published'], 'registered for'));
    const used = partnerId ? await confirmedForPartner(ctx, eventId, partnerId) : 0;
    const quota = partnerId ? current.partnerQuota : undefined;
    const { confirm, wait } = allocatePlaces(people.length, {
      capacity: current.capacity,
      confirmed: current.confirmed,
      quota,
      confirmedForPartner: used,
    });
    const participants: Participant[] = people.map((p, i) => ({
      name: p.name ?? null,
      status: i < confirm ? 'confirmed' : 'waitlisted',
      position: positions[i] as number,
    }));
    const registration: RegistrationItem = {
      registrationId,
      jointEventId: eventId,
      registrant,
      participants,
      status: 'active',
      createdAt: toLocalIso(now),
      ...(registrant.kind === 'partner' ? { consentedAt: toLocalIso(now) } : {}),
      version: 1,
    };
    // The claim first: a lost race for the client's key is the refusal reported.
    const t = claimIdempotencyKey(transaction(ctx), claim);
    addRegistration(
      t,
      registration,
      people.map((p) => p.phone ?? null),
      current.startsAt,
    );
    // Anyone left waiting must be waiting because the counters really were at their limit.
    const exact = wait > 0;
    takeEventPlaces(t, current, { confirm, exact });
    if (partnerId) takePartnerPlaces(t, eventId, partnerId, { confirm, exact, used, quota });
    if (confirm > 0) {
      t.publish(
        RegistrationConfirmed,
        {
          jointEventId: eventId,
          registrationId,
          registrant,
          places: confirm,
          promotedFromWaitlist: false,
          title: current.title,
          startsAt: current.startsAt,
          version: registration.version,
        },
        { key: eventId, occurredAt: now },
      );
    }
    // A lost answer is settled for certain (store/idempotency.ts): landed, or never will.
    if ((await commitClaimed(ctx, t, claim)) === 'landed') {
      const landed = await getRegistration(ctx, eventId, registrationId);
      if (!landed)
        throw serviceUnavailable('The registration is not readable yet; retry with the same Idempotency-Key');
      return placed(landed);
    }
    return { registration, confirm, wait };
  });
};

/** What a stored registration holds: the answer to the request that placed it (or repeats it). */
export const placed = (registration: RegistrationItem) => ({
  registration,
  confirm: registration.participants.filter((p) => p.status === 'confirmed').length,
  wait: registration.participants.filter((p) => p.status === 'waitlisted').length,
});

/** Cancels a registration, freeing its places and promoting the waitlist in order, atomically. */
export const withdrawRegistration = (
  ctx: ServiceContext,
  { eventId, registrationId, now }: { eventId: string; registrationId: string; now: Date },
) =>
  withRetries(async () => {
    const registration = await getRegistration(ctx, eventId, registrationId);
    if (!registration) throw notFound('Registration');
    if (registration.status !== 'active')
      throw conflict('registration-cancelled', 'The registration is already cancelled');
    const event = await getEvent(ctx, eventId);
    if (!event) throw notFound('Event');
    unwrap(requireStatus(event.status, ['published'], 'changed'));
    unwrap(requireCancellable(event, now));
    const t = transaction(ctx);
    cancelRegistrationItem(t, registration, toLocalIso(now));
    await promote(ctx, t, event, registration, now);
    await t.commit();
  });

/**
 * Gives up a departed member's place (domain `withdrawnByDeparture`), freeing it and promoting
 * the waitlist as a cancellation does, read and decided again on a lost race. Already given up,
 * or no longer to be (checked in, the event started or ended): nothing is written, so a
 * repeated delivery changes nothing.
 */
export const withdrawForDeparture = (
  ctx: ServiceContext,
  { eventId, registrationId, departedAt }: { eventId: string; registrationId: string; departedAt: Date },
) =>
  withRetries(async () => {
    const [registration, event] = await Promise.all([
      getRegistration(ctx, eventId, registrationId),
      getEvent(ctx, eventId),
    ]);
    if (!registration || !event || !withdrawnByDeparture(event, registration, departedAt)) return;
    const t = transaction(ctx);
    cancelRegistrationItem(t, registration, toLocalIso(departedAt));
    await promote(ctx, t, event, registration, departedAt);
    await t.commit();
  });
