/**
 * A registrant's own registrations across events (the member's agenda). Access patterns:
 *   registrations of one registrant   gsi2 REGISTRANT#MEMBER#<personId> | REGISTRANT#PARTNER#<partnerId>,
 *                                     gsi2sk <event's startsAt UTC>#<registrationId>
 *     on the registration item itself (pk EVENT#<id> / sk REG#<id>), written when it is placed: a
 *     cancellation, a promotion from the waitlist and a check-in update that item, so the list
 *     always shows it as it is. A published event's time never changes (only drafts change).
 *   a member's registrations from an instant on   gsi2 REGISTRANT#MEMBER#<personId>, gsi2sk >= <instant UTC>
 *                                     Query (their departure: the places they give up)
 *   the events of a page              pk EVENT#<id> / sk EVENT   BatchGetItem
 */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../../shared/context.js';
import { invalidCursor, type Position } from '../../../shared/http/cursor.js';
import { getInBatches } from '../../../shared/store/batch.js';
import { queryAll } from '../../../shared/store/query.js';
import { type JointEventItem, keys, type Registrant, type RegistrationItem } from '../store.js';

/** The partition of one registrant's registrations. */
const registrantList = (registrant: Registrant) =>
  registrant.kind === 'partner'
    ? `REGISTRANT#PARTNER#${registrant.partnerId}`
    : `REGISTRANT#MEMBER#${registrant.personId}`;

/** The attributes that put a registration in its registrant's list, by the event's start. */
export const registrantIndex = (registration: RegistrationItem, eventStartsAt: string) => ({
  gsi2pk: registrantList(registration.registrant),
  gsi2sk: `${new Date(eventStartsAt).toISOString()}#${registration.registrationId}`,
});

const LIST = 'my-registrations';
type Phase = 'upcoming' | 'past';

/** Where a page starts: the phase, the instant that splits upcoming from past, and the key read up to. */
const positionOf = async (ctx: ServiceContext, partition: string, cursor: string | undefined, now: Date) => {
  if (cursor === undefined) return { phase: 'upcoming' as Phase, boundary: now.toISOString() };
  const { phase, boundary, ...key } = await ctx.cursors.open(LIST, cursor);
  if ((phase !== 'upcoming' && phase !== 'past') || typeof boundary !== 'string') throw invalidCursor();
  // A key from elsewhere (another registrant's list) is no way to read elsewhere.
  if (Object.keys(key).length > 0 && key.gsi2pk !== partition) throw invalidCursor();
  return { phase: phase as Phase, boundary, ...(Object.keys(key).length > 0 ? { start: key } : {}) };
};

/**
 * One page of a registrant's registrations: the events still to start first (soonest first),
 * then those that started (latest first). The split is the first page's "now", kept in the
 * cursor, so a registration is never shown twice or skipped while the list is paged.
 */
export const myRegistrationsPage = async (
  ctx: ServiceContext,
  registrant: Registrant,
  page: { limit: number; cursor?: string | undefined; now: Date },
): Promise<{ items: RegistrationItem[]; nextCursor?: string }> => {
  const partition = registrantList(registrant);
  let { phase, boundary, start } = await positionOf(ctx, partition, page.cursor, page.now);
  const items: RegistrationItem[] = [];
  const next = async (position: Position) => ({
    items,
    nextCursor: await ctx.cursors.seal(LIST, position),
  });
  for (;;) {
    let out: QueryCommandOutput;
    try {
      out = await ctx.db.send(
        new QueryCommand({
          TableName: ctx.env.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: `gsi2pk = :p AND gsi2sk ${phase === 'upcoming' ? '>=' : '<'} :b`,
          ExpressionAttributeValues: { ':p': partition, ':b': boundary },
          ScanIndexForward: phase === 'upcoming',
          Limit: page.limit - items.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
    } catch (error) {
      if (start && error instanceof Error && error.name === 'ValidationException') throw invalidCursor();
      throw error;
    }
    items.push(...((out.Items ?? []) as RegistrationItem[]));
    const last = out.LastEvaluatedKey as Position | undefined;
    if (last) return next({ phase, boundary, ...last });
    if (phase === 'past') return { items };
    phase = 'past';
    start = undefined;
    if (items.length === page.limit) return next({ phase, boundary });
  }
};

/** jointEventId → the event, for the events of a page. */
export const eventsOf = async (
  ctx: ServiceContext,
  eventIds: string[],
): Promise<Map<string, JointEventItem>> => {
  const found = await getInBatches(
    ctx,
    [...new Set(eventIds)].map((id) => keys.event(id)),
  );
  return new Map(found.map((e) => [e.jointEventId as string, e as unknown as JointEventItem]));
};

/** A member's registrations of events starting at `from` or later (a person's few). */
export const memberRegistrationsFrom = async (
  ctx: ServiceContext,
  personId: string,
  from: Date,
): Promise<RegistrationItem[]> =>
  queryAll<RegistrationItem>(ctx, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :p AND gsi2sk >= :b',
    ExpressionAttributeValues: {
      ':p': registrantList({ kind: 'member', personId }),
      ':b': from.toISOString(),
    },
  });
