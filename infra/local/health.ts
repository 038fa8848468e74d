/**
 * `/health`: every part of the runtime asked, not assumed. Its shape is read by scripts and
 * tests (status, stage, build, parts.<name>.status): keep it. `build` says what runs the
 * functions' code: `sources`, or `bundles` with each bundle's hash and size (bundles.ts).
 */
import { type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { BundledFunction } from './bundled-function.js';
import type { Build } from './bundles.js';
import type { LocalBus } from './bus.js';
import type { LocalCognitoInfo } from './cognito.js';
import type { StreamRelay } from './stream-relay.js';
import type { WorkChatCapture } from './work-chat-capture.js';

export interface HealthReport {
  status: 'up' | 'degraded';
  stage: string;
  build: 'sources' | 'bundles';
  /** With `bundles`: by bundle name, what is running. */
  bundles?: Record<string, { entry: string; sha256: string; bytes: number }>;
  parts: Record<string, unknown>;
}

export interface HealthSources {
  stage: string;
  dynamodb: DynamoDBClient;
  databaseEndpoint: string;
  s3Endpoint: string;
  buckets: string[];
  identity: LocalCognitoInfo;
  bus: LocalBus;
  /** Each service's relay, by service name. */
  relays: ReadonlyMap<string, StreamRelay>;
  /** Where work-chat posts land locally. */
  workChat?: WorkChatCapture;
  /** The mail catcher's web address (the SES endpoint relays to it). */
  mailCatcherUrl: string;
  build?: 'sources' | Build;
  /** With bundles: every function, by name; a function whose bundle failed to load is down. */
  functions?: ReadonlyMap<string, BundledFunction>;
}

const down = (error: unknown) => ({ status: 'down', error: (error as Error).message });

export const healthCheck = (s: HealthSources) => async (): Promise<HealthReport> => {
  const parts: Record<string, unknown> = {};
  try {
    await s.dynamodb.send(new ListTablesCommand({ Limit: 1 }));
    parts.database = { status: 'up', endpoint: s.databaseEndpoint };
  } catch (error) {
    parts.database = down(error);
  }
  try {
    const res = await fetch(`${s.s3Endpoint}/`);
    parts.storage = { status: res.ok ? 'up' : 'down', endpoint: s.s3Endpoint, buckets: s.buckets };
  } catch (error) {
    parts.storage = down(error);
  }
  try {
    const res = await fetch(`${s.identity.endpoint}/health`);
    parts.identity = {
      status: res.ok ? 'up' : 'down',
      endpoint: s.identity.endpoint,
      userPoolId: s.identity.userPoolId,
      clientId: s.identity.clientId,
    };
  } catch (error) {
    parts.identity = down(error);
  }
  try {
    const res = await fetch(`${s.mailCatcherUrl}/api/healthz`);
    parts.mail = { status: res.ok ? 'up' : 'down', catcher: s.mailCatcherUrl };
  } catch (error) {
    parts.mail = down(error);
  }
  parts.bus = { status: 'up', ...s.bus.stats() };
  const relays = [...s.relays];
  parts.relays = {
    status: relays.every(([, r]) => !r.lastError) ? 'up' : 'retrying',
    services: Object.fromEntries(
      relays.map(([service, r]) => [
        service,
        {
          status: r.lastError ? 'retrying' : 'up',
          relayed: r.relayed,
          ...(r.lastError ? { error: r.lastError } : {}),
        },
      ]),
    ),
  };
  if (s.workChat) {
    parts.workChat = { status: 'up', endpoint: s.workChat.endpoint, posts: s.workChat.posts().length };
  }
  const build = s.build ?? 'sources';
  if (build !== 'sources' && s.functions) {
    const all = [...s.functions.values()];
    const failing = all.filter((f) => f.initError).map((f) => ({ function: f.name, error: f.initError }));
    parts.functions = {
      status: failing.length ? 'down' : 'up',
      functions: all.length,
      warm: all.filter((f) => f.warm).length,
      coldStarts: all.reduce((n, f) => n + f.coldStarts, 0),
      ...(failing.length ? { failing } : {}),
    };
  }
  const up = Object.values(parts).every((p) => (p as { status: string }).status === 'up');
  return {
    status: up ? 'up' : 'degraded',
    stage: s.stage,
    build: build === 'sources' ? 'sources' : 'bundles',
    ...(build === 'sources'
      ? {}
      : {
          bundles: Object.fromEntries(
            Object.values(build.bundles).map((b) => [
              b.name,
              { entry: b.entry, sha256: b.sha256, bytes: b.bytes },
            ]),
          ),
        }),
    parts,
  };
};
