/**
 * The community table, and every read and write of it: handlers name the commands here and
 * in store/places.ts (the conditions that keep places true) and never write an expression, a
 * condition or a key. Access patterns (every list is a Query; no Scan anywhere):
 *   partner by id                 pk PARTNER#<id>               sk PARTNER
 *   partners by status            gsi1 PARTNERS#<status>        gsi1sk <appliedAt>#<id>
 *   identity of an organisation   pk UNIQUE#credit#<code> | UNIQUE#name#<sha256 of normalised name>, sk UNIQUE
 *                                 (held for good, whatever the committee decides: never released)
 *   joint event by id             pk EVENT#<id>                 sk EVENT   (holds `confirmed`)
 *   published events by start     gsi1 PUBLISHED_EVENTS         gsi1sk <startsAt UTC>#<id>
 *   drafts (committee) by start   gsi1 DRAFT_EVENTS             gsi1sk <startsAt UTC>#<id>
 *   an event's registrations      pk EVENT#<id>                 sk begins_with REG#
 *   a partner's / member's own    gsi1 EVENT#<id>#PARTNER#<orgId> | EVENT#<id>#MEMBER#<personId>, gsi1sk <registrationId>
 *   waitlist in arrival order     pk EVENT#<id>                 sk begins_with WAIT#<position, zero-padded>
 *   places a partner holds        pk EVENT#<id>                 sk QUOTA#<partnerId>   (`confirmedForPartner`)
 *   arrival sequence              pk EVENT#<id>                 sk ARRIVALS            (`next`)
 *   one registration per member   pk EVENT#<id>                 sk MEMBER#<personId>
 *   participants' phones (PIPL)   pk EVENT#<id>                 sk CONTACT#<registrationId>  (TTL expiresAt)
 *   talent's roster copy          PERSON#<personId> / ROSTER, ROSTER#<branchId> / PERSON#<id>
 *                                 (services/talent/roster.ts; no contact details): who is a person of the register
 *   idempotency claims            pk IDEMPOTENCY#<scope>#<key>  sk IDEMPOTENCY  (TTL expiresAt, 24 h;
 *                                 store/idempotency.ts): one per create, the fence for a lost answer
 *   outbox and consumer markers   OUTBOX#… / SEEN#… items (shared/events)
 *   a registrant's registrations  gsi2 on the registration item: store/me.ts
 */
import { createHash } from 'node:crypto';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../shared/context.js';
import { conflict } from '../../shared/errors.js';
import type { Page } from '../../shared/http/paging.js';
import { getInBatches } from '../../shared/store/batch.js';
import { getItem, queryAll, queryPage } from '../../shared/store/query.js';
import { singleTable, transactionOn } from '../../shared/store/table.js';
import type { Transaction } from '../../shared/store/transaction.js';
import { expectVersion, versionBump } from '../../shared/store/version.js';
import type { RosterReader } from '../talent/roster.js';
import type { JointEventStatus } from './domain/joint-events.js';
import type { PartnerStatus } from './domain/partners.js';
import type { jointEventKinds, partnerTypes } from './events.js';

export const table = singleTable(2);

export const transaction = (ctx: ServiceContext) => transactionOn(ctx, table);
/** talent's roster, as community's own copy holds it (kept by the roster subscriptions). */
export const rosterReader = (ctx: ServiceContext): RosterReader => ({
  db: ctx.db,
  tableName: ctx.env.tableName,
  table,
});

