/**
 * The one way a create honours an Idempotency-Key: a repeat is answered with what the first
 * request created, before anything is decided; a create that lost the race to an identical
 * request (its claim, or a uniqueness item it wrote, came first) is answered the same way.
 */
import type { ServiceContext } from '../../../shared/context.js';
import { isDomainError, unwrap } from '../../../shared/errors.js';
import type { HttpResult } from '../../../shared/http/result.js';
import { replayOf } from '../domain/idempotency.js';
import { priorUse } from '../store/idempotency.js';

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
