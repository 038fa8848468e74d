/**
 * Waiting before asking again, when DynamoDB or EventBridge said "not now" (throttling,
 * unprocessed items) or a race was lost. Every retry loop of the platform pauses this way.
 */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Full jitter": a random pause up to a cap that doubles with each attempt (10, 20, 40 … ms,
 * never above `capMs`), so callers that failed together do not collide again together.
 */
export const jitteredDelay = (attempt: number, capMs: number, random: () => number = Math.random): number =>
  Math.floor(random() * Math.min(capMs, 10 * 2 ** attempt));
