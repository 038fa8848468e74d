/**
 * The platform the benchmarks measure: the local runtime started in this process (free
 * ports, throwaway in-memory data) with every service's DynamoDB client metered, tokens
 * from the local issuer, and a small HTTP client that times each call.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BusTarget, LocalBus } from '../../infra/local/bus.js';
import { services } from '../../services/index.js';
import { newId } from '../../shared/ids.js';
import { startWithTestControls, type TestRuntime } from '../../test/support/controls.js';
import { createMinter, type Minter, type MintInput } from '../../test/support/tokens.js';
import { CapacityMeter } from './capacity.js';

export interface Reply {
  status: number;
  body: any;
  ms: number;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** The request's instant, as the `x-dangjian-now` header the runtime honours here. */
  now?: string;
}

/** A consumer's delivery that succeeded: which subscription, the event, how long the handler ran. */
export interface Delivery {
  target: string;
  event: { id: string; 'detail-type': string; detail: { data?: Record<string, unknown> } };
  ms: number;
  at: number;
}

const deliveryListeners = new Set<(d: Delivery) => void>();
let busWrapped = false;

/**
 * Times every consumer the runtime subscribes: each subscription's `deliver` is wrapped as
 * the runtime hands it to the bus, so the bench sees when a consumer's effect is done (event
 * delay) and how long it ran (its Lambda's duration), without touching the runtime.
 */
const wrapBus = () => {
  if (busWrapped) return;
  busWrapped = true;
  const subscribe = LocalBus.prototype.subscribe;
  LocalBus.prototype.subscribe = function (this: LocalBus, target: BusTarget) {
    return subscribe.call(this, {
      ...target,
      deliver: async (event) => {
        const started = performance.now();
        await target.deliver(event);
        const at = performance.now();
        const delivery = { target: target.name, event: event as Delivery['event'], ms: at - started, at };
        for (const listener of deliveryListeners) listener(delivery);
      },
    });
  };
};

export const onDelivery = (listener: (d: Delivery) => void): (() => void) => {
  deliveryListeners.add(listener);
  return () => deliveryListeners.delete(listener);
};

export interface Platform {
  runtime: TestRuntime;
  url: string;
  dataDir: string;
  meter: CapacityMeter;
  minter: Minter;
  token(input: MintInput): Promise<string>;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  /** A call that must answer `status`, or the benchmark stops with what it got. */
  expect(status: number, method: string, path: string, options?: CallOptions): Promise<Reply>;
  headers(options: CallOptions): Record<string, string>;
  stop(): Promise<void>;
}

export const startPlatform = async (): Promise<Platform> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dangjian-bench-'));
  const meter = new CapacityMeter();
  const uninstall = meter.install();
  wrapBus();
  const start = () =>
    startWithTestControls({ services, dataDir, inMemory: true, port: 0, logLevel: 'SILENT' });
  // On a busy machine the JVM may miss DynamoDB Local's 20 s start deadline once.
  const runtime = await start().catch((error: unknown) => {
    console.warn(`The runtime did not start (${(error as Error).message}); trying once more`);
    return start();
  });
  const minter = await createMinter({ issuer: runtime.identity.issuer, audience: runtime.identity.clientId });
  const headers = (options: CallOptions): Record<string, string> => ({
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(options.now ? { 'x-dangjian-now': options.now } : {}),
  });
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<Reply> => {
    const started = performance.now();
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: headers(options),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    let body: unknown = text;
    if (res.headers.get('content-type')?.includes('json') && text) body = JSON.parse(text);
    return { status: res.status, body, ms };
  };
  return {
    runtime,
    url: runtime.url,
    dataDir,
    meter,
    minter,
    // A person's account names its person (the account id stands in for it); a partner's does not.
    token: (input) =>
      minter.mint({
        ...input,
        ...(input.personId || input.roles.every((r) => r === 'partner')
          ? {}
          : { personId: input.sub ?? newId() }),
      }),
    call,
    expect: async (status, method, path, options) => {
      const reply = await call(method, path, options);
      if (reply.status !== status)
        throw new Error(
          `${method} ${path}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`,
        );
      return reply;
    },
    headers,
    stop: async () => {
      await runtime.stop();
      uninstall();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** Runs `work` for 0…total-1 with at most `concurrency` at a time. */
export const pool = async (total: number, concurrency: number, work: (i: number) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      for (let i = next++; i < total; i = next++) await work(i);
    }),
  );
};
