/**
 * At-least-once delivery, taken literally: a runtime of its own whose bus delivers every
 * event twice. The cross-service flows must come out with exactly the same rosters,
 * timelines, points and counters as with single delivery (their assertions are exact).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeliveringTwice, startDeliveringTwice } from '../support/twice.js';
import { flows } from './scenarios.js';

let twice: DeliveringTwice;

beforeAll(async () => {
  twice = await startDeliveringTwice('twice');
});

afterAll(async () => {
  await twice?.stop();
});

describe('every event delivered twice', () => {
  it.each(flows)(
    '%s',
    async (_name, flow) => {
      const { received } = twice;
      received.clear();
      await flow();
      // Every event of the flow really arrived twice (at this watcher, as at every consumer).
      expect(received.size).toBeGreaterThan(0);
      expect([...new Set(received.values())]).toEqual([2]);
      // Twice the events of the flow through every consumer: slower on a loaded machine, not wrong.
    },
    60_000,
  );
});
