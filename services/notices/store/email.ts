/**
 * notices' e-mail items: each person's channel preferences, and one mark per notice and
 * person it was mailed to. No item holds an address: the sender reads it from the person's
 * sign-in account at send time. Access patterns (pk / sk):
 *   PREFERENCES#<personId> / PREFERENCES  a person's preferences (absent: the defaults)
 *                                         GetItem (their route), BatchGetItem (the sender,
 *                                         a round of recipients), Put (their route)
 *   NOTICE#<noticeId> / MAIL#<personId>   the notice's e-mail to the person: `held` while a
 *                                         delivery holds it (until a lease ends), `done` once
 *                                         SES accepted it                  Put (conditional),
 *                                         Update, Delete, Query (a notice's marks, by prefix)
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../../shared/context.js';
import { getInBatches } from '../../../shared/store/batch.js';
import { claimLease, completeLease, type Leased, releaseLease } from '../../../shared/store/lease.js';
import { getItem, queryAll } from '../../../shared/store/query.js';

export interface Preferences {
  /** E-mail on (the default) or off; the inbox is always on. */
  email: boolean;
}

const preferencesKey = (personId: string) => ({ pk: `PREFERENCES#${personId}`, sk: 'PREFERENCES' });
const markKey = (noticeId: string, personId: string) => ({
  pk: `NOTICE#${noticeId}`,
  sk: `MAIL#${personId}`,
});

export const defaultPreferences: Preferences = { email: true };

export const getPreferences = async (ctx: ServiceContext, personId: string): Promise<Preferences> => {
  const item = await getItem<Partial<Preferences>>(ctx, preferencesKey(personId));
  return { email: item?.email ?? defaultPreferences.email };
};

/** Several people's preferences at once (100 to a BatchGetItem); everyone asked is in the map. */
export const preferencesOf = async (
  ctx: ServiceContext,
  personIds: readonly string[],
): Promise<Map<string, Preferences>> => {
  const items = await getInBatches(ctx, [...new Set(personIds)].map(preferencesKey));
  const held = new Map(items.map((item) => [item.personId as string, item as Partial<Preferences>]));
  return new Map(
    personIds.map((personId) => [personId, { email: held.get(personId)?.email ?? defaultPreferences.email }]),
  );
};

/** The person's own choice, whole: the last one written wins, as on any settings page. */
export const putPreferences = async (
  ctx: ServiceContext,
  personId: string,
  preferences: Preferences,
  updatedAt: string,
): Promise<void> => {
  await ctx.db.send(
    new PutCommand({
      TableName: ctx.env.tableName,
      Item: { ...preferencesKey(personId), kind: 'preferences', personId, ...preferences, updatedAt },
    }),
  );
};

export interface MailMark extends Leased {
  personId: string;
}

/** Every mark of a notice (bounded by its recipients). */
export const mailMarks = async (ctx: ServiceContext, noticeId: string): Promise<Map<string, MailMark>> => {
  const items = await queryAll<MailMark>(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
    ExpressionAttributeValues: { ':pk': `NOTICE#${noticeId}`, ':mail': 'MAIL#' },
    ConsistentRead: true,
  });
  return new Map(items.map((m) => [m.personId, m]));
};

export const getMailMark = (ctx: ServiceContext, noticeId: string, personId: string) =>
  getItem<MailMark>(ctx, markKey(noticeId, personId));

/**
 * Takes the notice's e-mail to the person for one attempt (shared/store/lease.ts): only if
 * nobody mailed it and no other delivery holds it. False when taken: sent already, or held.
 */
export const claimMail = (
  ctx: ServiceContext,
  m: { noticeId: string; personId: string; attemptId: string; now: Date; leaseMs: number },
): Promise<boolean> =>
  claimLease(ctx, markKey(m.noticeId, m.personId), {
    kind: 'mail-mark',
    attemptId: m.attemptId,
    now: m.now,
    leaseMs: m.leaseMs,
    attributes: { noticeId: m.noticeId, personId: m.personId },
  });

/** SES accepted it: never sent again. */
export const markMailed = (
  ctx: ServiceContext,
  m: { noticeId: string; personId: string; sentAt: string; messageId: string },
): Promise<void> =>
  completeLease(ctx, markKey(m.noticeId, m.personId), {
    doneAt: m.sentAt,
    attributes: { messageId: m.messageId },
  });

/** SES refused or could not be reached: the next delivery may take it at once. */
export const releaseMail = (
  ctx: ServiceContext,
  m: { noticeId: string; personId: string; attemptId: string },
): Promise<void> => releaseLease(ctx, markKey(m.noticeId, m.personId), m.attemptId);
