import * as z from 'zod';
import { actsForOrg, type Caller, hasRole, isSelf, selfOf } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { badRequest, conflict, forbidden, notFound, ruleViolation, unwrap } from '../../../shared/errors.js';
import { auditExport } from '../../../shared/exports.js';
import { idempotently } from '../../../shared/http/idempotent.js';
import { pageOf, pageQuery, pageView } from '../../../shared/http/paging.js';
import { created, noContent, ok, text } from '../../../shared/http/result.js';
import { bodyPerRole } from '../../../shared/http/role-body.js';
import { fingerprintOf } from '../../../shared/idempotency.js';
import { newId } from '../../../shared/ids.js';
import { committeeOnly, everyone } from '../../../shared/outcomes.js';
import { maskPhone } from '../../../shared/pii.js';
import { idParam, singleLine } from '../../../shared/schemas.js';
import { type Outcomes, route } from '../../../shared/service.js';
import { deliverWorkbook, directWorkbookResponses } from '../../../shared/spreadsheets/deliver.js';
import { writeWorkbook } from '../../../shared/spreadsheets/workbook.js';
import { toLocalIso } from '../../../shared/time.js';
import { rosterPeople, rosterSelf } from '../../talent/roster.js';
import { toCsv } from '../domain/csv.js';
import {
  creditedHours,
  participation,
  requireCheckIn,
  requireEventDay,
  requireRegistrationOpen,
  requireStarted,
  requireStatus,
  signInOrder,
} from '../domain/joint-events.js';
import { JointEventCompleted, PersonalDataExported } from '../events.js';
import { scopes } from '../store/idempotency.js';
import {
  allRegistrations,
  checkInRegistration,
  completeEventItem,
  expireContacts,
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
  takeArrivalPositions,
  transaction,
  waitlistPage,
} from '../store.js';
import {
  EventCompleted,
  type ExportedParticipant,
  Registration,
  RegistrationPlaced,
  RegistrationSummary,
  registrationSummaryView,
  registrationView,
  signInSheet,
  WaitingPlace,
  waitingView,
} from '../views.js';
import { eventParams, existingEvent } from './joint-events.js';
import { placed, placeRegistration, withdrawRegistration } from './places.js';

/** At most this many participants in one request: the whole request is one transaction. */
const MAX_PARTICIPANTS = 40;
/** PIPL: participants' phones are kept 30 days after the event completes, then DynamoDB erases them. */
const CONTACT_RETENTION_SECONDS = 30 * 24 * 60 * 60;

/** A member registers themselves: nothing to say. */
const memberRegistrationBody = z
  .strictObject({})
  .meta({ id: 'MemberRegistrationRequest', description: 'A member registers themselves: an empty body' });

/** A partner names who comes, and confirms they agreed to share their data (PIPL). */
const partnerRegistrationBody = z
  .strictObject({
    participants: z
      .array(
        z.strictObject({
          name: singleLine(50).meta({ example: '王芳' }),
          phone: z
            .string()
            .regex(/^1[3-9]\d{9}$/, 'Expected a mainland mobile number')
            .optional()
            .meta({ example: '13812345678' }),
        }),
      )
      .min(1)
      .max(MAX_PARTICIPANTS),
    consent: z.literal(true, { error: 'The partner must confirm its participants agreed' }),
  })
  .meta({
    id: 'PartnerRegistrationRequest',
    description: 'A partner registers 1–40 named participants, with their consent to share their data',
  });

/**
 * Each caller's own body: a member (a secretary too) `{}`, a partner its participants. Naming
 * participants as a member keeps its own refusal (the member is admitted; the body is wrong).
 */
const registrationBody = bodyPerRole(
  { member: memberRegistrationBody, partner: partnerRegistrationBody },
  {
    member: {
      participants: () =>
        badRequest('participants-not-allowed', 'A member registers themselves: send an empty body'),
      consent: () => badRequest('unexpected-field', 'A member registers themselves with an empty body'),
    },
  },
);
const registrationParams = z.strictObject({ eventId: idParam, registrationId: idParam });
const listRegistrationsQuery = z.strictObject({ ...pageQuery });

/**
 * One member's registration: theirs and the committee's to see or cancel. Secretaries hold it
 * only as members (joint events are not a branch's business), partners only their own: 404.
 */
const memberRegistration: Outcomes = {
  anonymous: 401,
  member: 'allowed',
  ownSecretary: 404,
  selfSecretary: 404,
  otherSecretary: 404,
  committee: 'allowed',
  ownPartner: 404,
  otherPartner: 404,
};

