import { z } from 'zod';
import { type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import {
  badRequest,
  conflict,
  DomainError,
  forbidden,
  notFound,
  ruleViolation,
  serviceUnavailable,
} from '../../../shared/errors.js';
import { pageQuery } from '../../../shared/http/paging.js';
import { created, noContent, ok, text } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam } from '../../../shared/schemas.js';
import type { HttpRequest } from '../../../shared/service.js';
import { queryPage } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { toLocalIso } from '../../../shared/time.js';
import { toCsv } from '../domain/csv.js';
import {
  allocatePlaces,
  creditedHours,
  planPromotions,
  requireCancellable,
  requireEventDay,
  requireRegistrationOpen,
  requireStarted,
  requireStatus,
} from '../domain/joint-events.js';
import { JointEventCompleted, RegistrationConfirmed } from '../events.js';
import { singleLine } from '../schemas.js';
import {
  allRegistrations,
  confirmedForPartner,
  contactKeysOf,
  getEvent,
  getPartner,
  getRegistration,
  hasMemberRegistration,
  type JointEventItem,
  keys,
  ownRegistrations,
  type Participant,
  phonesOf,
  type Registrant,
  type RegistrationItem,
  setExpiry,
  takeArrivalPositions,
  tx,
  waitlistHead,
} from '../store.js';

/** At most this many participants in one request: the whole request is one transaction. */
const MAX_PARTICIPANTS = 40;
const MAX_ATTEMPTS = 60;
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
export const eventParams = z.strictObject({ eventId: idParam });
export const registrationParams = z.strictObject({ eventId: idParam, registrationId: idParam });
export const checkInBody = z.strictObject({ registrationId: idParam });
export const listRegistrationsQuery = z.strictObject({ ...pageQuery });

/** Losing a race for the same counters is normal under load: read again and recompute. */
const RETRYABLE = new Set(['concurrent-update', 'places-changed']);
const placesChanged = () => conflict('places-changed', 'The places changed meanwhile');

const withRetries = async <T>(attempt: () => Promise<T>): Promise<T> => {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DomainError && RETRYABLE.has(error.code))) throw error;
      // Jittered backoff so the losers of one round do not collide again in the next.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (i + 1))));
    }
  }
  throw serviceUnavailable('Too many registrations at once; try again');
};

/** Who registers: a partner for its organisation, or a member for themselves. */
const registrantOf = (caller: Caller, asPartner: boolean): Registrant => {
  if (asPartner) {
    if (!hasRole(caller, 'partner') || !caller.orgId)
      throw forbidden('Only partner accounts register participants');
    return { kind: 'partner', partnerId: caller.orgId };
  }
  if (!hasRole(caller, 'member'))
    throw badRequest('participants-required', 'A partner names its participants');
  return { kind: 'member', personId: caller.sub };
};

/** The event as its registrants may see it; drafts and others' events do not exist for them. */
const visibleEvent = async (ctx: ServiceContext, eventId: string, caller: Caller) => {
  const event = await getEvent(ctx, eventId);
  if (!event || (event.status === 'draft' && !hasRole(caller, 'committee'))) throw notFound('Event');
  return event;
};

