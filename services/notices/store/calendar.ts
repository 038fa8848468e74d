/**
 * The calendar feeds (日程订阅): each person's secret feed, and what the feed lists. Access
 * patterns (pk / sk; every read on a request path is a GetItem, a BatchGetItem or a Query):
 *   FEED#<sha256 of the token> / FEED    the feed a token opens: its person     GetItem (the public feed route)
 *   CALFEED#<personId> / FEED            the person's current feed (its hash)   GetItem (rotate, revoke, status)
 *   CALENDAR#<personId> / ACTIVITY#<id>  an activity the person was invited to  Query (the feed);
 *                                        BatchWriteItem (the first invitees), conditional
 *                                        UpdateItem (a move, a late schedule: expiry only later)
 *   CALENDAR#<personId> / JOINTEVENT#<id> a joint event the person registered for   Query (the feed);
 *                                        conditional UpdateItem (a registration)
 *   CALENDAR#<personId> / STUDY#<assignmentId>  a study due date, self-contained  Query (the feed);
 *                                        BatchWriteItem (an assignment)
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
import { getInBatches, putRequests, writeInBatches } from '../../../shared/store/batch.js';
import { getItem, queryAll } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { expectVersion } from '../../../shared/store/version.js';
import { startOfLocalDay } from '../../../shared/time.js';
import { inBatches } from '../batches.js';
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

/** What a person's calendar points at: an activity or a joint event, kept until a while after it ends. */
export interface CalendarTarget {
  kind: 'ACTIVITY' | 'JOINTEVENT';
  id: string;
  endsAt: Date;
}

const pointerKey = (personId: string, target: CalendarTarget) => ({
  pk: `CALENDAR#${personId}`,
  sk: `${target.kind}#${target.id}`,
});

/**
 * Points the person's calendar at an activity or joint event. Only ever added, never taken
 * away: whether the person is still invited is the activity's invitee list, read with the
 * feed, so two moves delivered at once cannot lose a pointer. The expiry only moves later
 * (a conditional update: one call per person).
 */
export const pointCalendarAt = async (
  ctx: ServiceContext,
  personId: string,
  target: CalendarTarget,
): Promise<void> => {
  try {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.env.tableName,
        Key: pointerKey(personId, target),
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

/** pointCalendarAt for each person, 25 at a time. */
export const pointCalendarsAt = (ctx: ServiceContext, personIds: readonly string[], target: CalendarTarget) =>
  inBatches([...new Set(personIds)], (personId) => pointCalendarAt(ctx, personId, target));

/**
 * The first pointers to an activity, for the invitees its schedule names when the calendar's
 * copy named none yet: plain puts, 25 to a BatchWriteItem (1 WCU each, as a conditional
 * update is, in a 25th of the calls). A put cannot keep an expiry from moving earlier, which
 * is safe here because every other writer of these pointers, a move, writes its own only
 * after reading the copy, and commits the copy only if nothing changed it since:
 * - a move that committed before this schedule read the copy left invitees in it, and the
 *   schedule then writes nothing with puts (calendar-subscriptions.ts);
 * - a move that read the copy after this schedule committed writes after these puts;
 * - a move that read the copy before this schedule committed races it: one of the two
 *   commits. If the schedule does, the move is retried and reads it. If the move does, the
 *   puts may have pulled its pointers back, and the schedule fails and is retried: then it
 *   finds the move's invitees in the copy and pushes them back to the copy's end, with
 *   pointCalendarAt (calendar-subscriptions.ts `calendar-activity-scheduled`).
 */
export const firstPointersAt = (ctx: ServiceContext, personIds: readonly string[], target: CalendarTarget) =>
  writeInBatches(
    ctx,
    putRequests(
      [...new Set(personIds)].map((personId) => ({
        ...pointerKey(personId, target),
        kind: 'calendar-pointer',
        targetId: target.id,
        expiresAt: expiryAfter(target.endsAt),
      })),
    ),
    { parallel: 4 },
  );

/** A study due date in its assignees' calendars, 25 to a BatchWriteItem (an assignment never changes once made). */
export const putCalendarStudies = async (
  ctx: ServiceContext,
  personIds: readonly string[],
  study: CalendarStudy,
): Promise<void> => {
  const expiresAt = expiryAfter(new Date(startOfLocalDay(study.dueOn).getTime() + DAY_MS));
  await writeInBatches(
    ctx,
    putRequests(
      [...new Set(personIds)].map((personId) => ({
        pk: `CALENDAR#${personId}`,
        sk: `STUDY#${study.assignmentId}`,
        kind: 'calendar-study',
        ...study,
        expiresAt,
      })),
    ),
    { parallel: 4 },
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
