import { describe, expect, it } from 'vitest';
import { TokenBuckets, throttleClass } from './throttle.js';

const limits = { rateLimit: 2, burstLimit: 3 };

describe('token buckets (API Gateway throttling, locally)', () => {
  it('passes a full burst, then refuses until the rate has put a token back', () => {
    let now = 0;
    const buckets = new TokenBuckets(() => now);
    const take = () => buckets.take('POST /x', limits);
    expect([take(), take(), take()].every((v) => v.ok)).toBe(true);
    expect(take()).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 499;
    expect(take().ok).toBe(false);
    now += 1;
    expect(take().ok).toBe(true);
    expect(take().ok).toBe(false);
  });

  it('never holds more than the burst, however long it rested', () => {
    let now = 0;
    const buckets = new TokenBuckets(() => now);
    buckets.take('k', limits);
    now += 3_600_000;
    const answers = Array.from({ length: 5 }, () => buckets.take('k', limits).ok);
    expect(answers).toEqual([true, true, true, false, false]);
  });

  it('keeps one bucket per route', () => {
    const buckets = new TokenBuckets(() => 0);
    for (let i = 0; i < 3; i++) buckets.take('a', limits);
    expect(buckets.take('a', limits).ok).toBe(false);
    expect(buckets.take('b', limits).ok).toBe(true);
  });

  it('says how long until the next token, in whole seconds', () => {
    const buckets = new TokenBuckets(() => 0);
    const slow = { rateLimit: 0.25, burstLimit: 1 };
    buckets.take('slow', slow);
    expect(buckets.take('slow', slow)).toEqual({ ok: false, retryAfterSeconds: 4 });
  });

  it('puts public routes in the public class unless they say otherwise', () => {
    expect(throttleClass({ access: 'public' })).toBe('public');
    expect(throttleClass({ access: 'public', throttle: 'default' })).toBe('default');
    expect(throttleClass({ access: ['committee'], throttle: 'public' })).toBe('public');
    expect(throttleClass({ access: ['member'] })).toBe('default');
  });
});
