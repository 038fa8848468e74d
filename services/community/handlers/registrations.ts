import * as z from 'zod';
import { actsForOrg, type Caller, hasRole, isSelf, selfOf } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { badRequest, conflict, forbidden, notFound, ruleViolation } from '../../../shared/errors.js';
import { pageQuery } from '../../../shared/http/paging.js';
import { created, noContent, ok, text } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { maskPhone } from '../../../shared/pii.js';
import { idParam } from '../../../shared/schemas.js';
import type { HttpRequest } from '../../../shared/service.js';
import { toLocalIso } from '../../../shared/time.js';
import { rosterSelf } from '../../talent/roster.js';
import { toCsv } from '../domain/csv.js';
import {
  creditedHours,
  participation,
  requireCheckIn,
  requireEventDay,
  requireRegistrationOpen,
  requireStarted,
  requireStatus,
} from '../domain/joint-events.js';
import { JointEventCompleted } from '../events.js';
import { placeRegistration, withdrawRegistration } from '../places.js';
import { singleLine } from '../schemas.js';
import {
  allRegistrations,
  checkInRegistration,
  completeEventItem,
  contactKeysOf,
  getEvent,
  getPartner,
  getRegistration,
  hasMemberRegistration,
  phonesOf,
  type Registrant,
  type RegistrationItem,
  registrationsOf,
  registrationsPage,
  rosterReader,
  setExpiry,
  takeArrivalPositions,
  tx,
  waitlistPage,
} from '../store.js';
import {
  type EventCompleted,
  type RegistrationPlaced,
  registrationSummaryView,
  registrationView,
  waitingView,
} from '../views.js';
import type { eventParams } from './joint-events.js';

/** At most this many participants in one request: the whole request is one transaction. */
const MAX_PARTICIPANTS = 40;
/** PIPL: participants' phones are kept 30 days after the event completes, then DynamoDB erases them. */
const CONTACT_RETENTION_SECONDS = 30 * 24 * 60 * 60;

export const registrationBody = z.strictObject({
  participants: z
    .array(
      z.strictObject({
        name: singleLine(50),
        phone: z
          .string()
          .regex(/^1[3-9]\d{9}$/, 'Expected a mainland mobile number')
          .optional(),
      }),
    )
    .min(1)
    .max(MAX_PARTICIPANTS)
    .optional(),
  consent: z.literal(true, { error: 'The partner must confirm its participants agreed' }).optional(),
});
export const registrationParams = z.strictObject({ eventId: idParam, registrationId: idParam });
export const checkInBody = z.strictObject({ registrationId: idParam });
export const listRegistrationsQuery = z.strictObject({ ...pageQuery });

/**
 * Who registers: a partner for its organisation, or a member for themselves, as the person
 * their account names (a 403 `no-person` without one; `register` then checks the register holds them).
 */
const registrantOf = (caller: Caller, asPartner: boolean): Registrant => {
  if (asPartner) {
    // The member is admitted to the route; naming others is a mistake in the body, not a role.
    if (!hasRole(caller, 'partner')) {
      throw badRequest('participants-not-allowed', 'A member registers themselves: send an empty body');
    }
    // A partner account bound to no organisation has no one to act for.
    if (!caller.orgId) throw forbidden('This partner account belongs to no organisation');
    return { kind: 'partner', partnerId: caller.orgId };
  }
  if (!hasRole(caller, 'member'))
    throw badRequest('participants-required', 'A partner names its participants');
  return { kind: 'member', personId: selfOf(caller) };
};

/** The event as its registrants may see it; drafts and others' events do not exist for them. */
const visibleEvent = async (ctx: ServiceContext, eventId: string, caller: Caller) => {
  const event = await getEvent(ctx, eventId);
  if (!event || (event.status === 'draft' && !hasRole(caller, 'committee'))) throw notFound('Event');
  return event;
};