/** The items' keys; only the store's own modules (store/places.ts) use them. */
export const keys = {
  partner: (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: 'PARTNER' }),
  creditCode: (code: string) => ({ pk: `UNIQUE#credit#${code}`, sk: 'UNIQUE' }),
  // Hashed: NFKC can expand a 100-character name beyond DynamoDB's key size limit.
  orgName: (normalised: string) => ({
    pk: `UNIQUE#name#${createHash('sha256').update(normalised).digest('hex')}`,
    sk: 'UNIQUE',
  }),
  event: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' }),
  registration: (eventId: string, registrationId: string) => ({
    pk: `EVENT#${eventId}`,
    sk: `REG#${registrationId}`,
  }),
  contact: (eventId: string, registrationId: string) => ({
    pk: `EVENT#${eventId}`,
    sk: `CONTACT#${registrationId}`,
  }),
  waiting: (eventId: string, position: number) => ({
    pk: `EVENT#${eventId}`,
    sk: `WAIT#${String(position).padStart(12, '0')}`,
  }),
  quota: (eventId: string, partnerId: string) => ({ pk: `EVENT#${eventId}`, sk: `QUOTA#${partnerId}` }),
  arrivals: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'ARRIVALS' }),
  member: (eventId: string, personId: string) => ({ pk: `EVENT#${eventId}`, sk: `MEMBER#${personId}` }),
};

const partnersByStatus = (status: PartnerStatus) => `PARTNERS#${status}`;
const PUBLISHED_EVENTS = 'PUBLISHED_EVENTS';
const DRAFT_EVENTS = 'DRAFT_EVENTS';
export const ownRegistrations = (eventId: string, registrant: Registrant) =>
  registrant.kind === 'partner'
    ? `EVENT#${eventId}#PARTNER#${registrant.partnerId}`
    : `EVENT#${eventId}#MEMBER#${registrant.personId}`;

export interface PartnerItem {
  partnerId: string;
  orgName: string;
  orgType: (typeof partnerTypes)[number];
  creditCode?: string;
  nameKey: string;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  intro: string;
  status: PartnerStatus;
  appliedAt: string;
  /** PIPL: when the applicant consented to the processing of the contact's data. */
  consentedAt: string;
  decidedAt?: string;
  reason?: string;
  version: number;
}

export interface JointEventItem {
  jointEventId: string;
  title: string;
  eventKind: (typeof jointEventKinds)[number];
  description: string;
  startsAt: string;
  endsAt: string;
  location: string;
  capacity: number;
  partnerQuota?: number;
  registrationOpensAt: string;
  registrationClosesAt: string;
  hostPartnerIds: string[];
  status: JointEventStatus;
  confirmed: number;
  cancelReason?: string;
  createdAt: string;
  version: number;
}

export type Registrant = { kind: 'member'; personId: string } | { kind: 'partner'; partnerId: string };

export type ParticipantStatus = 'confirmed' | 'waitlisted' | 'cancelled';

export interface Participant {
  name: string | null;
  status: ParticipantStatus;
  /** Arrival position; the waitlist is ordered by it. */
  position: number;
}

export interface RegistrationItem {
  registrationId: string;
  jointEventId: string;
  registrant: Registrant;
  participants: Participant[];
  status: 'active' | 'cancelled';
  createdAt: string;
  /** PIPL: when a partner confirmed its participants agreed (absent for members). */
  consentedAt?: string;
  checkedInAt?: string;
  cancelledAt?: string;
  version: number;
}

export interface WaitingItem {
  position: number;
  registrationId: string;
  participantIndex: number;
  partnerId?: string;
}

const get = <T>(ctx: ServiceContext, key: Record<string, string>) => getItem<T>(ctx, key);

export const getPartner = (ctx: ServiceContext, partnerId: string) =>
  get<PartnerItem>(ctx, keys.partner(partnerId));
export const getEvent = (ctx: ServiceContext, eventId: string) =>
  get<JointEventItem>(ctx, keys.event(eventId));
export const getRegistration = (ctx: ServiceContext, eventId: string, registrationId: string) =>
  get<RegistrationItem>(ctx, keys.registration(eventId, registrationId));
export const hasMemberRegistration = async (ctx: ServiceContext, eventId: string, personId: string) =>
  (await get(ctx, keys.member(eventId, personId))) !== undefined;

