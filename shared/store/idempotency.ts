/**
 * Idempotency claims, and finding out for certain whether a commit whose answer was lost
 * landed. A create that takes an Idempotency-Key claims a key in its own transaction, first item:
 * the client's `Idempotency-Key` in the caller's scope, or, without one, a key of the
 * server's own (`~<entity id>`, which no client can send). The item
 *   pk IDEMPOTENCY#<scope>#<key>   sk IDEMPOTENCY   (TTL expiresAt, 24 h)
 * holds the id of what was created and the request's fingerprint, never the request.
 *
 * A lost answer (a timeout, a dropped connection) says nothing about the write. Reading
 * cannot tell: the transaction may still be on its way. So the claim is fenced: a
 * conditional write that adds the attempt's id to `fenced` unless the claim is already held.
 * Claims and fences are serialised by DynamoDB, so exactly one of two things is true
 * afterwards: the claim is held (the write landed: answer from it), or the fence is in place
 * (the write can never land: its condition refuses a fenced id).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { jitteredDelay, pause } from '../backoff.js';
import type { ServiceContext } from '../context.js';
import { conflict, DomainError, isDomainError, serviceUnavailable } from '../errors.js';
import { IDEMPOTENCY_KEY_SECONDS, type KeyUse } from '../idempotency.js';
import { getItem } from './query.js';
import type { Transaction } from './transaction.js';

/** One create's claim: whose (`scope`), which key, for which request and entity. */
export interface Claim {
  /** Who may reuse the key: `activity#<account>`, `registration#PARTNER#<id>`, … */
  scope: string;
  /** The client's key, or undefined for a create sent without one. */
  key: string | undefined;
  fingerprint: string;
  /** The id of the entity this attempt creates. */
  entityId: string;
  /** When the request arrived; the claim is kept 24 hours from then. */
  now: Date;
}

const claimKey = (claim: Pick<Claim, 'scope' | 'key' | 'entityId'>) => ({
  pk: `IDEMPOTENCY#${claim.scope}#${claim.key ?? `~${claim.entityId}`}`,
  sk: 'IDEMPOTENCY',
});

const expiresAt = (now: Date) => Math.floor(now.getTime() / 1000) + IDEMPOTENCY_KEY_SECONDS;

/** The claim's item is taken (or this very attempt was fenced): the handler answers from the claim. */
export const keyClaimed = () =>
  conflict('idempotency-key-claimed', 'Another request with this Idempotency-Key was first');

/** What an earlier request with the caller's key created, if one did (a fence alone is no use). */
export const priorUse = async (
  ctx: ServiceContext,
  scope: string,
  key: string,
): Promise<KeyUse | undefined> => {
  const item = await getItem<{ entityId?: string; fingerprint?: string }>(
    ctx,
    claimKey({ scope, key, entityId: '' }),
  );
  return item?.entityId && item.fingerprint
    ? { entityId: item.entityId, fingerprint: item.fingerprint }
    : undefined;
};

/**
 * The claim, as the transaction's first item, so a lost race for the key is the refusal
 * reported. It holds unless the key is claimed already or this attempt was fenced.
 */
export const claimIdempotencyKey = (t: Transaction, claim: Claim): Transaction =>
  t.update(
    claimKey(claim),
    {
      expression: 'SET #type = :type, entityId = :entity, fingerprint = :fingerprint, expiresAt = :expires',
      names: { '#type': 'type' },
      values: {
        ':type': 'idempotency',
        ':fingerprint': claim.fingerprint,
        ':expires': expiresAt(claim.now),
      },
    },
    {
      condition: 'attribute_not_exists(entityId) AND NOT contains(fenced, :entity)',
      values: { ':entity': claim.entityId },
      onConditionFailed: keyClaimed,
    },
  );

type Settled = 'landed' | 'not-landed' | 'claimed-by-another' | 'unknown';

/**
 * After a commit whose answer was lost: fences the attempt's claim, and says what is now
 * certain. A fence that cannot be written (DynamoDB unreachable, the transaction still
 * holding the item) is tried again for a bounded time; after that, nothing is certain.
 */
const settle = async (ctx: ServiceContext, claim: Claim): Promise<Settled> => {
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      await ctx.db.send(
        new UpdateCommand({
          TableName: ctx.env.tableName,
          Key: claimKey(claim),
          UpdateExpression:
            'ADD fenced :attempt SET #type = if_not_exists(#type, :fence), expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(entityId)',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':attempt': new Set([claim.entityId]),
            ':fence': 'idempotency-fence',
            ':expires': expiresAt(claim.now),
          },
        }),
      );
      return 'not-landed';
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error)?.name === 'ConditionalCheckFailedException'
      ) {
        const held = await getItem<{ entityId?: string }>(ctx, claimKey(claim)).catch(() => undefined);
        if (held?.entityId === claim.entityId) return 'landed';
        if (held?.entityId) return 'claimed-by-another';
      }
      await pause(jitteredDelay(attempt, 250));
    }
  }
  return 'unknown';
};

/** DynamoDB answered, and refused the whole request: nothing was written. */
const refused = (error: unknown): boolean => {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500;
};

/**
 * Commits a create whose first item is its claim. `'committed'` or `'landed'` (the answer
 * was lost but the write is stored: read it back). A 503 only when the write certainly did
 * not land, or, when DynamoDB stays unreachable, one saying so; with the key a retry is safe
 * either way. Refusals of the transaction itself (a condition) pass through.
 */
export const commitClaimed = async (
  ctx: ServiceContext,
  t: Transaction,
  claim: Claim,
): Promise<'committed' | 'landed'> => {
  try {
    await t.commit();
    return 'committed';
  } catch (error) {
    // A refusal, or DynamoDB's own definite "no" (throttling, validation: a 4xx), says what happened.
    if (isDomainError(error) || refused(error)) throw error;
    const settled = await settle(ctx, claim);
    if (settled === 'landed') return 'landed';
    if (settled === 'claimed-by-another') throw keyClaimed();
    if (settled === 'not-landed') {
      throw serviceUnavailable(
        'Nothing was written (the database did not answer in time); retry with the same Idempotency-Key',
      );
    }
    throw new DomainError(
      'unavailable',
      'outcome-unknown',
      'The database did not answer; whether this was written is unknown. Retry with the same Idempotency-Key: a retry never creates twice',
      undefined,
      { cause: error },
    );
  }
};
