/**
 * The calendar feeds (日程订阅): each person's secret feed, and what the feed lists. Access
 * patterns (pk / sk; every read on a request path is a GetItem, a BatchGetItem or a Query):
 *   FEED#<sha256 of the token> / FEED    the feed a token opens: its person     GetItem (the public feed route)
 *   CALFEED#<personId> / FEED            the person's current feed (its hash)   GetItem (rotate, revoke, status)
 *   CALENDAR#<personId> / ACTIVITY#<id>  an activity the person was invited to  Query (the feed)
 *   CALENDAR#<personId> / JOINTEVENT#<id> a joint event the person registered for   Query (the feed)
 *   CALENDAR#<personId> / STUDY#<assignmentId>  a study due date, self-contained  Query (the feed)
 *   CALACTIVITY#<activityId> / CALENDAR  the activity as its events told the calendar:
 *                                        time, place, status, invitees, SEQUENCE   GetItem (consumers),
 *                                        BatchGetItem (the feed)
 *   CALJOINTEVENT#<jointEventId> / CALENDAR  a published joint event's time and place   the same
 *
 * The token itself is never stored: a table read gives hashes, which open nothing. The
 * person's `CALENDAR#` items expire (TTL `expiresAt`) 91 days after what they point to
 * ends, so the feed's one Query stays the size of a season's calendar.
 */
import { createHash } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../../shared/context.js';
import { getInBatches } from '../../../shared/store/batch.js';
import { getItem, queryAll } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { expectVersion } from '../../../shared/store/version.js';
import { startOfLocalDay } from '../../../shared/time.js';
import { KEPT_DAYS } from '../domain/calendar.js';
import { transaction } from '../store.js';

const DAY_MS = 86_400_000;

const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

export const hashOfToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const feedKey = (hash: string) => ({ pk: `FEED#${hash}`, sk: 'FEED' });
const personFeedKey = (personId: string) => ({ pk: `CALFEED#${personId}`, sk: 'FEED' });
const activityKey = (activityId: string) => ({ pk: `CALACTIVITY#${activityId}`, sk: 'CALENDAR' });
const jointEventKey = (jointEventId: string) => ({ pk: `CALJOINTEVENT#${jointEventId}`, sk: 'CALENDAR' });

/** DynamoDB TTL: kept until KEPT_DAYS (and a day's margin) after `end`. */
const expiryAfter = (end: Date) => Math.floor((end.getTime() + (KEPT_DAYS + 1) * DAY_MS) / 1000);

// ---------------------------------------------------------------- feeds

export interface PersonFeed {
  personId: string;
  hash: string;
  createdAt: string;
  version: number;
}

export const getPersonFeed = (ctx: ServiceContext, personId: string) =>
  getItem<PersonFeed>(ctx, personFeedKey(personId));

/** The person whose feed the token opens; undefined for a token revoked, rotated away or never issued. */
export const personOfFeed = async (ctx: ServiceContext, hash: string): Promise<string | undefined> =>
  (await getItem<{ personId: string }>(ctx, feedKey(hash)))?.personId;

/**
 * The person's feed becomes `hash`, and the one it replaces stops opening, in one
 * transaction written on the version read (two rotations at once: one wins, the other 409s).
 */
export const replaceFeed = async (
  ctx: ServiceContext,
  held: PersonFeed | undefined,
  next: Omit<PersonFeed, 'version'>,
): Promise<void> => {
  const t = transaction(ctx);
  t.put(
    { ...personFeedKey(next.personId), kind: 'calendar-feed', ...next, version: (held?.version ?? 0) + 1 },
    held ? expectVersion(held.version, 'The calendar feed') : { condition: 'attribute_not_exists(pk)' },
  );
  if (held) t.delete(feedKey(held.hash));
  t.put(
    { ...feedKey(next.hash), kind: 'calendar-feed-token', personId: next.personId },
    { condition: 'attribute_not_exists(pk)' },
  );
  await t.commit();
};

/** The person's feed stops opening at once (GetItem on the feed is consistent). */
export const revokeFeed = async (ctx: ServiceContext, held: PersonFeed): Promise<void> => {
  const t = transaction(ctx);
  t.delete(personFeedKey(held.personId), expectVersion(held.version, 'The calendar feed'));
  t.delete(feedKey(held.hash));
  await t.commit();
};

// ---------------------------------------------------------------- what the feed lists