export const register = async (
  {
    params,
    body,
    caller,
    now,
  }: HttpRequest<
    { params: typeof eventParams; body: typeof registrationBody },
    readonly ['partner', 'member']
  >,
  ctx: ServiceContext,
) => {
  const registrant = registrantOf(caller, body.participants !== undefined || !hasRole(caller, 'member'));
  if (registrant.kind === 'partner') {
    if (!body.participants) throw badRequest('participants-required', 'Name the participants to register');
    if (body.consent !== true) {
      throw badRequest('consent-required', 'Confirm that the participants agreed to share their data (PIPL)');
    }
  } else {
    if (body.consent !== undefined) {
      throw badRequest('unexpected-field', 'A member registers themselves with an empty body');
    }
    // Only a person of the register takes part as a member: nothing is written for anyone else.
    await rosterSelf(rosterReader(ctx), caller);
  }
  const event = await visibleEvent(ctx, params.eventId, caller);
  requireStatus(event.status, ['published'], 'registered for');
  requireRegistrationOpen(event, now);
  if (registrant.kind === 'partner') {
    const partner = await getPartner(ctx, registrant.partnerId);
    if (partner?.status !== 'approved')
      throw ruleViolation('partner-not-approved', 'The partner is not approved');
  } else if (await hasMemberRegistration(ctx, event.jointEventId, registrant.personId)) {
    throw conflict('already-registered', 'You are already registered for this event');
  }

  const people = body.participants ?? [{ name: undefined, phone: undefined }];
  // Arrival order is fixed once, here; retries keep it.
  const positions = await takeArrivalPositions(ctx, event.jointEventId, people.length);
  const registrationId = newId();
  const eventId = event.jointEventId;

  const outcome = await placeRegistration(ctx, {
    eventId,
    registrationId,
    registrant,
    people,
    positions,
    now,
  });

  return created(
    {
      ...registrationView(outcome.registration),
      confirmed: outcome.confirm,
      waitlisted: outcome.wait,
    } satisfies z.output<typeof RegistrationPlaced>,
    `/community/events/${eventId}/registrations/${registrationId}`,
  );
};

/** The committee sees every registration; a registrant only its own (anything else: 404). */
const mayHandle = (caller: Caller, r: RegistrationItem) =>
  hasRole(caller, 'committee') ||
  (r.registrant.kind === 'partner' && actsForOrg(caller, r.registrant.partnerId)) ||
  (r.registrant.kind === 'member' && isSelf(caller, r.registrant.personId));

/** One registration, to its registrant or the committee: the only place phones show whole. */
export const showRegistration = async (
  {
    params,
    caller,
  }: HttpRequest<{ params: typeof registrationParams }, readonly ['committee', 'partner', 'member']>,
  ctx: ServiceContext,
) => {
  const registration = await getRegistration(ctx, params.eventId, params.registrationId);
  if (!registration || !mayHandle(caller, registration)) throw notFound('Registration');
  const phones = await phonesOf(ctx, params.eventId, [registration.registrationId]);
  return ok(registrationView(registration, phones.get(registration.registrationId)));
};

export const cancelRegistration = async (
  {
    params,
    caller,
    now,
  }: HttpRequest<{ params: typeof registrationParams }, readonly ['committee', 'partner', 'member']>,
  ctx: ServiceContext,
) => {
  const { eventId, registrationId } = params;
  const first = await getRegistration(ctx, eventId, registrationId);
  if (!first || !mayHandle(caller, first)) throw notFound('Registration');
  await withdrawRegistration(ctx, { eventId, registrationId, now });
  return noContent();
};

/** Whose registrations a caller lists: all (the committee), its organisation's, or the member's own. */
const scopeOf = (caller: Caller): Registrant | 'all' => {
  if (hasRole(caller, 'committee')) return 'all';
  if (hasRole(caller, 'partner') && caller.orgId) return { kind: 'partner', partnerId: caller.orgId };
  if (!hasRole(caller, 'member')) throw forbidden('This partner account belongs to no organisation');
  return { kind: 'member', personId: selfOf(caller) };
};

export const listRegistrations = async (
  {
    params,
    query,
    caller,
  }: HttpRequest<
    { params: typeof eventParams; query: typeof listRegistrationsQuery },
    readonly ['committee', 'partner', 'member']
  >,
  ctx: ServiceContext,
) => {
  const event = await visibleEvent(ctx, params.eventId, caller);
  const page = await registrationsPage(ctx, event.jointEventId, scopeOf(caller), query);
  // Phones, masked: the committee and the partner that entered them; a member gave none.
  const phones = await phonesOf(
    ctx,
    event.jointEventId,
    page.items.map((r) => r.registrationId),
  );
  return ok({
    items: page.items.map((r) => registrationSummaryView(r, phones.get(r.registrationId))),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  });
};

