/**
 * What a test may do to a runtime that a user of `npm start` may not: name the request time
 * (the `x-dangjian-now` header), wait until every event has been handled (`settle`, also
 * as `POST /__local/settle` for a runtime in another process), run every schedule at a
 * time it names instead of on the timers (`tick`, also as `POST /__local/tick` with
 * `{ at }`), kill or restart the
 * database, and switch the bus's faults (`runtime.bus.faults`, also as `PUT /faults` on the
 * bus server). The runtime knows none of this; it is added through its `extend` option.
 */
import type { IncomingMessage } from 'node:http';
import type { BusFaults, LocalBus } from '../../infra/local/bus.js';
import type { ExtraRoutes } from '../../infra/local/gateway.js';
import {
  type Runtime,
  type RuntimeOptions,
  type RuntimeParts,
  startRuntime,
} from '../../infra/local/runtime.js';
import { sendJson } from '../../infra/local/runtime-routes.js';

/** The request time a handler sees (`requestContext.timeEpoch`), as an ISO date. */
export const CLOCK_HEADER = 'x-dangjian-now';

export interface TestControls {
  /** Waits until every outbox is relayed and every delivery (and what it caused) is done. */
  settle(): Promise<void>;
  /**
   * Runs the named described schedules (`<service>.<name>`; every one without names) once
   * with `at` as their scheduled time (their "now"), then settles. A failing run is retried
   * and dead-lettered as any failed delivery is.
   */
  tick(at: Date, schedules?: readonly string[]): Promise<void>;
  /** The database process vanishes (SIGKILL), as if the host lost it. */
  killDatabase(): Promise<void>;
  /** Brings the database back on the same port and data (on-disk runtimes only keep their data). */
  restartDatabase(): Promise<void>;
}

export type TestRuntime = Runtime & TestControls;

const SETTLE_ROUNDS = 50;

export const settleParts = async ({ s3, bus, relays }: RuntimeParts): Promise<void> => {
  // Quiet means: no S3 notification on its way, no delivery running, and then a pass
  // over every stream that finds nothing new (consumers may have written outboxes).
  for (let round = 0; round < SETTLE_ROUNDS; round++) {
    await s3.idle();
    await bus.idle();
    const drained = await Promise.all([...relays.values()].map((r) => r.drain()));
    const quiet = drained.every((d) => d.read === 0 || d.stuck);
    if (quiet && bus.stats().inFlight === 0) return;
  }
  throw new Error(
    `The platform did not settle after ${SETTLE_ROUNDS} rounds: an event loop between consumers?`,
  );
};

const FAULTS: readonly (keyof BusFaults)[] = ['refusePutEvents', 'duplicateDeliveries'];

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : {};
};

/** `GET /faults`, and `PUT /faults` with some of `{ refusePutEvents, duplicateDeliveries }`: the switches after. */
export const busFaultRoutes =
  (bus: LocalBus): ExtraRoutes =>
  async (req, res, url) => {
    if (url.pathname !== '/faults' || (req.method !== 'GET' && req.method !== 'PUT')) return false;
    if (req.method === 'PUT') {
      const refuse = (message: string) => sendJson(res, 400, { error: { code: 'ValidationError', message } });
      const body = await readJson(req).catch(() => undefined);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        refuse('body must be a JSON object');
        return true;
      }
      const patch: Partial<BusFaults> = {};
      for (const [key, value] of Object.entries(body)) {
        if (!FAULTS.includes(key as keyof BusFaults)) {
          refuse(`unknown fault ${key}; known: ${FAULTS.join(', ')}`);
          return true;
        }
        if (typeof value !== 'boolean') {
          refuse(`${key} must be a boolean`);
          return true;
        }
        patch[key as keyof BusFaults] = value;
      }
      Object.assign(bus.faults, patch);
    }
    sendJson(res, 200, { ...bus.faults });
    return true;
  };

export const tickParts = async (
  parts: RuntimeParts,
  at: Date,
  schedules?: readonly string[],
): Promise<void> => {
  parts.scheduler.tick(at, schedules);
  await settleParts(parts);
};

/**
 * `POST /__local/tick` with `{ "at": "<ISO time>", "schedules": ["<service>.<name>"] }`: the
 * named schedules (every one without `schedules`) run at that time, then it settles. Tests
 * share one database, so a sweep over everyone is named only by the test that means it.
 */
const tickRoute =
  (parts: RuntimeParts): ExtraRoutes =>
  async (req, res, url) => {
    if (req.method !== 'POST' || url.pathname !== '/__local/tick') return false;
    const body = (await readJson(req).catch(() => undefined)) as
      | { at?: unknown; schedules?: unknown }
      | undefined;
    const at = typeof body?.at === 'string' ? new Date(body.at) : undefined;
    const schedules = body?.schedules;
    const named =
      schedules === undefined ||
      (Array.isArray(schedules) && schedules.every((s) => parts.scheduler.names().includes(s)));
    if (!at || Number.isNaN(at.getTime()) || !named) {
      sendJson(res, 400, {
        error: {
          code: 'ValidationError',
          message: `body must be { "at": "<ISO time>", "schedules"?: [${parts.scheduler
            .names()
            .map((n) => `"${n}"`)
            .join(', ')}] }`,
        },
      });
      return true;
    }
    try {
      await tickParts(parts, at, schedules as string[] | undefined);
      sendJson(res, 200, { at: at.toISOString(), schedules: parts.scheduler.names() });
    } catch (error) {
      sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
    return true;
  };

const requestTime = (req: IncomingMessage): number => {
  const named = req.headers[CLOCK_HEADER];
  const at = typeof named === 'string' ? Date.parse(named) : Number.NaN;
  return Number.isNaN(at) ? Date.now() : at;
};

/** The runtime with the test controls on its gateway and in hand. */
export const startWithTestControls = async (options: RuntimeOptions): Promise<TestRuntime> => {
  let parts: RuntimeParts | undefined;
  const runtime = await startRuntime({
    ...options,
    // The tests' clock runs the schedules (tick), never the wall clock.
    scheduleTimers: false,
    extend: (running) => {
      parts = running;
      return {
        requestTime,
        busAdmin: busFaultRoutes(running.bus),
        routes: async (req, res, url) => {
          if (await tickRoute(running)(req, res, url)) return true;
          if (req.method !== 'POST' || url.pathname !== '/__local/settle') return false;
          try {
            await settleParts(running);
            sendJson(res, 200, { settled: true });
          } catch (error) {
            sendJson(res, 500, {
              settled: false,
              error: error instanceof Error ? error.message : String(error),
            });
          }
          return true;
        },
      };
    },
  });
  const running = parts as RuntimeParts;
  return {
    ...runtime,
    settle: () => settleParts(running),
    tick: (at, schedules) => tickParts(running, at, schedules),
    killDatabase: () => running.database.kill(),
    restartDatabase: () => running.database.restart(),
  };
};