const eventCondition = (event: JointEventItem, exact: boolean, confirm: number) => ({
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

const registrationView = (r: RegistrationItem, phones?: (string | null)[]) => ({
  registrationId: r.registrationId,
  jointEventId: r.jointEventId,
  registrant: r.registrant,
  status: r.status,
  participants: r.participants.map((p, i) => ({
    name: p.name,
    status: p.status,
    position: p.position,
    ...(phones?.[i] ? { phone: phones[i] } : {}),
  })),
  createdAt: r.createdAt,
  ...(r.checkedInAt ? { checkedInAt: r.checkedInAt } : {}),
  ...(r.cancelledAt ? { cancelledAt: r.cancelledAt } : {}),
});

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
  } else if (body.consent !== undefined) {
    throw badRequest('unexpected-field', 'A member registers themselves with an empty body');
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
  const partnerId = registrant.kind === 'partner' ? registrant.partnerId : undefined;

  const outcome = await withRetries(async () => {
    const current = await getEvent(ctx, eventId);
    if (!current) throw notFound('Event');
    requireStatus(current.status, ['published'], 'registered for');
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
      version: 1,
    };
    const t = tx(ctx);
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
        ...registration,
      },
      () => conflict('registration-exists', 'The registration already exists'),
    );
    if (people.some((p) => p.phone)) {
      t.put({
        ...keys.contact(eventId, registrationId),
        type: 'contact',
        phones: people.map((p) => p.phone ?? null),
      });
    }
    // Anyone left waiting must be waiting because the counters really were at their limit.
    const exact = wait > 0;
    if (confirm > 0) {
      t.update(
        keys.event(eventId),
        { expression: 'SET #confirmed = #confirmed + :n', values: { ':n': confirm } },
        eventCondition(current, exact, confirm),
      );
    } else {
      t.check(keys.event(eventId), eventCondition(current, true, 0));
    }
    if (partnerId) {
      const seen = used === 0 ? 'attribute_not_exists(#cfp) OR #cfp = :used' : '#cfp = :used';
      const quotaCondition = exact
        ? {
            condition: seen,
            names: { '#cfp': 'confirmedForPartner' },
            values: { ':used': used },
            onConditionFailed: placesChanged,
          }
        : quota !== undefined
          ? {
              condition: 'attribute_not_exists(#cfp) OR #cfp <= :limit',
              names: { '#cfp': 'confirmedForPartner' },
              values: { ':limit': quota - confirm },
              onConditionFailed: placesChanged,
            }
          : undefined;
      if (confirm > 0) {
        t.update(
          keys.quota(eventId, partnerId),
          {
            expression: 'SET #cfp = if_not_exists(#cfp, :zero) + :n, #type = :type',
            names: { '#cfp': 'confirmedForPartner', '#type': 'type' },
            values: { ':zero': 0, ':n': confirm, ':type': 'quota' },
          },
          quotaCondition,
        );
      } else if (quotaCondition && quota !== undefined) {
        t.check(keys.quota(eventId, partnerId), quotaCondition);
      }
    }
    participants.forEach((p, i) => {
      if (p.status !== 'waitlisted') return;
      t.put({
        ...keys.waiting(eventId, p.position),
        type: 'waiting',
        position: p.position,
        registrationId,
        participantIndex: i,
        ...(partnerId ? { partnerId } : {}),
      });
    });
    if (confirm > 0) {
      t.publish(
        RegistrationConfirmed,
        { jointEventId: eventId, registrationId, registrant, places: confirm, promotedFromWaitlist: false },
        { key: eventId, occurredAt: now },
      );
    }
    await t.commit();
    return { registration, confirm, wait };
  });

  return created(
    {
      ...registrationView(outcome.registration),
      confirmed: outcome.confirm,
      waitlisted: outcome.wait,
    },
    `/community/events/${eventId}/registrations/${registrationId}`,
  );
};

