/**
 * At-least-once delivery, taken literally: a runtime of its own (every service) whose bus
 * delivers every event twice, with a watcher counting how often each event arrived, the
 * proof that the switch doubles. The api helpers point at it until `stop`.
 */
import { services } from '../../services/index.js';
import { startOwnRuntime } from './own-runtime.js';

export const startDeliveringTwice = async (name: string) => {
  const { runtime, stop } = await startOwnRuntime(name, { services });
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
  return { runtime, received, stop };
};

export type DeliveringTwice = Awaited<ReturnType<typeof startDeliveringTwice>>;