/** An activity as its events told the calendar. */
export interface CalendarActivity {
  activityId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  location?: string;
  status: 'scheduled' | 'cancelled';
  reason?: string;
  /** Absent while only the cancellation has arrived (events may come out of order). */
  inviteeIds?: string[];
  /** The activity's version of the last move applied (a move carries it). */
  activityVersion?: number;
  /** The iCalendar SEQUENCE: one more with every change the calendar applied. */
  sequence: number;
  /** When the last change happened (UTC ISO): the entry's DTSTAMP and LAST-MODIFIED. */
  updatedAt: string;
  version: number;
}

export interface CalendarJointEvent {
  jointEventId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  location: string;
  updatedAt: string;
}

export interface CalendarStudy {
  assignmentId: string;
  resourceId: string;
  title: string;
  /** A local date (YYYY-MM-DD). */
  dueOn: string;
  updatedAt: string;
}

export const getCalendarActivity = (ctx: ServiceContext, activityId: string) =>
  getItem<CalendarActivity>(ctx, activityKey(activityId));

/** Written on the version read: another event about the activity delivered meanwhile fails and retries. */
export const putCalendarActivity = (
  t: Transaction,
  next: Omit<CalendarActivity, 'version'>,
  held: CalendarActivity | undefined,
): Transaction =>
  t.put(
    {
      ...activityKey(next.activityId),
      kind: 'calendar-activity',
      ...next,
      version: (held?.version ?? 0) + 1,
    },
    held ? expectVersion(held.version, 'The calendar activity') : { condition: 'attribute_not_exists(pk)' },
  );

export const putCalendarJointEvent = async (ctx: ServiceContext, e: CalendarJointEvent): Promise<void> => {
  await ctx.db.send(
    new PutCommand({
      TableName: ctx.env.tableName,
      Item: { ...jointEventKey(e.jointEventId), kind: 'calendar-joint-event', ...e },
    }),
  );
};

export const getCalendarJointEvent = (ctx: ServiceContext, jointEventId: string) =>
  getItem<CalendarJointEvent>(ctx, jointEventKey(jointEventId));

/**
 * Points the person's calendar at an activity or joint event. Only ever added, never taken
 * away: whether the person is still invited is the activity's invitee list, read with the
 * feed, so two moves delivered at once cannot lose a pointer. The expiry only moves later.
 */
export const pointCalendarAt = async (
  ctx: ServiceContext,
  personId: string,
  target: { kind: 'ACTIVITY' | 'JOINTEVENT'; id: string; endsAt: Date },
): Promise<void> => {
  try {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.env.tableName,
        Key: { pk: `CALENDAR#${personId}`, sk: `${target.kind}#${target.id}` },
        UpdateExpression: 'SET #kind = :kind, targetId = :id, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(expiresAt) OR expiresAt < :exp',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: {
          ':kind': 'calendar-pointer',
          ':id': target.id,
          ':exp': expiryAfter(target.endsAt),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};

/** A study due date in the person's calendar (an assignment never changes once made). */
export const putCalendarStudy = async (
  ctx: ServiceContext,
  personId: string,
  study: CalendarStudy,
): Promise<void> => {
  await ctx.db.send(
    new PutCommand({
      TableName: ctx.env.tableName,
      Item: {
        pk: `CALENDAR#${personId}`,
        sk: `STUDY#${study.assignmentId}`,
        kind: 'calendar-study',
        ...study,
        expiresAt: expiryAfter(new Date(startOfLocalDay(study.dueOn).getTime() + DAY_MS)),
      },
    }),
  );
};

export interface CalendarOf {
  activities: CalendarActivity[];
  jointEvents: CalendarJointEvent[];
  studies: CalendarStudy[];
}

/** Everything the person's calendar points at: one Query of their partition, then one BatchGetItem. */
export const calendarOf = async (ctx: ServiceContext, personId: string): Promise<CalendarOf> => {
  const items = await queryAll<Record<string, unknown>>(ctx, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `CALENDAR#${personId}` },
  });
  const keys: Record<string, string>[] = [];
  const studies: CalendarStudy[] = [];
  for (const item of items) {
    const sk = item.sk as string;
    if (sk.startsWith('ACTIVITY#')) keys.push(activityKey(item.targetId as string));
    else if (sk.startsWith('JOINTEVENT#')) keys.push(jointEventKey(item.targetId as string));
    else if (sk.startsWith('STUDY#')) studies.push(item as unknown as CalendarStudy);
  }
  const targets = await getInBatches(ctx, keys);
  return {
    activities: targets.filter((t) => t.kind === 'calendar-activity') as unknown as CalendarActivity[],
    jointEvents: targets.filter((t) => t.kind === 'calendar-joint-event') as unknown as CalendarJointEvent[],
    studies,
  };
};
