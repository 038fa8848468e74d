/**
 * The notices table. Access patterns (pk / sk; every read on a request path is a GetItem
 * or a Query, never a Scan):
 *   NOTICE#<noticeId> / NOTICE            a notice: an announcement, or a notice made from
 *                                         another service's event                GetItem
 *     gsi1 ANNOUNCEMENTS / <createdAt>#<id>           every announcement       Query (the committee's list)
 *     gsi2 ANNOUNCEMENTS#<branchId> / <createdAt>#<id> a secretary's branch's  Query (their list)
 *   NOTICE#<noticeId> / REMINDER#<reminderId>   one reminder of the unread       Put (with its event)
 *   INBOX#<personId> / NOTICE#<noticeId>  one inbox entry per person and notice, the
 *                                         only record of its reading            GetItem, UpdateItem
 *     gsi1 RECIPIENTS#<noticeId> / <branchId>#<personId>  a notice's recipients   Query (receipts,
 *                                         withdrawal, pinning, reminders)
 *     gsi2 UNREAD#<personId> / [PINNED#]<sortAt>#<noticeId>  the unread only (sparse)  Query (unread list,
 *                                         unread count, mark all read)
 *     gsi3 INBOX#<personId> / [PINNED#]<sortAt>#<noticeId>   the whole inbox    Query (pinned, then newest first)
 *   ACTIVITY#<activityId> / ACTIVITY      what the activity events said: its invitees, its
 *                                         status                                GetItem (consumers)
 *   BRANCHES / BRANCH#<branchId>          every branch heard of (from the roster) Query, GetItem
 *   PERSON#… / ROSTER#… items             talent's roster copy (services/talent/roster.ts)
 *   IDEMPOTENCY#… items                   claims of Idempotency-Keys (shared/store/idempotency.ts)
 *   OUTBOX#… / SEEN#… items               outbox and consumer markers (shared/events)
 *   WORK-CHAT / BRANCH#…, NOTICE#… / WORK-CHAT#…  work-chat webhooks and posts (store/work-chat.ts)
 *   FEED#… / CALFEED#… / CALENDAR#… / CALACTIVITY#… / CALJOINTEVENT#… items: the calendar
 *                                         feeds, in store/calendar.ts
 *   REMINDERS#… items                     reminders at a time, on gsi1 by due day (store/reminders.ts)
 *   Notices from resources' and community's events, partners' inboxes: store/event-notices.ts
 *   PREFERENCES#…, NOTICE#… / MAIL#… items  preferences and e-mail marks (store/email.ts)
 *   STUDY-DONE#… / STUDY-ASSIGNMENT#… items  study completed, assignments reminded (store/study.ts)
 *   NOTICE#… / ATTACHMENT#…, NOTICE#… / ATTACHMENTS  announcements' attachments (store/attachments.ts)
 *
 * `sortAt` is when the entry was posted or last reminded (UTC ISO), so a reminder brings an
 * unread entry back to the top.
 */

import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../shared/context.js';
import { DomainError } from '../../shared/errors.js';
import type { Page } from '../../shared/http/paging.js';
import { getItem, queryAll, queryPage } from '../../shared/store/query.js';
import { singleTable, transactionOn } from '../../shared/store/table.js';
import type { Transaction } from '../../shared/store/transaction.js';
import { expectVersion } from '../../shared/store/version.js';
import { type RosterEntry, type RosterReader, rosterPeople } from '../talent/roster.js';
import type { Announcement } from './domain/announcements.js';
import type { EventNotice, NoticeAbout } from './domain/event-notices.js';
import type { NoticeKind } from './events.js';

export const table = singleTable(3);

export const transaction = (ctx: ServiceContext) => transactionOn(ctx, table);
export const rosterReader = (ctx: ServiceContext): RosterReader => ({
  db: ctx.db,
  tableName: ctx.env.tableName,
  table,
});

const noticeKey = (noticeId: string) => ({ pk: `NOTICE#${noticeId}`, sk: 'NOTICE' });
const entryKey = (personId: string, noticeId: string) => ({
  pk: `INBOX#${personId}`,
  sk: `NOTICE#${noticeId}`,
});
const activityKey = (activityId: string) => ({ pk: `ACTIVITY#${activityId}`, sk: 'ACTIVITY' });
const branchKey = (branchId: string) => ({ pk: 'BRANCHES', sk: `BRANCH#${branchId}` });

