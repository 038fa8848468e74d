/**
 * At-least-once delivery, taken literally: a runtime of its own (every service) whose bus
 * delivers every event twice, with a watcher counting how often each event arrived, the
 * proof that the switch doubles. The api helpers point at it until `stop`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { services } from '../../services/index.js';
import { useRuntime } from './api.js';
import { infoOf, startTestRuntime } from './start.js';

export const startDeliveringTwice = async (name: string) => {
  const dataDir = await mkdtemp(join(tmpdir(), `dangjian-${name}-`));
  const runtime = await startTestRuntime({ services, dataDir, inMemory: true });
  runtime.bus.faults.duplicateDeliveries = true;
  /** How often the watcher received each event, by EventBridge id. */
  const received = new Map<string, number>();
  runtime.bus.subscribe({
    name: 'test.watch',
    pattern: { source: [{ prefix: 'dangjian.' }] },
    deliver: async (event) => {
      received.set(event.id, (received.get(event.id) ?? 0) + 1);
    },
  });
  useRuntime(infoOf(runtime));
  const stop = async () => {
    useRuntime(undefined);
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  return { runtime, received, stop };
};

export type DeliveringTwice = Awaited<ReturnType<typeof startDeliveringTwice>>;
