/**
 * The platform the benchmarks measure: the local runtime started in this process (free
 * ports, throwaway in-memory data) with every service's DynamoDB client metered, tokens
 * from the local issuer, and a small HTTP client that times each call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalIssuer, type IssueTokenInput, type LocalIssuer } from '../../infra/local/auth.js';
import { type Runtime, startRuntime } from '../../infra/local/runtime.js';
import { services } from '../../services/index.js';
import { CapacityMeter } from './capacity.js';

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked where they are used
  body: any;
  ms: number;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** The request's instant, as the `x-dangjian-now` header the runtime honours here. */
  now?: string;
}

export interface Platform {
  runtime: Runtime;
  url: string;
  dataDir: string;
  meter: CapacityMeter;
  issuer: LocalIssuer;
  token(input: IssueTokenInput): Promise<string>;
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
  const runtime = await startRuntime({
    services,
    dataDir,
    inMemory: true,
    port: 0,
    testControls: true,
    logLevel: 'SILENT',
  });
  const issuer = await createLocalIssuer({ dataDir });
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
    issuer,
    token: (input) => issuer.issueToken(input),
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
