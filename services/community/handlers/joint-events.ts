import * as z from 'zod';
import { hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap, validationFailed } from '../../../shared/errors.js';
import { idempotently } from '../../../shared/http/idempotent.js';
import { pageOf, pageQuery } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { fingerprintOf } from '../../../shared/idempotency.js';
import { newId } from '../../../shared/ids.js';
import { committeeOnly, everyone } from '../../../shared/outcomes.js';
import { idParam, isoDateTime, multiLine, singleLine, versionField } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { claimIdempotencyKey, commitClaimed } from '../../../shared/store/idempotency.js';
import { versionConflict } from '../../../shared/store/version.js';
import { toLocalIso } from '../../../shared/time.js';
import {
  requireRegistrationAhead,
  requireStatus,
  validateQuota,
  validateSchedule,
} from '../domain/joint-events.js';
import { JointEventPublished } from '../events.js';
import { jointEventKind } from '../schemas.js';
import { scopes } from '../store/idempotency.js';
import {
  cancelEventItem,
  createDraftEvent,
  draftEventsPage,
  getEvent,
  type JointEventItem,
  publishEventItem,
  publishedEventsPage,
  replaceDraftEvent,
  transaction,
} from '../store.js';
import { eventView, JointEvent, PublicJointEvent, publicEventView } from '../views.js';

const eventFields = {
  title: singleLine(200).meta({ example: '“学雷锋”社区志愿服务' }),
  kind: jointEventKind,
  // May be empty; otherwise free text like any other (no control or bidi-override characters).
  description: multiLine(5000)
    .or(z.literal(''))
    .meta({ example: '与社区党委联合开展义诊、家电维修和政策宣讲。' }),
  startsAt: isoDateTime.meta({ example: '2026-12-05T09:00:00+08:00' }),
  endsAt: isoDateTime.meta({ example: '2026-12-05T11:30:00+08:00' }),
  location: singleLine(200).meta({ example: '东街社区文化广场' }),
  capacity: z.number().int().min(1).max(10_000).meta({ example: 60 }),
  partnerQuota: z.number().int().min(1).max(10_000).optional().meta({ example: 20 }),
  registrationOpensAt: isoDateTime.meta({ example: '2026-11-20T09:00:00+08:00' }),
  registrationClosesAt: isoDateTime.meta({ example: '2026-12-03T18:00:00+08:00' }),
  hostPartnerIds: z.array(idParam).max(20).optional(),
};

const createEventBody = z.strictObject(eventFields);
const patchEventBody = createEventBody
  .partial()
  .extend({ version: versionField })
  .meta({ description: 'The fields to change (at least one besides `version`, else 400 naming `body`)' });
export const eventParams = z.strictObject({ eventId: idParam });
const listEventsQuery = z.strictObject({ ...pageQuery });

const local = (iso: string) => toLocalIso(new Date(iso));

/** The event, for the committee's routes: the committee sees every event, drafts included. */
export const existingEvent = async (ctx: ServiceContext, eventId: string): Promise<JointEventItem> => {
  const found = await getEvent(ctx, eventId);
  if (!found) throw notFound('Event');
  return found;
};

/** The event a PATCH asks for: the fields it sends, times in local time; the version is its precondition only. */
const changed = (event: JointEventItem, patch: z.output<typeof patchEventBody>): JointEventItem => {
  const { version: _, kind, ...changes } = patch;
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<
    Omit<typeof patch, 'version' | 'kind'>
  >;
  if (Object.keys(defined).length === 0 && kind === undefined) {
    throw validationFailed([{ field: 'body', message: 'Nothing to change' }]);
  }
  for (const field of ['startsAt', 'endsAt', 'registrationOpensAt', 'registrationClosesAt'] as const) {
    const value = defined[field];
    if (value !== undefined) defined[field] = local(value);
  }
  return {
    ...event,
    ...(defined as Partial<JointEventItem>),
    ...(kind === undefined ? {} : { eventKind: kind }),
    version: event.version + 1,
  };
};

const event = PublicJointEvent.or(JointEvent).meta({
  description: 'The committee sees the managed view (counters, version); everyone else the public one',
});