// The export is printed and passed around at the door: the tail tells two 张三 apart, the
// whole number stays one audited read away (README, PIPL).
const masked = (phone: string | null | undefined) => (phone ? maskPhone(phone) : '');

export const exportRegistrations = async (
  { params, caller }: HttpRequest<{ params: typeof eventParams }, readonly ['committee', 'partner']>,
  ctx: ServiceContext,
) => {
  const event = await visibleEvent(ctx, params.eventId, caller);
  const scope = scopeOf(caller);
  const mine =
    scope === 'all'
      ? await allRegistrations(ctx, event.jointEventId)
      : await registrationsOf(ctx, event.jointEventId, scope);
  const phones = await phonesOf(
    ctx,
    event.jointEventId,
    mine.map((r) => r.registrationId),
  );
  const rows = mine.flatMap((r) =>
    r.participants.map((p, i) => [
      r.registrationId,
      r.registrant.kind === 'partner' ? '合作单位 partner' : '党员 member',
      r.registrant.kind === 'partner' ? r.registrant.partnerId : r.registrant.personId,
      p.name ?? '',
      masked(phones.get(r.registrationId)?.[i]),
      p.status,
      String(p.position),
      r.checkedInAt ?? '',
      r.createdAt,
    ]),
  );
  const header = [
    'registrationId',
    'registrantKind',
    'registrantId',
    'name',
    'phone',
    'status',
    'position',
    'checkedInAt',
    'registeredAt',
  ];
  return text('text/csv; charset=utf-8', toCsv(header, rows), {
    'content-disposition': `attachment; filename="registrations-${event.jointEventId}.csv"`,
  });
};

export const waitlist = async (
  {
    params,
    query,
  }: HttpRequest<
    { params: typeof eventParams; query: typeof listRegistrationsQuery },
    readonly ['committee']
  >,
  ctx: ServiceContext,
) => {
  const event = await getEvent(ctx, params.eventId);
  if (!event) throw notFound('Event');
  const page = await waitlistPage(ctx, event.jointEventId, query);
  return ok({
    items: page.items.map(waitingView),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  });
};

export const checkIn = async (
  {
    params,
    body,
    now,
  }: HttpRequest<{ params: typeof eventParams; body: typeof checkInBody }, readonly ['committee']>,
  ctx: ServiceContext,
) => {
  const event = await getEvent(ctx, params.eventId);
  if (!event) throw notFound('Event');
  const registration = await getRegistration(ctx, event.jointEventId, body.registrationId);
  if (!registration) throw notFound('Registration');
  requireStatus(event.status, ['published'], 'checked in to');
  requireEventDay(event, now);
  requireCheckIn(registration);
  const checkedInAt = toLocalIso(now);
  await checkInRegistration(tx(ctx), registration, checkedInAt).commit();
  return ok(registrationView({ ...registration, checkedInAt }));
};

export const completeEvent = async (
  { params, now }: HttpRequest<{ params: typeof eventParams }, readonly ['committee']>,
  ctx: ServiceContext,
) => {
  const event = await getEvent(ctx, params.eventId);
  if (!event) throw notFound('Event');
  requireStatus(event.status, ['published'], 'completed');
  requireStarted(event, now);
  const hours = creditedHours(event);
  const { members, partnerParticipants } = participation(
    await allRegistrations(ctx, event.jointEventId),
    hours,
  );
  // Erasure first: if completion then fails, the phones still go, which PIPL prefers.
  const expiresAt = Math.floor(now.getTime() / 1000) + CONTACT_RETENTION_SECONDS;
  for (const key of await contactKeysOf(ctx, event.jointEventId)) await setExpiry(ctx, key, expiresAt);

  const t = tx(ctx);
  completeEventItem(t, event, toLocalIso(now));
  t.publish(
    JointEventCompleted,
    {
      jointEventId: event.jointEventId,
      title: event.title,
      kind: event.eventKind,
      startsAt: event.startsAt,
      endsAt: event.endsAt,
      members,
      partnerParticipants,
    },
    { key: event.jointEventId, occurredAt: now },
  );
  await t.commit();
  return ok({
    jointEventId: event.jointEventId,
    status: 'completed',
    members,
    partnerParticipants,
    hours,
  } satisfies z.output<typeof EventCompleted>);
};