/** The committee sees every registration; a registrant only its own (anything else: 404). */
const mayHandle = (caller: Caller, r: RegistrationItem) =>
  hasRole(caller, 'committee') ||
  (r.registrant.kind === 'partner' &&
    hasRole(caller, 'partner') &&
    caller.orgId === r.registrant.partnerId) ||
  (r.registrant.kind === 'member' && r.registrant.personId === caller.sub);

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
    t.update(
      keys.registration(event.jointEventId, registrationId),
      {
        expression: 'SET participants = :participants, #version = #version + :one',
        names: { '#version': 'version' },
        values: { ':participants': participants, ':one': 1 },
      },
      { condition: '#version = :v', values: { ':v': r.version }, onConditionFailed: placesChanged },
    );
    t.publish(
      RegistrationConfirmed,
      {
        jointEventId: event.jointEventId,
        registrationId,
        registrant: r.registrant,
        places: indexes.length,
        promotedFromWaitlist: true,
      },
      { key: event.jointEventId, occurredAt: now },
    );
  }
  for (const w of planned) {
    t.delete(keys.waiting(event.jointEventId, w.position), {
      condition: 'attribute_exists(pk)',
      onConditionFailed: placesChanged,
    });
  }
  t.update(
    keys.event(event.jointEventId),
    { expression: 'SET #confirmed = :next', values: { ':next': event.confirmed - freed + planned.length } },
    eventCondition(event, true, 0),
  );
  for (const [p, d] of delta) {
    if (d === 0) continue;
    const seen = used.get(p) ?? 0;
    t.update(
      keys.quota(event.jointEventId, p),
      {
        expression: 'SET #cfp = :next, #type = :type',
        names: { '#cfp': 'confirmedForPartner', '#type': 'type' },
        values: { ':next': seen + d, ':type': 'quota' },
      },
      {
        condition: seen === 0 ? 'attribute_not_exists(#cfp) OR #cfp = :seen' : '#cfp = :seen',
        values: { ':seen': seen },
        onConditionFailed: placesChanged,
      },
    );
  }
  return planned.length;
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
  await withRetries(async () => {
    const registration = await getRegistration(ctx, eventId, registrationId);
    if (!registration) throw notFound('Registration');
    if (registration.status !== 'active')
      throw conflict('registration-cancelled', 'The registration is already cancelled');
    const event = await getEvent(ctx, eventId);
    if (!event) throw notFound('Event');
    requireStatus(event.status, ['published'], 'changed');
    requireCancellable(event, now);
    const t = tx(ctx);
    t.update(
      keys.registration(eventId, registrationId),
      {
        expression:
          'SET #status = :cancelled, cancelledAt = :at, participants = :participants, #version = #version + :one',
        names: { '#status': 'status', '#version': 'version' },
        values: {
          ':cancelled': 'cancelled',
          ':at': toLocalIso(now),
          ':participants': registration.participants.map((p) => ({ ...p, status: 'cancelled' })),
          ':one': 1,
        },
      },
      {
        condition: '#version = :v',
        values: { ':v': registration.version },
        onConditionFailed: placesChanged,
      },
    );
    // Nobody needs these phones any more.
    t.delete(keys.contact(eventId, registrationId));
    if (registration.registrant.kind === 'member')
      t.delete(keys.member(eventId, registration.registrant.personId));
    for (const p of registration.participants) {
      if (p.status === 'waitlisted') t.delete(keys.waiting(eventId, p.position));
    }
    await promote(ctx, t, event, registration, now);
    await t.commit();
  });
  return noContent();
};

const scopeOf = (caller: Caller): Registrant | 'all' => {
  if (hasRole(caller, 'committee')) return 'all';
  if (hasRole(caller, 'partner') && caller.orgId) return { kind: 'partner', partnerId: caller.orgId };
  return { kind: 'member', personId: caller.sub };
};

const queryFor = (ctx: ServiceContext, eventId: string, scope: Registrant | 'all') =>
  scope === 'all'
    ? {
        input: {
          TableName: ctx.env.tableName,
          KeyConditionExpression: 'pk = :p AND begins_with(sk, :reg)',
          ExpressionAttributeValues: { ':p': `EVENT#${eventId}`, ':reg': 'REG#' },
        },
        partition: { name: 'pk', value: `EVENT#${eventId}` },
      }
    : {
        input: {
          TableName: ctx.env.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': ownRegistrations(eventId, scope) },
        },
        partition: { name: 'gsi1pk', value: ownRegistrations(eventId, scope) },
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
  const scope = scopeOf(caller);
  const q = queryFor(ctx, event.jointEventId, scope);
  const page = await queryPage(
    ctx.db,
    q.input,
    { partition: q.partition, limit: query.limit, cursor: query.cursor },
    (i) => i as unknown as RegistrationItem,
  );
  // Phones: the committee and the partner that entered them; a member gave none.
  const phones = await phonesOf(
    ctx,
    event.jointEventId,
    page.items.map((r) => r.registrationId),
  );
  return ok({
    items: page.items.map((r) => registrationView(r, phones.get(r.registrationId))),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  });
};

