/**
 * At-least-once delivery, taken literally: a runtime of its own whose bus delivers every
 * event twice. The cross-service flows must come out with exactly the same rosters,
 * timelines, points and counters as with single delivery (their assertions are exact).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../infra/local/runtime.js';
import { services } from '../../services/index.js';
import { useRuntime } from '../support/api.js';
import { infoOf, startTestRuntime } from '../support/start.js';
import { flows } from './scenarios.js';

let runtime: Runtime;
let dataDir: string;
/** How often a watching subscription received each event: the proof the switch doubles. */
const received = new Map<string, number>();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dangjian-twice-'));
  runtime = await startTestRuntime({ services, dataDir, inMemory: true });
  runtime.bus.faults.duplicateDeliveries = true;
  runtime.bus.subscribe({
    name: 'test.watch',
    pattern: { source: [{ prefix: 'dangjian.' }] },
    deliver: async (event) => {
      received.set(event.id, (received.get(event.id) ?? 0) + 1);
    },
  });
  useRuntime(infoOf(runtime));
});

afterAll(async () => {
  useRuntime(undefined);
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('every event delivered twice', () => {
  it.each(flows)(
    '%s',
    async (_name, flow) => {
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
