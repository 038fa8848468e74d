/**
 * notices' e-mail items: each person's channel preferences, and one mark per notice and
 * person it was mailed to. No item holds an address: the sender reads it from the person's
 * sign-in account at send time. Access patterns (pk / sk):
 *   PREFERENCES#<personId> / PREFERENCES  a person's preferences (absent: the defaults)
 *                                         GetItem (their route, the sender), Put (their route)
 *   NOTICE#<noticeId> / MAIL#<personId>   the notice's e-mail to the person: `sending` while a
 *                                         delivery holds it (until a lease ends), `sent` once
 *                                         SES accepted it                  Put (conditional),
 *                                         Update, Delete, Query (a notice's marks, by prefix)
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../../shared/context.js';
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

const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

export const defaultPreferences: Preferences = { email: true };

export const getPreferences = async (ctx: ServiceContext, personId: string): Promise<Preferences> => {
  const item = await getItem<Partial<Preferences>>(ctx, preferencesKey(personId));
  return { email: item?.email ?? defaultPreferences.email };
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

export interface MailMark {
  personId: string;
  state: 'sending' | 'sent';
  /** While `sending`: when the holder's lease ends (UTC ISO). */
  until?: string;
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
 * Takes the notice's e-mail to the person for one delivery until `until`: only if nobody
 * mailed it and no other delivery holds it (a lease that ended belongs to a delivery that
 * died). False when taken: sent already, or held.
 */
export const claimMail = async (
  ctx: ServiceContext,
  noticeId: string,
  personId: string,
  now: Date,
  until: Date,
): Promise<boolean> => {
  try {
    await ctx.db.send(
      new PutCommand({
        TableName: ctx.env.tableName,
        Item: {
          ...markKey(noticeId, personId),
          kind: 'mail-mark',
          noticeId,
          personId,
          state: 'sending',
          until: until.toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#state = :sending AND #until < :now)',
        ExpressionAttributeNames: { '#state': 'state', '#until': 'until' },
        ExpressionAttributeValues: { ':sending': 'sending', ':now': now.toISOString() },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

/** SES accepted it: never sent again. */
export const markMailed = async (
  ctx: ServiceContext,
  noticeId: string,
  personId: string,
  sentAt: string,
  messageId: string,
): Promise<void> => {
  await ctx.db.send(
    new UpdateCommand({
      TableName: ctx.env.tableName,
      Key: markKey(noticeId, personId),
      UpdateExpression: 'SET #state = :sent, sentAt = :at, messageId = :id REMOVE #until',
      ExpressionAttributeNames: { '#state': 'state', '#until': 'until' },
      ExpressionAttributeValues: { ':sent': 'sent', ':at': sentAt, ':id': messageId },
    }),
  );
};

/** SES refused or could not be reached: the next delivery may take it at once. */
export const releaseMail = async (ctx: ServiceContext, noticeId: string, personId: string): Promise<void> => {
  try {
    await ctx.db.send(
      new DeleteCommand({
        TableName: ctx.env.tableName,
        Key: markKey(noticeId, personId),
        ConditionExpression: '#state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sending': 'sending' },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};