export const confirmedForPartner = async (ctx: ServiceContext, eventId: string, partnerId: string) =>
  (await get<{ confirmedForPartner?: number }>(ctx, keys.quota(eventId, partnerId)))?.confirmedForPartner ??
  0;

/**
 * Hands out `count` consecutive arrival positions. A separate counter item, so taking a
 * number never contends with the transactions that confirm places on the event item.
 */
export const takeArrivalPositions = async (
  ctx: ServiceContext,
  eventId: string,
  count: number,
): Promise<number[]> => {
  const out = await ctx.db.send(
    new UpdateCommand({
      TableName: ctx.env.tableName,
      Key: keys.arrivals(eventId),
      UpdateExpression: 'ADD #next :count',
      ExpressionAttributeNames: { '#next': 'next' },
      ExpressionAttributeValues: { ':count': count },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const last = out.Attributes?.next as number;
  return Array.from({ length: count }, (_, i) => last - count + 1 + i);
};

const eventItems = <T>(ctx: ServiceContext, eventId: string, prefix: string) =>
  queryAll<T>(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': `EVENT#${eventId}`, ':prefix': prefix },
    ConsistentRead: true,
  });

export const allRegistrations = (ctx: ServiceContext, eventId: string) =>
  eventItems<RegistrationItem>(ctx, eventId, 'REG#');

type PageRequest = { limit: number; cursor?: string | undefined };

/**
 * One page of a gsi1 list (partners by status, drafts, published events), each item shown
 * through `view`. `from` keeps only sort keys at or after it (published events still to come).
 */
const gsi1Page = <I, T>(
  ctx: ServiceContext,
  list: string,
  partition: string,
  page: PageRequest,
  view: (item: I) => T,
  from?: string,
): Promise<Page<T>> =>
  queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: from === undefined ? 'gsi1pk = :p' : 'gsi1pk = :p AND gsi1sk >= :from',
      ExpressionAttributeValues: { ':p': partition, ...(from === undefined ? {} : { ':from': from }) },
    },
    { list, partition: { name: 'gsi1pk', value: partition }, limit: page.limit, cursor: page.cursor },
    (item) => view(item as I),
  );

/** One page of the partners in one status, in order of application. */
export const partnersPage = <T>(
  ctx: ServiceContext,
  status: PartnerStatus,
  page: PageRequest,
  view: (partner: PartnerItem) => T,
) => gsi1Page(ctx, 'partners', partnersByStatus(status), page, view);

/** One page of the published events starting at `from` or later, by start. */
export const publishedEventsPage = <T>(
  ctx: ServiceContext,
  page: PageRequest,
  from: Date,
  view: (event: JointEventItem) => T,
) => gsi1Page(ctx, 'published-events', PUBLISHED_EVENTS, page, view, from.toISOString());

/** One page of the drafts, by start. */
export const draftEventsPage = <T>(
  ctx: ServiceContext,
  page: PageRequest,
  view: (event: JointEventItem) => T,
) => gsi1Page(ctx, 'draft-events', DRAFT_EVENTS, page, view);

/** One page of an event's items of one kind (`REG#`, `WAIT#`), in sort key order. */
const eventPage = <T>(
  ctx: ServiceContext,
  list: string,
  eventId: string,
  prefix: string,
  page: PageRequest,
) =>
  queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `EVENT#${eventId}`, ':prefix': prefix },
      ConsistentRead: true,
    },
    { list, partition: { name: 'pk', value: `EVENT#${eventId}` }, limit: page.limit, cursor: page.cursor },
    (item) => item as unknown as T,
  );

/** One page of an event's registrations: every one, or one registrant's (on the index). */
export const registrationsPage = (
  ctx: ServiceContext,
  eventId: string,
  scope: Registrant | 'all',
  page: PageRequest,
) =>
  scope === 'all'
    ? eventPage<RegistrationItem>(ctx, 'registrations', eventId, 'REG#', page)
    : gsi1Page(ctx, 'own-registrations', ownRegistrations(eventId, scope), page, (r: RegistrationItem) => r);