const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** One page of an index's partition, newest first (its sort keys start with a time). */
const newestFirst = <T>(
  ctx: ServiceContext,
  index: string,
  value: string,
  page: { limit: number; cursor?: string },
  map: (item: Record<string, unknown>) => T,
): Promise<Page<T>> =>
  queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk`,
      ExpressionAttributeValues: { ':pk': value },
      ScanIndexForward: false,
    },
    { list: index, partition: { name: `${index}pk`, value }, limit: page.limit, cursor: page.cursor },
    map,
  );

// ---------------------------------------------------------------- branches

/** Written beside the roster copy: the institution's branches, for institution-wide notices. */
export const knownBranchItem = (branchId: string) => ({ ...branchKey(branchId), kind: 'branch', branchId });

export const isKnownBranch = async (ctx: ServiceContext, branchId: string): Promise<boolean> =>
  (await getItem(ctx, branchKey(branchId))) !== undefined;

export const knownBranches = async (ctx: ServiceContext): Promise<string[]> =>
  (
    await queryAll<{ branchId: string }>(ctx, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'BRANCHES' },
    })
  ).map((b) => b.branchId);

// ---------------------------------------------------------------- notices

/** A notice made from another service's event: to named people, about one activity. */
export interface ActivityNotice {
  noticeId: string;
  kind: Extract<NoticeKind, `activity-${string}`>;
  title: string;
  summary: string;
  postedAt: string;
  activityId: string;
  branchId: string;
  startsAt: string;
  personIds: string[];
}

export type Notice = ({ kind: 'announcement' } & Announcement) | ActivityNotice | EventNotice;

const ANNOUNCEMENT_FIELDS = [
  'announcementId',
  'title',
  'text',
  'audience',
  'mandatory',
  'pinned',
  'status',
  'ownerBranchId',
  'createdBy',
  'createdAt',
  'publishedAt',
  'withdrawnAt',
  'version',
] as const;

const toAnnouncement = (item: Record<string, unknown>): Announcement => {
  const out: Record<string, unknown> = {};
  for (const f of ANNOUNCEMENT_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as Announcement;
};

export const announcementItem = (a: Announcement) => ({
  ...noticeKey(a.announcementId),
  kind: 'announcement',
  noticeId: a.announcementId,
  gsi1pk: 'ANNOUNCEMENTS',
  gsi1sk: `${a.createdAt}#${a.announcementId}`,
  ...(a.ownerBranchId
    ? { gsi2pk: `ANNOUNCEMENTS#${a.ownerBranchId}`, gsi2sk: `${a.createdAt}#${a.announcementId}` }
    : {}),
  ...a,
});

export const getNotice = async (ctx: ServiceContext, noticeId: string): Promise<Notice | undefined> => {
  const item = await getItem(ctx, noticeKey(noticeId));
  if (!item) return undefined;
  if (item.kind === 'announcement') return { kind: 'announcement', ...toAnnouncement(item) };
  const { pk: _pk, sk: _sk, ...notice } = item;
  return notice as unknown as ActivityNotice | EventNotice;
};

export const getAnnouncement = async (
  ctx: ServiceContext,
  announcementId: string,
): Promise<Announcement | undefined> => {
  const notice = await getNotice(ctx, announcementId);
  return notice?.kind === 'announcement'
    ? toAnnouncement(notice as unknown as Record<string, unknown>)
    : undefined;
};

/** The announcement moves on from the version read (a publish, a withdrawal, a pin). */
export const putAnnouncement = (t: Transaction, next: Announcement, readVersion: number): Transaction =>
  t.put(announcementItem(next), expectVersion(readVersion, 'The announcement'));

/** The committee's list (every announcement) or a branch's (those its secretary manages). */
export const listAnnouncements = (
  ctx: ServiceContext,
  options: { branchId?: string; limit: number; cursor?: string },
): Promise<Page<Announcement>> => {
  const [index, value] = options.branchId
    ? ['gsi2', `ANNOUNCEMENTS#${options.branchId}`]
    : ['gsi1', 'ANNOUNCEMENTS'];
  return newestFirst(ctx, index, value, options, toAnnouncement);
};

/** A notice from an event, created once: a second event about the same fact finds it there. */
export const createActivityNotice = (t: Transaction, n: ActivityNotice | EventNotice): Transaction =>
  t.put({ ...noticeKey(n.noticeId), ...n }, { condition: 'attribute_not_exists(pk)' });