export const jointEventRoutes = [
  route('POST /community/events', {
    summary:
      'Create a joint event (联合活动) as a draft. A repeat with the same Idempotency-Key answers 201 as the first did',
    idempotent: true,
    access: ['committee'],
    refusals: ['event-exists'],
    outcomes: committeeOnly,
    responses: { 201: JointEvent },
    request: { body: createEventBody },
    handler: async ({ body, now, caller, idempotencyKey: key }, ctx) => {
      const scope = scopes.draft(caller.personId ?? caller.sub);
      const fingerprint = fingerprintOf(body);
      unwrap(validateSchedule(body));
      unwrap(validateQuota(body.capacity, body.partnerQuota));
      const jointEventId = newId();
      const draft: JointEventItem = {
        jointEventId,
        title: body.title,
        eventKind: body.kind,
        description: body.description,
        startsAt: local(body.startsAt),
        endsAt: local(body.endsAt),
        location: body.location,
        capacity: body.capacity,
        ...(body.partnerQuota === undefined ? {} : { partnerQuota: body.partnerQuota }),
        registrationOpensAt: local(body.registrationOpensAt),
        registrationClosesAt: local(body.registrationClosesAt),
        hostPartnerIds: body.hostPartnerIds ?? [],
        status: 'draft',
        confirmed: 0,
        createdAt: toLocalIso(now),
        version: 1,
      };
      const claim = { scope, key, fingerprint, entityId: jointEventId, now };
      return idempotently(
        ctx,
        { key, scope, fingerprint },
        {
          replay: async (id) => {
            const event = await existingEvent(ctx, id);
            return created(eventView(event), `/community/events/${id}`);
          },
          create: async () => {
            await commitClaimed(
              ctx,
              createDraftEvent(claimIdempotencyKey(transaction(ctx), claim), draft),
              claim,
            );
            return created(eventView(draft), `/community/events/${jointEventId}`);
          },
        },
      );
    },
  }),
  route('GET /community/events', {
    summary: 'List published joint events still to come, by start; public',
    access: 'public',
    outcomes: everyone,
    responses: { 200: pageOf(PublicJointEvent) },
    request: { query: listEventsQuery },
    handler: async ({ query, now }, ctx) => ok(await publishedEventsPage(ctx, query, now, publicEventView)),
  }),
  route('GET /community/events/drafts', {
    summary: "List the committee's draft joint events, by start",
    access: ['committee'],
    outcomes: committeeOnly,
    responses: { 200: pageOf(JointEvent) },
    request: { query: listEventsQuery },
    // The committee's working list, with the version a PATCH needs.
    handler: async ({ query }, ctx) => ok(await draftEventsPage(ctx, query, eventView)),
  }),
  route('GET /community/events/{eventId}', {
    summary: 'Read one joint event; drafts exist only for the committee',
    access: 'public',
    outcomes: everyone,
    responses: { 200: event },
    request: { params: eventParams },
    handler: async ({ params, caller }, ctx) => {
      const found = await getEvent(ctx, params.eventId);
      const committee = hasRole(caller, 'committee');
      // A draft does not exist for the public.
      if (!found || (found.status === 'draft' && !committee)) throw notFound('Event');
      return ok(committee ? eventView(found) : publicEventView(found));
    },
  }),
  route('PATCH /community/events/{eventId}', {
    summary: 'Change a draft joint event (optimistic: send its version)',
    access: ['committee'],
    outcomes: committeeOnly,
    refusals: ['version-conflict', 'event-status-conflict'],
    responses: { 200: JointEvent },
    request: { params: eventParams, body: patchEventBody },
    handler: async ({ params, body }, ctx) => {
      const current = await existingEvent(ctx, params.eventId);
      unwrap(requireStatus(current.status, ['draft'], 'changed'));
      if (body.version !== current.version) throw versionConflict('The event');
      const next = changed(current, body);
      unwrap(validateSchedule(next));
      unwrap(validateQuota(next.capacity, next.partnerQuota));
      await replaceDraftEvent(transaction(ctx), next, body.version).commit();
      return ok(eventView(next));
    },
  }),
  route('POST /community/events/{eventId}/publish', {
    summary: 'Publish a draft joint event (发布), opening it for registration',
    access: ['committee'],
    outcomes: committeeOnly,
    refusals: ['event-status-conflict', 'registration-window-past'],
    responses: { 200: JointEvent },
    request: { params: eventParams },
    handler: async ({ params, now }, ctx) => {
      const draft = await existingEvent(ctx, params.eventId);
      unwrap(requireStatus(draft.status, ['draft'], 'published'));
      unwrap(requireRegistrationAhead(draft, now));
      const tx = publishEventItem(transaction(ctx), draft);
      tx.publish(
        JointEventPublished,
        {
          jointEventId: draft.jointEventId,
          title: draft.title,
          kind: draft.eventKind,
          startsAt: draft.startsAt,
          endsAt: draft.endsAt,
          location: draft.location,
          capacity: draft.capacity,
        },
        { key: draft.jointEventId, occurredAt: now },
      );
      await tx.commit();
      return ok(eventView({ ...draft, status: 'published', version: draft.version + 1 }));
    },
  }),
  route('POST /community/events/{eventId}/cancel', {
    summary: 'Cancel a joint event, with a reason',
    access: ['committee'],
    outcomes: committeeOnly,
    responses: { 200: JointEvent },
    request: {
      params: eventParams,
      body: z.strictObject({ reason: multiLine(500).meta({ example: '因天气原因取消' }) }),
    },
    handler: async ({ params, body }, ctx) => {
      const current = await existingEvent(ctx, params.eventId);
      unwrap(requireStatus(current.status, ['draft', 'published'], 'cancelled'));
      await cancelEventItem(transaction(ctx), current, body.reason).commit();
      return ok(
        eventView({
          ...current,
          status: 'cancelled',
          cancelReason: body.reason,
          version: current.version + 1,
        }),
      );
    },
  }),
];
