/**
 * A runtime of a test file's own, for what the shared one cannot give: a sweep that reads a
 * whole table, logs or a throttle of its own, the tables changing only because of this file.
 * It keeps its data in memory and in a folder of its own, and the api helpers point at it
 * until `stop`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope, EventContract } from '../../shared/events/contract.js';
import { useRuntime } from './api.js';
import { infoOf, startTestRuntime, type TestRuntime } from './start.js';

export type OwnRuntimeOptions = Omit<Parameters<typeof startTestRuntime>[0], 'dataDir' | 'inMemory'>;

export interface OwnRuntime {
  runtime: TestRuntime;
  /** Points the api helpers back at the shared runtime, stops this one and removes its folder. */
  stop: () => Promise<void>;
}

/** `name` names the data folder (`dangjian-<name>-…`), so a leftover one says whose it is. */
export const startOwnRuntime = async (name: string, options: OwnRuntimeOptions): Promise<OwnRuntime> => {
  const dataDir = await mkdtemp(join(tmpdir(), `dangjian-${name}-`));
  let runtime: TestRuntime;
  try {
    runtime = await startTestRuntime({ ...options, dataDir, inMemory: true });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  useRuntime(infoOf(runtime));
  const stop = async () => {
    useRuntime(undefined);
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  return { runtime, stop };
};

/** An event of that contract as a target receives it (its EventBridge detail). */
export type Caught<Contract> = Envelope<Contract extends EventContract<string, infer Data> ? Data : never>;

/**
 * Every event of the contract the runtime's bus carries from now on, as delivered (a
 * redelivery counts again), in order of delivery.
 */
export const catchEvents = <Data>(runtime: TestRuntime, contract: EventContract<string, Data>) => {
  const caught: Envelope<Data>[] = [];
  runtime.bus.subscribe({
    name: `test.caught.${contract.source}.${contract.name}`,
    pattern: { source: [contract.source], 'detail-type': [contract.name] },
    deliver: async (event) => {
      caught.push(event.detail as Envelope<Data>);
    },
  });
  return caught;
};