export const reminderItem = (
  noticeId: string,
  reminderId: string,
  remindedAt: string,
  by: string,
  unread: number,
) => ({
  pk: `NOTICE#${noticeId}`,
  sk: `REMINDER#${reminderId}`,
  kind: 'reminder',
  noticeId,
  reminderId,
  remindedAt,
  by,
  unread,
});

export const getReminder = (ctx: ServiceContext, noticeId: string, reminderId: string) =>
  getItem<{ reminderId: string; remindedAt: string; unread: number }>(ctx, {
    pk: `NOTICE#${noticeId}`,
    sk: `REMINDER#${reminderId}`,
  });

// ---------------------------------------------------------------- activities as their events tell

export interface ActivityCopy {
  activityId: string;
  status: 'scheduled' | 'cancelled';
  /** Absent while only the cancellation has arrived (events may come out of order). */
  inviteeIds?: string[];
  /** The cancellation's reason, kept for a cancellation that arrived before the schedule. */
  reason?: string;
  /** Scheduled after it had begun (补录): nobody was told, so a cancellation tells nobody either. */
  untold?: true;
  /** The activity's version the invitees were last told of (a move carries it). */
  activityVersion?: number;
  version: number;
}

export const getActivityCopy = (ctx: ServiceContext, activityId: string) =>
  getItem<ActivityCopy>(ctx, activityKey(activityId));

/** Written on the version read: a concurrent delivery of another event about it fails and retries. */
export const putActivityCopy = (t: Transaction, copy: ActivityCopy, held: ActivityCopy | undefined) =>
  t.put(
    { ...activityKey(copy.activityId), kind: 'activity', ...copy },
    held ? expectVersion(held.version, 'The activity copy') : { condition: 'attribute_not_exists(pk)' },
  );

/**
 * A schedule that is not news (补录): the copy takes the invitees, marked untold, unless it
 * names some already (a move or another schedule told it first). One conditional update in
 * the consumer's transaction instead of a read before it: a cancellation that came first
 * keeps its status and reason, and the version moves on, so a concurrent writer holding the
 * copy's last version fails and is retried. Invitees already named refuse it as the
 * consumers' `already-applied`: the event's fact is in the copy, and the delivery is skipped
 * as a duplicate is.
 */
export const noteUntoldSchedule = (t: Transaction, activityId: string, inviteeIds: string[]) =>
  t.update(
    activityKey(activityId),
    {
      expression:
        'SET #kind = :kind, activityId = :id, #status = if_not_exists(#status, :scheduled), inviteeIds = :ids, untold = :untold, version = if_not_exists(version, :zero) + :one',
      names: { '#kind': 'kind', '#status': 'status' },
      values: {
        ':kind': 'activity',
        ':id': activityId,
        ':scheduled': 'scheduled',
        ':ids': inviteeIds,
        ':untold': true,
        ':zero': 0,
        ':one': 1,
      },
    },
    {
      condition: 'attribute_not_exists(inviteeIds)',
      onConditionFailed: () =>
        new DomainError('conflict', 'already-applied', 'The activity copy names its invitees already'),
    },
  );

// ---------------------------------------------------------------- inbox

export interface InboxEntry {
  /** Whose inbox: a person's id, or `ORG#<partnerId>` for a partner organisation's. */
  personId: string;
  noticeId: string;
  kind: NoticeKind;
  title: string;
  summary: string;
  /** When the notice was posted (UTC ISO). */
  postedAt: string;
  /** When it was posted or last reminded: the inbox's order. */
  sortAt: string;
  /** The recipient's branch when it reached them (receipts are counted per branch). */
  branchId?: string;
  name?: string;
  mandatory: boolean;
  pinned: boolean;
  pinVersion?: number;
  readAt?: string;
  remindedAt?: string;
  lastReminderId?: string;
  activityId?: string;
  startsAt?: string;
  about?: NoticeAbout;
}

const ENTRY_FIELDS = [
  'personId',
  'noticeId',
  'title',
  'summary',
  'postedAt',
  'sortAt',
  'branchId',
  'name',
  'mandatory',
  'pinned',
  'pinVersion',
  'readAt',
  'remindedAt',
  'lastReminderId',
  'activityId',
  'startsAt',
  'about',
] as const;