/**
 * Who registers: a partner for its organisation, or a member for themselves, as the person
 * their account names (a 403 `no-person` without one; `register` then checks the register
 * holds them). The body was validated against the same role's schema (`registrationBody`).
 */
export const registrantOf = (caller: Caller): Registrant => {
  if (hasRole(caller, 'member')) return { kind: 'member', personId: selfOf(caller) };
  // A partner account bound to no organisation has no one to act for.
  if (!caller.orgId) throw forbidden('This partner account belongs to no organisation');
  return { kind: 'partner', partnerId: caller.orgId };
};

/** The event as its registrants may see it; drafts and others' events do not exist for them. */
const visibleEvent = async (ctx: ServiceContext, eventId: string, caller: Caller) => {
  const event = await getEvent(ctx, eventId);
  if (!event || (event.status === 'draft' && !hasRole(caller, 'committee'))) throw notFound('Event');
  return event;
};

/** The committee sees every registration; a registrant only its own (anything else: 404). */
const mayHandle = (caller: Caller, r: RegistrationItem) =>
  hasRole(caller, 'committee') ||
  (r.registrant.kind === 'partner' && actsForOrg(caller, r.registrant.partnerId)) ||
  (r.registrant.kind === 'member' && isSelf(caller, r.registrant.personId));

/** Whose registrations a caller lists: all (the committee), its organisation's, or the member's own. */
const scopeOf = (caller: Caller): Registrant | 'all' => {
  if (hasRole(caller, 'committee')) return 'all';
  if (hasRole(caller, 'partner') && caller.orgId) return { kind: 'partner', partnerId: caller.orgId };
  if (!hasRole(caller, 'member')) throw forbidden('This partner account belongs to no organisation');
  return { kind: 'member', personId: selfOf(caller) };
};

// The export is printed and passed around at the door: the tail tells two 张三 apart, the
// whole number stays one audited read away (README, PIPL).
const masked = (phone: string | null | undefined) => (phone ? maskPhone(phone) : '');

/**
 * Members register themselves and give no name: theirs is read from the register's copy, for
 * the registrations asked for, so a list or a check-in shows who is coming.
 */
const memberNamesOf = async (ctx: ServiceContext, registrations: readonly RegistrationItem[]) => {
  const members = await rosterPeople(
    rosterReader(ctx),
    registrations.flatMap((r) => (r.registrant.kind === 'member' ? [r.registrant.personId] : [])),
  );
  return (r: RegistrationItem) =>
    r.registrant.kind === 'member' ? members.get(r.registrant.personId)?.name : undefined;
};

/**
 * What an export of an event's registrations shows, in the caller's scope (the committee all,
 * a partner its own): each participant with their name (a member's from the roster copy:
 * members give none), their organisation (a partner's name, a member's department) and their
 * phone, masked.
 */
const participantsToExport = async (ctx: ServiceContext, eventId: string, caller: Caller) => {
  const event = await visibleEvent(ctx, eventId, caller);
  const scope = scopeOf(caller);
  const registrations =
    scope === 'all'
      ? await allRegistrations(ctx, event.jointEventId)
      : await registrationsOf(ctx, event.jointEventId, scope);
  const phones = await phonesOf(
    ctx,
    event.jointEventId,
    registrations.map((r) => r.registrationId),
  );
  const members = await rosterPeople(
    rosterReader(ctx),
    registrations.flatMap((r) => (r.registrant.kind === 'member' ? [r.registrant.personId] : [])),
  );
  const partnerIds = [
    ...new Set(
      registrations.flatMap((r) => (r.registrant.kind === 'partner' ? [r.registrant.partnerId] : [])),
    ),
  ];
  const partners = new Map(
    await Promise.all(
      partnerIds.map(async (id) => [id, (await getPartner(ctx, id))?.orgName ?? ''] as const),
    ),
  );
  const rows: ExportedParticipant[] = registrations.flatMap((r) =>
    r.participants.map((p, i) => ({
      registration: r,
      participant: p,
      name:
        p.name ?? (r.registrant.kind === 'member' ? (members.get(r.registrant.personId)?.name ?? '') : ''),
      organisation:
        r.registrant.kind === 'partner'
          ? (partners.get(r.registrant.partnerId) ?? '')
          : (members.get(r.registrant.personId)?.department ?? ''),
      phone: masked(phones.get(r.registrationId)?.[i]),
    })),
  );
  const audited = {
    eventId: event.jointEventId,
    ...(scope !== 'all' && scope.kind === 'partner' ? { partnerId: scope.partnerId } : {}),
  };
  return { event, rows, audited };
};

