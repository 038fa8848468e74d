/**
 * Throttling as API Gateway applies it, shared by the CDK stacks (route settings) and the
 * local gateway (token buckets). Kept free of aws-cdk-lib so the local runtime can load it.
 */
import type { RouteSpec } from '../shared/service.js';

export interface ThrottleLimits {
  /** Steady-state requests per second: the bucket's refill rate. */
  rateLimit: number;
  /** Requests allowed at once: the bucket's size. */
  burstLimit: number;
}

export interface ThrottleClasses {
  default: ThrottleLimits;
  public: ThrottleLimits;
}

/** Route → stage throttle class. Public routes are throttled as `public` unless told otherwise. */
export const throttleClass = (route: Pick<RouteSpec, 'access' | 'throttle'>): 'public' | 'default' =>
  route.throttle ?? (route.access === 'public' ? 'public' : 'default');

export type ThrottleVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * One token bucket per key (API Gateway keeps one per route): full at `burstLimit`, refilled
 * at `rateLimit` tokens a second. `now` is injectable so a test can hold time still and know
 * exactly how many requests a burst may pass.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, limits: ThrottleLimits): ThrottleVerdict {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: limits.burstLimit, at: now };
    const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(limits.burstLimit, bucket.tokens + elapsedSeconds * limits.rateLimit);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const secondsToNextToken = (1 - bucket.tokens) / limits.rateLimit;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(secondsToNextToken)) };
  }
}
