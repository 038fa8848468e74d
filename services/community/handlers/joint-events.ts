import * as z from 'zod';
import { hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, notFound, validationFailed } from '../../../shared/errors.js';
import { pageQuery } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, isoDateTime, nonEmpty } from '../../../shared/schemas.js';
import type { HttpRequest } from '../../../shared/service.js';
import { toLocalIso } from '../../../shared/time.js';
import {
  requireRegistrationAhead,
  requireStatus,
  validateQuota,
  validateSchedule,
} from '../domain/joint-events.js';
import { JointEventPublished } from '../events.js';
import { jointEventKind, singleLine } from '../schemas.js';
import {
  cancelEventItem,
  DRAFT_EVENTS,
  getEvent,
  gsi1Page,
  type JointEventItem,
  keys,
  PUBLISHED_EVENTS,
  publishEventItem,
  publishedSortKey,
  tx,
} from '../store.js';
import { eventView, publicEventView } from '../views.js';

const eventFields = {
  title: singleLine(200),
  kind: jointEventKind,
  description: z.string().trim().max(5000),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  location: singleLine(200),
  capacity: z.number().int().min(1).max(10_000),
  partnerQuota: z.number().int().min(1).max(10_000).optional(),
  registrationOpensAt: isoDateTime,
  registrationClosesAt: isoDateTime,
  hostPartnerIds: z.array(idParam).max(20).optional(),
};

export const createEventBody = z.strictObject(eventFields);
export const patchEventBody = createEventBody.partial().extend({ version: z.number().int().min(1) });
export const eventParams = z.strictObject({ eventId: idParam });
export const cancelEventBody = z.strictObject({ reason: nonEmpty(500) });
export const listEventsQuery = z.strictObject({ ...pageQuery });

const local = (iso: string) => toLocalIso(new Date(iso));
const versionConflict = () => conflict('version-conflict', 'The event changed meanwhile; read it again');

export const createEvent = async (
  { body, now }: HttpRequest<{ body: typeof createEventBody }, readonly ['committee']>,
  ctx: ServiceContext,
) => {
  validateSchedule(body);
  validateQuota(body.capacity, body.partnerQuota);
  const jointEventId = newId();
  const event: JointEventItem = {
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
  await tx(ctx)
    .create(
      {
        ...keys.event(jointEventId),
        type: 'joint-event',
        gsi1pk: DRAFT_EVENTS,
        gsi1sk: publishedSortKey(event),
        ...event,
      },
      () => conflict('event-exists', 'The event already exists'),
    )
    .commit();
  return created(eventView(event), `/community/events/${jointEventId}`);
};

const mustExist = async (ctx: ServiceContext, eventId: string) => {
  const event = await getEvent(ctx, eventId);
  if (!event) throw notFound('Event');
  return event;
};

export const patchEvent = async (
  {
    params,
    body,
  }: HttpRequest<{ params: typeof eventParams; body: typeof patchEventBody }, readonly ['committee']>,
  ctx: ServiceContext,
) => {
  const event = await mustExist(ctx, params.eventId);
  requireStatus(event.status, ['draft'], 'changed');
  if (body.version !== event.version) throw versionConflict();
  const { version, kind, ...changes } = body;
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<
    Omit<typeof body, 'version' | 'kind'>
  >;
  if (Object.keys(defined).length === 0 && kind === undefined) {
    throw validationFailed([{ field: 'body', message: 'Nothing to change' }]);
  }
  for (const field of ['startsAt', 'endsAt', 'registrationOpensAt', 'registrationClosesAt'] as const) {
    const value = defined[field];
    if (value !== undefined) defined[field] = local(value);
  }
  const next: JointEventItem = {
    ...event,
    ...(defined as Partial<JointEventItem>),
    ...(kind === undefined ? {} : { eventKind: kind }),
    version: event.version + 1,
  };
  validateSchedule(next);
  validateQuota(next.capacity, next.partnerQuota);
  await tx(ctx)
    .put(
      {
        ...keys.event(event.jointEventId),
        type: 'joint-event',
        ...next,
        gsi1pk: DRAFT_EVENTS,
        gsi1sk: publishedSortKey(next),
      },
      {
        condition: '#version = :expected AND #status = :draft',
        names: { '#version': 'version', '#status': 'status' },
        values: { ':expected': version, ':draft': 'draft' },
        onConditionFailed: versionConflict,
      },
    )
    .commit();
  return ok(eventView(next));
};

export const publishEvent = async (
  { params, now }: HttpRequest<{ params: typeof eventParams }, readonly ['committee']>,
  ctx: ServiceContext,
) => {
  const event = await mustExist(ctx, params.eventId);
  requireStatus(event.status, ['draft'], 'published');
  requireRegistrationAhead(event, now);
  const t = tx(ctx);
  publishEventItem(t, event, versionConflict);
  t.publish(
    JointEventPublished,
    {
      jointEventId: event.jointEventId,
      title: event.title,
      kind: event.eventKind,
      startsAt: event.startsAt,
      endsAt: event.endsAt,
      location: event.location,
      capacity: event.capacity,
    },
    { key: event.jointEventId, occurredAt: now },
  );
  await t.commit();
  return ok(eventView({ ...event, status: 'published', version: event.version + 1 }));
};

export const cancelEvent = async (
  {
    params,
    body,
  }: HttpRequest<{ params: typeof eventParams; body: typeof cancelEventBody }, readonly ['committee']>,
  ctx: ServiceContext,
) => {
  const event = await mustExist(ctx, params.eventId);
  requireStatus(event.status, ['draft', 'published'], 'cancelled');
  await cancelEventItem(tx(ctx), event, body.reason, versionConflict).commit();
  return ok(
    eventView({ ...event, status: 'cancelled', cancelReason: body.reason, version: event.version + 1 }),
  );
};

export const listPublishedEvents = async (
  { query, now }: HttpRequest<{ query: typeof listEventsQuery }, 'public'>,
  ctx: ServiceContext,
) => ok(await gsi1Page(ctx, PUBLISHED_EVENTS, query, publicEventView, now.toISOString()));

/** The committee's working list: drafts by start, with the version a PATCH needs. */
export const listDrafts = async (
  { query }: HttpRequest<{ query: typeof listEventsQuery }, readonly ['committee']>,
  ctx: ServiceContext,
) => ok(await gsi1Page(ctx, DRAFT_EVENTS, query, eventView));

export const showEvent = async (
  { params, caller }: HttpRequest<{ params: typeof eventParams }, 'public'>,
  ctx: ServiceContext,
) => {
  const event = await getEvent(ctx, params.eventId);
  const committee = hasRole(caller, 'committee');
  // A draft does not exist for the public.
  if (!event || (event.status === 'draft' && !committee)) throw notFound('Event');
  return ok(committee ? eventView(event) : publicEventView(event));
};