const toEntry = (item: Record<string, unknown>): InboxEntry => {
  const out: Record<string, unknown> = { kind: item.noticeKind };
  for (const f of ENTRY_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as InboxEntry;
};

/**
 * The inbox's order, newest first (the indexes are read backwards): a pinned (置顶) entry's
 * key starts with `PINNED#`, after every time's digits, so pinned notices lead every page
 * of the inbox and of its unread list, newest first among themselves, without a second read.
 */
const inboxSort = (e: Pick<InboxEntry, 'sortAt' | 'noticeId' | 'pinned'>) =>
  `${e.pinned ? 'PINNED#' : ''}${e.sortAt}#${e.noticeId}`;

/** How often an entry is re-read when a change to it raced the write that re-sorts it. */
const RESORT_ATTEMPTS = 5;

/** The item's `kind` is what it is (an inbox entry); what the notice is about is `noticeKind`. */
const entryItem = ({ kind, ...e }: InboxEntry) => ({
  ...entryKey(e.personId, e.noticeId),
  kind: 'inbox-entry',
  noticeKind: kind,
  gsi1pk: `RECIPIENTS#${e.noticeId}`,
  gsi1sk: `${e.branchId ?? ''}#${e.personId}`,
  ...(e.readAt ? {} : { gsi2pk: `UNREAD#${e.personId}`, gsi2sk: inboxSort(e) }),
  gsi3pk: `INBOX#${e.personId}`,
  gsi3sk: inboxSort(e),
  ...e,
});

/**
 * Delivers one entry, once: an entry already there (a redelivery, a retried batch) is left
 * as it is, read or not. False when it was there.
 */
export const deliverEntry = async (ctx: ServiceContext, entry: InboxEntry): Promise<boolean> => {
  try {
    await ctx.db.send(
      new PutCommand({
        TableName: ctx.env.tableName,
        Item: entryItem(entry),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

export const removeEntry = async (ctx: ServiceContext, personId: string, noticeId: string) => {
  await ctx.db.send(new DeleteCommand({ TableName: ctx.env.tableName, Key: entryKey(personId, noticeId) }));
};

/**
 * Follows the announcement's pin; an older change arriving late changes nothing. The entry
 * moves to (or from) the top of the inbox with it: its sort keys are written from the entry
 * as read, on condition that its time and reading are still those, and read again if a
 * reminder or a reading came in between.
 */
export const pinEntry = async (
  ctx: ServiceContext,
  e: Pick<InboxEntry, 'personId' | 'noticeId'>,
  pinned: boolean,
  version: number,
): Promise<void> => {
  for (let attempt = 0; attempt < RESORT_ATTEMPTS; attempt++) {
    const held = await getEntry(ctx, e.personId, e.noticeId);
    if (!held || (held.pinVersion !== undefined && held.pinVersion >= version)) return;
    const sort = inboxSort({ ...held, pinned });
    const unread = held.readAt === undefined;
    try {
      await ctx.db.send(
        new UpdateCommand({
          TableName: ctx.env.tableName,
          Key: entryKey(e.personId, e.noticeId),
          UpdateExpression: `SET pinned = :pinned, pinVersion = :v, gsi3sk = :sort${unread ? ', gsi2sk = :sort' : ''}`,
          ConditionExpression: `attribute_exists(pk) AND sortAt = :sortAt AND ${unread ? 'attribute_not_exists(readAt)' : 'attribute_exists(readAt)'} AND (attribute_not_exists(pinVersion) OR pinVersion < :v)`,
          ExpressionAttributeValues: {
            ':pinned': pinned,
            ':v': version,
            ':sort': sort,
            ':sortAt': held.sortAt,
          },
        }),
      );
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  throw new Error(`the inbox entry ${e.noticeId} of ${e.personId} kept changing while it was pinned`);
};

/**
 * Brings an unread entry back to the top (of the unpinned, or of the pinned) with the
 * reminder's time, once per reminder: a redelivery finds `lastReminderId` set, an entry
 * read meanwhile is left alone, and one pinned or unpinned meanwhile is read again.
 */
export const remindEntry = async (
  ctx: ServiceContext,
  e: InboxEntry,
  reminderId: string,
  remindedAt: string,
): Promise<boolean> => {
  let held: InboxEntry | undefined = e;
  for (let attempt = 0; held && attempt < RESORT_ATTEMPTS; attempt++) {
    const sort = inboxSort({ sortAt: remindedAt, noticeId: e.noticeId, pinned: held.pinned });
    try {
      await ctx.db.send(
        new UpdateCommand({
          TableName: ctx.env.tableName,
          Key: entryKey(e.personId, e.noticeId),
          UpdateExpression:
            'SET remindedAt = :at, sortAt = :at, lastReminderId = :rid, gsi2sk = :sort, gsi3sk = :sort',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(readAt) AND pinned = :pinned AND (attribute_not_exists(lastReminderId) OR lastReminderId <> :rid)',
          ExpressionAttributeValues: {
            ':at': remindedAt,
            ':rid': reminderId,
            ':sort': sort,
            ':pinned': held.pinned,
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const now: InboxEntry | undefined = await getEntry(ctx, e.personId, e.noticeId);
    // Gone, read or reminded already: nothing to do. Only a changed pin is worth another try.
    if (!now || now.readAt !== undefined || now.lastReminderId === reminderId || now.pinned === held.pinned) {
      return false;
    }
    held = now;
  }
  return false;
};

/** What a mark found: the entry's reading time (the first one), or no entry. */
export type Reading = { state: 'marked' | 'already-read'; readAt: string } | { state: 'missing' };

/**
 * Marks one entry read, once: the first mark sets `readAt` and leaves the unread index; a
 * second (a retry, another device at the same moment) finds it read and changes nothing.
 * The write answers the entry either way (as written, or as it stood when refused), so the
 * caller's answer needs no second read.
 */
export const markRead = async (
  ctx: ServiceContext,
  personId: string,
  noticeId: string,
  readAt: string,
): Promise<Reading> => {
  try {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.env.tableName,
        Key: entryKey(personId, noticeId),
        UpdateExpression: 'SET readAt = :at REMOVE gsi2pk, gsi2sk',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(readAt)',
        ExpressionAttributeValues: { ':at': readAt },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { state: 'marked', readAt };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // The refusal carries the item as it stood (raw attribute values): read before, or none.
    const held = (error as { Item?: { readAt?: { S?: string } } }).Item;
    const first = held?.readAt?.S;
    return first === undefined ? { state: 'missing' } : { state: 'already-read', readAt: first };
  }
};

export const getEntry = async (
  ctx: ServiceContext,
  personId: string,
  noticeId: string,
): Promise<InboxEntry | undefined> => {
  const item = await getItem(ctx, entryKey(personId, noticeId));
  return item ? toEntry(item) : undefined;
};

/** A person's inbox, newest (or most recently reminded) first; only the unread on request. */
export const listInbox = (
  ctx: ServiceContext,
  personId: string,
  options: { unread: boolean; limit: number; cursor?: string },
): Promise<Page<InboxEntry>> => {
  const [index, value] = options.unread ? ['gsi2', `UNREAD#${personId}`] : ['gsi3', `INBOX#${personId}`];
  return newestFirst(ctx, index, value, options, toEntry);
};

/** Every unread entry of a person (bounded by what reached them), for marking all read. */
export const unreadEntries = async (ctx: ServiceContext, personId: string): Promise<InboxEntry[]> =>
  (
    await queryAll(ctx, {
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': `UNREAD#${personId}` },
    })
  ).map(toEntry);

/** How many entries a person has not read: a count of the sparse unread index, no items read out. */
export const unreadCount = async (ctx: ServiceContext, personId: string): Promise<number> => {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ctx.db.send(
      new QueryCommand({
        TableName: ctx.env.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': `UNREAD#${personId}` },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
};

/** Everyone a notice reached, with whether they have read it (bounded by its audience). */
export const recipientsOf = async (ctx: ServiceContext, noticeId: string): Promise<InboxEntry[]> =>
  (
    await queryAll(ctx, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `RECIPIENTS#${noticeId}` },
    })
  ).map(toEntry);

/** What the roster copy tells an inbox entry about its recipient. */
/**
 * The people named who are still on the register: someone the roster copy holds as departed
 * (transferred out, membership ended) is told nothing more, whatever named them before they
 * left (an activity's invitees, a reminder written earlier). People the copy does not hold stay.
 */
export const stillOnRegister = async (ctx: ServiceContext, personIds: string[]): Promise<string[]> => {
  if (personIds.length === 0) return personIds;
  const held = await rosterPeople(rosterReader(ctx), personIds);
  return personIds.filter((personId) => held.get(personId)?.departedOn === undefined);
};

export const recipientOf = (p: RosterEntry) => ({
  personId: p.personId,
  ...(p.branchId ? { branchId: p.branchId } : {}),
  name: p.name,
});