/** One page of the waitlist, in arrival order. */
export const waitlistPage = (ctx: ServiceContext, eventId: string, page: PageRequest) =>
  eventPage<WaitingItem>(ctx, 'waitlist', eventId, 'WAIT#', page);

/** One registrant's registrations for an event, on the index. */
export const registrationsOf = (ctx: ServiceContext, eventId: string, registrant: Registrant) =>
  queryAll<RegistrationItem>(ctx, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': ownRegistrations(eventId, registrant) },
  });

/** The head of the waitlist, in arrival order. */
export const waitlistHead = async (ctx: ServiceContext, eventId: string, limit: number) => {
  const out = await ctx.db.send(
    new QueryCommand({
      TableName: ctx.env.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `EVENT#${eventId}`, ':prefix': 'WAIT#' },
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return (out.Items ?? []) as WaitingItem[];
};

/**
 * Participants' phones of the given registrations, by registration id. Keys DynamoDB keeps
 * leaving unprocessed (throttling) are a 503, never a list that silently lacks phones.
 */
export const phonesOf = async (
  ctx: ServiceContext,
  eventId: string,
  registrationIds: readonly string[],
): Promise<Map<string, (string | null)[]>> => {
  const items = await getInBatches(
    ctx,
    registrationIds.map((id) => keys.contact(eventId, id)),
  );
  return new Map(
    items.map((item) => [(item.sk as string).slice('CONTACT#'.length), item.phones as (string | null)[]]),
  );
};

/** PIPL: every phone of the event is erased by DynamoDB (TTL) at `expiresAt`, epoch seconds. */
export const expireContacts = async (ctx: ServiceContext, eventId: string, expiresAt: number) => {
  for (const { pk, sk } of await eventItems<{ pk: string; sk: string }>(ctx, eventId, 'CONTACT#')) {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.env.tableName,
        Key: { pk, sk },
        UpdateExpression: 'SET expiresAt = :at',
        ExpressionAttributeValues: { ':at': expiresAt },
      }),
    );
  }
};

// ---------------------------------------------------------------------------------------
// Partners: commands

// One code whatever the holder's status: the public form tells nobody that an organisation
// was rejected or suspended.
const alreadyApplied = () =>
  conflict(
    'partner-already-applied',
    'This organisation has already applied; to change or renew a partnership, contact the party committee',
  );

/**
 * A new application, on its status's list (gsi1) in order of arrival. The identity items
 * make "one application per organisation, ever" hold under concurrency.
 */
export const createPartner = (t: Transaction, partner: PartnerItem, appliedAt: Date): Transaction => {
  const { partnerId } = partner;
  t.create({ ...keys.orgName(partner.nameKey), type: 'identity', partnerId }, alreadyApplied);
  if (partner.creditCode)
    t.create({ ...keys.creditCode(partner.creditCode), type: 'identity', partnerId }, alreadyApplied);
  return t.create(
    {
      ...keys.partner(partnerId),
      type: 'partner',
      gsi1pk: partnersByStatus(partner.status),
      gsi1sk: `${appliedAt.toISOString()}#${partnerId}`,
      ...partner,
    },
    alreadyApplied,
  );
};

/** The committee's decision on a partner, on the version read; it moves to that status's list (gsi1). */
export const decidePartner = (
  t: Transaction,
  partner: Pick<PartnerItem, 'partnerId' | 'version'>,
  decision: { status: PartnerStatus; at: string; reason?: string },
): Transaction =>
  t.update(
    keys.partner(partner.partnerId),
    {
      expression:
        `SET #status = :status, decidedAt = :at, ${versionBump.expression}, gsi1pk = :gsi1pk` +
        (decision.reason ? ', reason = :reason' : ''),
      names: { '#status': 'status', ...versionBump.names },
      values: {
        ':status': decision.status,
        ':at': decision.at,
        ':gsi1pk': partnersByStatus(decision.status),
        ...(decision.reason ? { ':reason': decision.reason } : {}),
        ...versionBump.values,
      },
    },
    expectVersion(partner.version, 'The partner'),
  );

