/**
 * Re-running a read-decide-write attempt that lost a race. Two transactions on the same item
 * at the same moment cancel one another (TransactionConflict, the 409 `concurrent-update`);
 * shared counters (talent's age tallies, community's places) make that normal under load,
 * not an error to show a caller. The attempt must read afresh each time: a retry re-decides
 * on what is now stored, and commits all or nothing, so repeating it cannot count twice.
 */
import { jitteredDelay, pause } from '../backoff.js';
import { DomainError } from '../errors.js';

export interface RetryOptions {
  /** The DomainError codes worth another attempt; anything else is thrown at once. */
  retryable?: readonly string[];
  /** At most this many attempts in all. */
  attempts?: number;
  /**
   * Time budget in ms from the first attempt: no attempt starts after it. Well under the
   * gateway's 29 s and the function's timeout, so the caller gets an answer, not a timeout.
   */
  withinMs?: number;
  /** Largest pause between attempts, in ms (the pause grows to it, jittered). */
  maxDelayMs?: number;
  /** Injected for tests: the clock, the pause and the jitter's randomness. */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** What to throw when the budget is spent; the last refusal by default. */
  onExhausted?: (last: DomainError) => unknown;
}

export const DEFAULT_RETRY = {
  retryable: ['concurrent-update'],
  attempts: 25,
  withinMs: 5_000,
  maxDelayMs: 200,
} as const;

/**
 * Runs `attempt` until it succeeds, fails for a reason that is not retryable, or the attempts
 * or the time run out. Pauses are "full jitter" (random up to a doubling cap) so the losers
 * of one round spread out instead of colliding again in the next.
 */
export const retryOnConflict = async <T>(
  attempt: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> => {
  const retryable = new Set(options.retryable ?? DEFAULT_RETRY.retryable);
  const attempts = options.attempts ?? DEFAULT_RETRY.attempts;
  const withinMs = options.withinMs ?? DEFAULT_RETRY.withinMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? pause;
  const random = options.random ?? Math.random;
  const deadline = clock() + withinMs;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DomainError && retryable.has(error.code))) throw error;
      const delay = jitteredDelay(i - 1, maxDelayMs, random);
      if (i >= attempts || clock() + delay >= deadline) {
        throw options.onExhausted ? options.onExhausted(error) : error;
      }
      await sleep(delay);
    }
  }
};