const csvHeader = [
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

/** One row per participant, every status, for the check-in sheet at the door. */
const csvRows = (rows: readonly ExportedParticipant[]) =>
  rows.map(({ registration: r, participant: p, name, phone }) => [
    r.registrationId,
    r.registrant.kind === 'partner' ? '合作单位 partner' : '党员 member',
    r.registrant.kind === 'partner' ? r.registrant.partnerId : r.registrant.personId,
    name,
    phone,
    p.status,
    String(p.position),
    r.checkedInAt ?? '',
    r.createdAt,
  ]);

/** The answer to a repeat: the registration the first request created, as it stands now. */
const replayRegistration = async (ctx: ServiceContext, eventId: string, registrationId: string) => {
  const registration = await getRegistration(ctx, eventId, registrationId);
  if (!registration) throw notFound('Registration');
  return placedAnswer(placed(registration), (await memberNamesOf(ctx, [registration]))(registration));
};

const placedAnswer = (outcome: ReturnType<typeof placed>, memberName: string | undefined) => {
  const { jointEventId, registrationId } = outcome.registration;
  return created(
    {
      ...registrationView(outcome.registration, undefined, memberName),
      confirmed: outcome.confirm,
      waitlisted: outcome.wait,
    } satisfies z.output<typeof RegistrationPlaced>,
    `/community/events/${jointEventId}/registrations/${registrationId}`,
  );
};

/** A first registration: checks, an arrival number, then places (handlers/places.ts). */
const register = async (
  ctx: ServiceContext,
  {
    params,
    body,
    caller,
    now,
    registrant,
    key,
    scope,
    fingerprint,
  }: {
    params: { eventId: string };
    body: z.output<typeof registrationBody>;
    caller: Caller;
    now: Date;
    registrant: Registrant;
    key: string | undefined;
    scope: string;
    fingerprint: string;
  },
) => {
  // Only a person of the register takes part as a member: nothing is written for anyone else.
  const self = registrant.kind === 'member' ? await rosterSelf(rosterReader(ctx), caller) : undefined;
  const event = await visibleEvent(ctx, params.eventId, caller);
  unwrap(requireStatus(event.status, ['published'], 'registered for'));
  unwrap(requireRegistrationOpen(event, now));
  if (registrant.kind === 'partner') {
    const partner = await getPartner(ctx, registrant.partnerId);
    if (partner?.status !== 'approved')
      throw ruleViolation('partner-not-approved', 'The partner is not approved');
  } else if (await hasMemberRegistration(ctx, event.jointEventId, registrant.personId)) {
    throw conflict('already-registered', 'You are already registered for this event');
  }

  const people = 'participants' in body ? body.participants : [{ name: undefined, phone: undefined }];
  // Arrival order is fixed once, here; retries keep it.
  const positions = await takeArrivalPositions(ctx, event.jointEventId, people.length);
  const registrationId = newId();
  const outcome = await placeRegistration(ctx, {
    eventId: event.jointEventId,
    registrationId,
    registrant,
    people,
    positions,
    now,
    claim: { scope, key, fingerprint, entityId: registrationId, now },
  });
  return placedAnswer(outcome, self?.name);
};

export const registrationRoutes = [
  route('POST /community/events/{eventId}/registrations', {
    summary: `Register (报名): a member for themselves, a partner for named participants. A repeat with the same Idempotency-Key answers 201 as the first did`,
    description:
      'The body depends on the caller. A member (a secretary too) sends `{}` (MemberRegistrationRequest): naming participants is 400 `participants-not-allowed`, sending `consent` 400 `unexpected-field`. A partner sends its participants and `consent: true` (PartnerRegistrationRequest): either missing is 400 `validation-failed` naming the field.',
    idempotent: true,
    access: ['partner', 'member'],
    // Any approved partner and any member may take part; a secretary registers as a member.
    refusals: [
      'no-person',
      'registration-exists',
      'already-registered',
      'places-changed',
      'participants-not-allowed',
      'unexpected-field',
      'partner-not-approved',
      'registration-not-open',
      'registration-closed',
    ],
    outcomes: {
      anonymous: 401,
      member: 'allowed',
      ownSecretary: 'allowed',
      selfSecretary: 'allowed',
      otherSecretary: 'allowed',
      committee: 403,
      ownPartner: 'allowed',
      otherPartner: 'allowed',
    },
    responses: { 201: RegistrationPlaced },
    request: { params: eventParams, body: registrationBody },
    handler: async ({ params, body, caller, now, idempotencyKey: key }, ctx) => {
      const registrant = registrantOf(caller);
      const scope = scopes.registration(registrant);
      const fingerprint = fingerprintOf({ eventId: params.eventId, body });
      return idempotently(
        ctx,
        { key, scope, fingerprint },
        {
          replay: (registrationId) => replayRegistration(ctx, params.eventId, registrationId),
          create: () => register(ctx, { params, body, caller, now, registrant, key, scope, fingerprint }),
          // The member's one registration, written by an identical request that came first.
          lostRaceCodes: ['already-registered'],
        },
      );
    },
  }),
  route('GET /community/events/{eventId}/registrations', {
    summary: "List an event's registrations: all for the committee, one's own otherwise; phones masked",
    access: ['committee', 'partner', 'member'],
    // Everyone signed in gets a list, scoped to what is theirs (possibly empty).
    outcomes: { ...everyone, anonymous: 401 },
    refusals: ['no-person'],
    responses: { 200: pageOf(RegistrationSummary) },
    request: { params: eventParams, query: listRegistrationsQuery },
    handler: async ({ params, query, caller }, ctx) => {
      const event = await visibleEvent(ctx, params.eventId, caller);
      const page = await registrationsPage(ctx, event.jointEventId, scopeOf(caller), query);
      // Phones, masked: the committee and the partner that entered them; a member gave none.
      const phones = await phonesOf(
        ctx,
        event.jointEventId,
        page.items.map((r) => r.registrationId),
      );
      const nameOf = await memberNamesOf(ctx, page.items);
      return ok(pageView(page, (r) => registrationSummaryView(r, phones.get(r.registrationId), nameOf(r))));
    },
  }),
  route('GET /community/events/{eventId}/registrations.csv', {
    summary: 'Export registrations as CSV for on-site check-in (签到表); phones masked',
    description: "An audited read: talent's audit log records the export.",
    access: ['committee', 'partner'],
    outcomes: { ...committeeOnly, ownPartner: 'allowed', otherPartner: 'allowed' },
    responses: {
      200: {
        contentType: 'text/csv',
        description:
          'UTF-8 with BOM, CRLF: one row per participant; the committee gets all, a partner its own',
      },
    },
    request: { params: eventParams },
    handler: async (req, ctx) => {
      const { event, rows, audited } = await participantsToExport(ctx, req.params.eventId, req.caller);
      await auditExport(transaction(ctx), PersonalDataExported, req, {
        register: 'community.registrations',
        scope: { ...audited, format: 'csv' },
        rows: rows.length,
      });
      return text('text/csv; charset=utf-8', toCsv(csvHeader, csvRows(rows)), {
        'content-disposition': `attachment; filename="registrations-${event.jointEventId}.csv"`,
      });
    },
  }),
  route('GET /community/events/{eventId}/registrations.xlsx', {
    summary:
      'The sign-in sheet (签到表) as a workbook: one row per participant holding or awaiting a place, phones masked, a blank column to sign',
    description:
      "Same scope as the CSV: the committee gets every registration, a partner its own. Cancelled places are left out. An audited read: talent's audit log records the export. Always answered directly: an event holds at most 10,000 places, and its sheet stays far below 4 MB.",
    access: ['committee', 'partner'],
    outcomes: { ...committeeOnly, ownPartner: 'allowed', otherPartner: 'allowed' },
    responses: directWorkbookResponses,
    request: { params: eventParams },
    handler: async (req, ctx) => {
      const { event, rows, audited } = await participantsToExport(ctx, req.params.eventId, req.caller);
      const sheet = signInOrder(rows);
      const bytes = await writeWorkbook([signInSheet(sheet)]);
      await auditExport(transaction(ctx), PersonalDataExported, req, {
        register: 'community.sign-in-sheet',
        scope: { ...audited, format: 'xlsx' },
        rows: sheet.length,
      });
      return deliverWorkbook(ctx, { bytes, filename: `签到表-${event.jointEventId}.xlsx`, now: req.now });
    },
  }),
  route('GET /community/events/{eventId}/registrations/{registrationId}', {
    summary: 'Read one registration, participants’ phones in full, to its registrant or the committee',
    access: ['committee', 'partner', 'member'],
    outcomes: memberRegistration,
    responses: { 200: Registration },
    request: { params: registrationParams },
    // The only place phones show whole.
    handler: async ({ params, caller }, ctx) => {
      const registration = await getRegistration(ctx, params.eventId, params.registrationId);
      if (!registration || !mayHandle(caller, registration)) throw notFound('Registration');
      const [phones, nameOf] = await Promise.all([
        phonesOf(ctx, params.eventId, [registration.registrationId]),
        memberNamesOf(ctx, [registration]),
      ]);
      return ok(
        registrationView(registration, phones.get(registration.registrationId), nameOf(registration)),
      );
    },
  }),
  route('DELETE /community/events/{eventId}/registrations/{registrationId}', {
    summary: 'Cancel a registration until 24 hours before the start; the waitlist moves up',
    access: ['committee', 'partner', 'member'],
    outcomes: memberRegistration,
    refusals: ['registration-cancelled', 'places-changed', 'cancellation-deadline-passed'],
    responses: { 204: 'empty' },
    request: { params: registrationParams },
    handler: async ({ params, caller, now }, ctx) => {
      const { eventId, registrationId } = params;
      const first = await getRegistration(ctx, eventId, registrationId);
      if (!first || !mayHandle(caller, first)) throw notFound('Registration');
      await withdrawRegistration(ctx, { eventId, registrationId, now });
      return noContent();
    },
  }),
  route('GET /community/events/{eventId}/waitlist', {
    summary: 'The waitlist (候补) in arrival order',
    access: ['committee'],
    outcomes: committeeOnly,
    responses: { 200: pageOf(WaitingPlace) },
    request: { params: eventParams, query: listRegistrationsQuery },
    handler: async ({ params, query }, ctx) => {
      const event = await existingEvent(ctx, params.eventId);
      const page = await waitlistPage(ctx, event.jointEventId, query);
      return ok(pageView(page, waitingView));
    },
  }),
  route('POST /community/events/{eventId}/check-in', {
    summary: 'Check a registration in (签到) on the day of the event',
    access: ['committee'],
    outcomes: committeeOnly,
    refusals: ['already-checked-in', 'no-confirmed-place', 'not-event-day'],
    responses: { 200: Registration },
    request: { params: eventParams, body: z.strictObject({ registrationId: idParam }) },
    handler: async ({ params, body, now }, ctx) => {
      const event = await existingEvent(ctx, params.eventId);
      const registration = await getRegistration(ctx, event.jointEventId, body.registrationId);
      if (!registration) throw notFound('Registration');
      unwrap(requireStatus(event.status, ['published'], 'checked in to'));
      unwrap(requireEventDay(event, now));
      unwrap(requireCheckIn(registration));
      const checkedInAt = toLocalIso(now);
      await checkInRegistration(transaction(ctx), registration, checkedInAt).commit();
      const nameOf = await memberNamesOf(ctx, [registration]);
      return ok(registrationView({ ...registration, checkedInAt }, undefined, nameOf(registration)));
    },
  }),
  route('POST /community/events/{eventId}/complete', {
    summary: 'Complete an event: who took part, and their volunteering hours',
    access: ['committee'],
    outcomes: committeeOnly,
    refusals: ['event-status-conflict', 'event-not-started'],
    responses: { 200: EventCompleted },
    request: { params: eventParams },
    handler: async ({ params, now }, ctx) => {
      const event = await existingEvent(ctx, params.eventId);
      unwrap(requireStatus(event.status, ['published'], 'completed'));
      unwrap(requireStarted(event, now));
      const hours = creditedHours(event);
      const { members, partnerParticipants } = participation(
        await allRegistrations(ctx, event.jointEventId),
        hours,
      );
      // Erasure first: if completion then fails, the phones still go, which PIPL prefers.
      await expireContacts(
        ctx,
        event.jointEventId,
        Math.floor(now.getTime() / 1000) + CONTACT_RETENTION_SECONDS,
      );

      const tx = completeEventItem(transaction(ctx), event, toLocalIso(now));
      tx.publish(
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
      await tx.commit();
      return ok({
        jointEventId: event.jointEventId,
        status: 'completed',
        members,
        partnerParticipants,
        hours,
      } satisfies z.output<typeof EventCompleted>);
    },
  }),
];
