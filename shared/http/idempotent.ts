/**
 * The one way a create honours an Idempotency-Key: a repeat is answered with what the first
 * request created, before anything is decided; a create that lost the race to an identical
 * request (its claim, or a uniqueness item it wrote, came first) is answered the same way.
 * A route takes the header by declaring `idempotent: true` (the HTTP stack checks its shape
 * and the OpenAPI document names it).
 */
import type { ServiceContext } from '../context.js';
import { isDomainError, unwrap } from '../errors.js';
import { fingerprintOf, replayOf } from '../idempotency.js';
import { type Claim, claimIdempotencyKey, commitClaimed, priorUse } from '../store/idempotency.js';
import type { Transaction } from '../store/transaction.js';
import type { HttpResult } from './result.js';

export interface Keyed {
  /** The client's key, if it sent one. */
  key: string | undefined;
  scope: string;
  fingerprint: string;
}

export const idempotently = async (
  ctx: ServiceContext,
  { key, scope, fingerprint }: Keyed,
  {
    replay,
    create,
    lostRaceCodes = [],
  }: {
    /** The answer to a repeat, from the id the first request created. */
    replay: (entityId: string) => Promise<HttpResult>;
    create: () => Promise<HttpResult>;
    /** Refusals an identical request's writes cause (`already-registered`, …): a repeat, when the key says so. */
    lostRaceCodes?: readonly string[];
  },
): Promise<HttpResult> => {
  const repeat = async () => {
    const prior = key === undefined ? undefined : await priorUse(ctx, scope, key);
    return prior && replay(unwrap(replayOf(prior, fingerprint)));
  };
  const earlier = await repeat();
  if (earlier) return earlier;
  try {
    return await create();
  } catch (error) {
    const raced =
      isDomainError(error) &&
      (error.code === 'idempotency-key-claimed' || lostRaceCodes.includes(error.code));
    const replayed = raced ? await repeat() : undefined;
    if (replayed) return replayed;
    throw error;
  }
};

/** What a create gets to write itself at most once per key. */
export interface Once {
  /** Adds the key's claim to a new transaction, as its first item (a lost race is then the refusal). */
  claim: (t: Transaction) => Transaction;
  /** Commits a transaction that holds the claim, settling a lost answer for certain. */
  commit: (t: Transaction) => Promise<void>;
}

/**
 * A create in one transaction, at most once per Idempotency-Key (a route declaring
 * `idempotent: true`): a repeat is answered by `replay` with the id the first request
 * created, whose claim `create` writes with its own items.
 */
export const createOnce = (
  ctx: ServiceContext,
  request: { idempotencyKey: string | undefined; params?: unknown; body: unknown; now: Date },
  {
    scope,
    entityId,
    replay,
    create,
  }: {
    /** Whose keys this one is among: the kind of create and the caller's account. */
    scope: string;
    /** The id this attempt creates. */
    entityId: string;
    replay: (entityId: string) => Promise<HttpResult>;
    create: (once: Once) => Promise<HttpResult>;
  },
): Promise<HttpResult> => {
  const key = request.idempotencyKey;
  // The same body for another target (another person's record) is another request.
  const fingerprint = fingerprintOf({ params: request.params ?? {}, body: request.body ?? {} });
  const claim: Claim = { scope, key, fingerprint, entityId, now: request.now };
  return idempotently(
    ctx,
    { key, scope, fingerprint },
    {
      replay,
      create: () =>
        create({
          claim: (t) => claimIdempotencyKey(t, claim),
          commit: async (t) => {
            await commitClaimed(ctx, t, claim);
          },
        }),
    },
  );
};

/** Whose keys a create's key is among when it is the caller's own: the kind of create and the account. */
export const accountScope = (kind: string, caller: { sub: string }): string => `${kind}#${caller.sub}`;
