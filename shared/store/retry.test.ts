import { describe, expect, it } from 'vitest';
import { conflict, notFound, serviceUnavailable } from '../errors.js';
import { retryOnConflict } from './retry.js';

const raced = () => conflict('concurrent-update', 'another change was in progress');

/** A fake clock the pauses advance, so budgets are tested without waiting. */
const fakeTime = () => {
  let now = 1_000;
  const pauses: number[] = [];
  return {
    pauses,
    clock: () => now,
    sleep: async (ms: number) => {
      pauses.push(ms);
      now += ms;
    },
  };
};

/** An attempt that loses `losses` races, then answers. */
const losing = (losses: number) => {
  let calls = 0;
  const attempt = async () => {
    calls++;
    if (calls <= losses) throw raced();
    return `won on attempt ${calls}`;
  };
  return { attempt, calls: () => calls };
};

describe('retryOnConflict', () => {
  it('re-runs the whole attempt after a lost race and returns its answer', async () => {
    const time = fakeTime();
    const { attempt, calls } = losing(3);
    await expect(retryOnConflict(attempt, { ...time, random: () => 0.5 })).resolves.toBe('won on attempt 4');
    expect(calls()).toBe(4);
    // Jittered pauses under a cap that doubles: 10, 20, 40 ms, here at half.
    expect(time.pauses).toEqual([5, 10, 20]);
  });

  it('throws any other error at once, without a second attempt', async () => {
    let calls = 0;
    const attempt = async () => {
      calls++;
      throw notFound('Person');
    };
    await expect(retryOnConflict(attempt, fakeTime())).rejects.toMatchObject({ code: 'not-found' });
    expect(calls).toBe(1);
    await expect(
      retryOnConflict(async () => {
        throw new Error('bug');
      }, fakeTime()),
    ).rejects.toThrow('bug');
  });

  it('gives up after the attempts, with the last refusal (or what onExhausted makes of it)', async () => {
    const { attempt, calls } = losing(100);
    await expect(retryOnConflict(attempt, { ...fakeTime(), attempts: 4 })).rejects.toMatchObject({
      code: 'concurrent-update',
      kind: 'conflict',
    });
    expect(calls()).toBe(4);
    await expect(
      retryOnConflict(losing(100).attempt, {
        ...fakeTime(),
        attempts: 2,
        onExhausted: () => serviceUnavailable('too many at once'),
      }),
    ).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('starts no attempt past its time budget, however many attempts are left', async () => {
    const time = fakeTime();
    const { attempt, calls } = losing(1_000);
    await expect(
      retryOnConflict(attempt, {
        ...time,
        attempts: 1_000,
        withinMs: 1_000,
        maxDelayMs: 100,
        random: () => 0.99,
      }),
    ).rejects.toMatchObject({ code: 'concurrent-update' });
    const spent = time.pauses.reduce((s, ms) => s + ms, 0);
    expect(spent).toBeLessThan(1_000);
    expect(calls()).toBeLessThan(20);
    expect(Math.max(...time.pauses)).toBeLessThanOrEqual(100);
  });

  it('retries the codes it is given', async () => {
    let calls = 0;
    const attempt = async () => {
      if (++calls === 1) throw conflict('places-changed', 'the places changed');
      return calls;
    };
    await expect(
      retryOnConflict(attempt, { ...fakeTime(), retryable: ['concurrent-update', 'places-changed'] }),
    ).resolves.toBe(2);
  });
});