// ---------------------------------------------------------------------------------------
// Joint events: commands

/** Where a published event sorts on the public list: by start, then id. */
const publishedSortKey = (e: Pick<JointEventItem, 'startsAt' | 'jointEventId'>) =>
  `${new Date(e.startsAt).toISOString()}#${e.jointEventId}`;

/** A draft as stored: on the committee's list of drafts (gsi1), by start. */
const draftItem = (event: JointEventItem) => ({
  ...keys.event(event.jointEventId),
  type: 'joint-event',
  ...event,
  gsi1pk: DRAFT_EVENTS,
  gsi1sk: publishedSortKey(event),
});

export const createDraftEvent = (t: Transaction, event: JointEventItem): Transaction =>
  t.create(draftItem(event), () => conflict('event-exists', 'The event already exists'));

/** A draft changed on the version read, and only while it is a draft. */
export const replaceDraftEvent = (
  t: Transaction,
  next: JointEventItem,
  expectedVersion: number,
): Transaction =>
  t.put(
    draftItem(next),
    expectVersion(expectedVersion, 'The event', {
      condition: '#status = :draft',
      names: { '#status': 'status' },
      values: { ':draft': 'draft' },
    }),
  );

/** Publishes a draft on the version read: it joins the public list (gsi1). */
export const publishEventItem = (t: Transaction, event: JointEventItem): Transaction =>
  t.update(
    keys.event(event.jointEventId),
    {
      expression: `SET #status = :published, ${versionBump.expression}, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk`,
      names: { '#status': 'status', ...versionBump.names },
      values: {
        ':published': 'published',
        ':gsi1pk': PUBLISHED_EVENTS,
        ':gsi1sk': publishedSortKey(event),
        ...versionBump.values,
      },
    },
    expectVersion(event.version, 'The event'),
  );

/** Cancels on the version read: off the public list at once; registrations stay as the record of who had signed up. */
export const cancelEventItem = (t: Transaction, event: JointEventItem, reason: string): Transaction =>
  t.update(
    keys.event(event.jointEventId),
    {
      expression: `SET #status = :cancelled, cancelReason = :reason, ${versionBump.expression} REMOVE gsi1pk, gsi1sk`,
      names: { '#status': 'status', ...versionBump.names },
      values: { ':cancelled': 'cancelled', ':reason': reason, ...versionBump.values },
    },
    expectVersion(event.version, 'The event'),
  );

/** Completes a published event on the version read: off the public list. */
export const completeEventItem = (
  t: Transaction,
  event: Pick<JointEventItem, 'jointEventId' | 'version'>,
  at: string,
): Transaction =>
  t.update(
    keys.event(event.jointEventId),
    {
      expression: `SET #status = :completed, completedAt = :at, ${versionBump.expression} REMOVE gsi1pk, gsi1sk`,
      names: { '#status': 'status', ...versionBump.names },
      values: { ':completed': 'completed', ':at': at, ...versionBump.values },
    },
    expectVersion(event.version, 'The event'),
  );

/** A check-in on the event day, of an active registration, on the version read. */
export const checkInRegistration = (
  t: Transaction,
  registration: Pick<RegistrationItem, 'jointEventId' | 'registrationId' | 'version'>,
  at: string,
): Transaction =>
  t.update(
    keys.registration(registration.jointEventId, registration.registrationId),
    {
      expression: `SET checkedInAt = :at, ${versionBump.expression}`,
      names: versionBump.names,
      values: { ':at': at, ...versionBump.values },
    },
    expectVersion(registration.version, 'The registration', {
      condition: '#status = :active',
      names: { '#status': 'status' },
      values: { ':active': 'active' },
    }),
  );