export const exportRegistrations = async (
  { params, caller }: HttpRequest<{ params: typeof eventParams }, readonly ['committee', 'partner']>,
  ctx: ServiceContext,
) => {
  const event = await visibleEvent(ctx, params.eventId, caller);
  const scope = scopeOf(caller);
  const all = await allRegistrations(ctx, event.jointEventId);
  const mine = scope === 'all' ? all : all.filter((r) => mayHandle(caller, r));
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
      phones.get(r.registrationId)?.[i] ?? '',
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
  return ok(
    await queryPage(
      ctx.db,
      {
        TableName: ctx.env.tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :w)',
        ExpressionAttributeValues: { ':p': `EVENT#${event.jointEventId}`, ':w': 'WAIT#' },
        ConsistentRead: true,
      },
      {
        partition: { name: 'pk', value: `EVENT#${event.jointEventId}` },
        limit: query.limit,
        cursor: query.cursor,
      },
      (i) => ({
        position: i.position,
        registrationId: i.registrationId,
        participantIndex: i.participantIndex,
        ...(i.partnerId ? { partnerId: i.partnerId } : {}),
      }),
    ),
  );
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
  if (registration.status !== 'active' || !registration.participants.some((p) => p.status === 'confirmed')) {
    throw ruleViolation('no-confirmed-place', 'Only a registration with a confirmed place can check in');
  }
  if (registration.checkedInAt) throw conflict('already-checked-in', 'Already checked in');
  const checkedInAt = toLocalIso(now);
  await tx(ctx)
    .update(
      keys.registration(event.jointEventId, registration.registrationId),
      {
        expression: 'SET checkedInAt = :at, #version = #version + :one',
        names: { '#version': 'version' },
        values: { ':at': checkedInAt, ':one': 1 },
      },
      {
        condition: '#version = :v AND #status = :active',
        names: { '#status': 'status' },
        values: { ':v': registration.version, ':active': 'active' },
        onConditionFailed: () =>
          conflict('version-conflict', 'The registration changed meanwhile; try again'),
      },
    )
    .commit();
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
  const registrations = (await allRegistrations(ctx, event.jointEventId)).filter(
    (r) => r.status === 'active' && r.checkedInAt !== undefined,
  );
  const hours = creditedHours(event);
  const members = registrations.flatMap((r) =>
    r.registrant.kind === 'member' && r.participants.some((p) => p.status === 'confirmed')
      ? [{ personId: r.registrant.personId, hours }]
      : [],
  );
  const partnerParticipants = registrations
    .filter((r) => r.registrant.kind === 'partner')
    .reduce((n, r) => n + r.participants.filter((p) => p.status === 'confirmed').length, 0);
  // Erasure first: if completion then fails, the phones still go, which PIPL prefers.
  const expiresAt = Math.floor(now.getTime() / 1000) + CONTACT_RETENTION_SECONDS;
  for (const key of await contactKeysOf(ctx, event.jointEventId)) await setExpiry(ctx, key, expiresAt);

  const t = tx(ctx);
  t.update(
    keys.event(event.jointEventId),
    {
      expression:
        'SET #status = :completed, completedAt = :at, #version = #version + :one REMOVE gsi1pk, gsi1sk',
      names: { '#status': 'status', '#version': 'version' },
      values: { ':completed': 'completed', ':at': toLocalIso(now), ':one': 1 },
    },
    {
      condition: '#version = :v',
      values: { ':v': event.version },
      onConditionFailed: () => conflict('version-conflict', 'The event changed meanwhile; try again'),
    },
  );
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
  return ok({ jointEventId: event.jointEventId, status: 'completed', members, partnerParticipants, hours });
};
