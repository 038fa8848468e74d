/**
 * An act outside the table (an e-mail sent, a post to a chat group) done once per key as far
 * as the table can tell. A delivery claims the key under a lease before acting, marks it done
 * once the other side accepted, and releases it when the act failed, so a retry may act at
 * once. A lease that ran out belongs to a delivery that died mid-way: the next claim takes it.
 * The one window left is the act accepted but the mark not written: the act may then be
 * repeated, which each caller states.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../context.js';

export interface LeaseKey {
  pk: string;
  sk: string;
}

/** An item a lease keeps: `held` while a delivery acts, then `done`. */
export interface Leased {
  state: 'held' | 'done';
  /** The attempt holding it, while held. */
  attemptId?: string;
  /** Epoch milliseconds the hold lasts until. */
  leaseUntil?: number;
  /** When the other side accepted (UTC ISO). */
  doneAt?: string;
}

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * Takes the key for one attempt: nobody holds it, or the holder's lease ended. False when it
 * is done, or another attempt holds it. `attributes` are stored beside (what the key is about).
 */
export const claimLease = async (
  ctx: ServiceContext,
  key: LeaseKey,
  claim: {
    kind: string;
    attemptId: string;
    now: Date;
    leaseMs: number;
    attributes?: Record<string, unknown>;
  },
): Promise<boolean> => {
  try {
    await ctx.db.send(
      new PutCommand({
        TableName: ctx.env.tableName,
        Item: {
          ...claim.attributes,
          ...key,
          kind: claim.kind,
          state: 'held',
          attemptId: claim.attemptId,
          leaseUntil: claim.now.getTime() + claim.leaseMs,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#state = :held AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':held': 'held', ':now': claim.now.getTime() },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

/** The other side accepted: never acted on again. `attributes` record what it answered. */
export const completeLease = async (
  ctx: ServiceContext,
  key: LeaseKey,
  done: { doneAt: string; attributes?: Record<string, string> },
): Promise<void> => {
  const extra = Object.entries(done.attributes ?? {});
  await ctx.db.send(
    new UpdateCommand({
      TableName: ctx.env.tableName,
      Key: key,
      UpdateExpression: `SET #state = :done, doneAt = :at${extra.map((_, i) => `, #a${i} = :a${i}`).join('')} REMOVE attemptId, leaseUntil`,
      ExpressionAttributeNames: {
        '#state': 'state',
        ...Object.fromEntries(extra.map(([name], i) => [`#a${i}`, name])),
      },
      ExpressionAttributeValues: {
        ':done': 'done',
        ':at': done.doneAt,
        ...Object.fromEntries(extra.map(([, value], i) => [`:a${i}`, value])),
      },
    }),
  );
};

/** The act failed: the hold goes (if this attempt still has it), so a retry may act at once. */
export const releaseLease = async (ctx: ServiceContext, key: LeaseKey, attemptId: string): Promise<void> => {
  try {
    await ctx.db.send(
      new DeleteCommand({
        TableName: ctx.env.tableName,
        Key: key,
        ConditionExpression: 'attemptId = :attempt AND #state = :held',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':attempt': attemptId, ':held': 'held' },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};
