/**
 * The whole platform in one Node process, built only from the service descriptions:
 * DynamoDB Local (Java), the S3-compatible server, the Cognito emulator, the bus, the SES
 * endpoint and its mail catcher, one stream relay per table and the HTTP gateway. `npm start` runs it with data under `.data/`; the
 * test suite starts it on free ports with throwaway data and adds its own controls through
 * `extend` (test/support/controls.ts), which `npm start` never passes.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { AwsConnection } from '../../shared/aws/clients.js';
import type { ServiceEnv } from '../../shared/context.js';
import type { ServiceDescription } from '../../shared/service.js';
import { createJwtAuthorizer } from './auth.js';
import type { BundledFunction } from './bundled-function.js';
import { wireBundledPlatformFunctions, wireBundledServices } from './bundled-wiring.js';
import { type Build, buildBundles } from './bundles.js';
import { LocalBus, type RetryPolicy } from './bus.js';
import { startBusServer } from './bus-server.js';
import { type LocalCognitoInfo, startLocalCognito } from './cognito.js';
import { corsConfiguration } from './cors.js';
import { ensureCursorKey } from './cursor-key.js';
import { type Database, startDatabase } from './database.js';
import { DeadLetterStore } from './dead-letters.js';
import { type AccessEntry, type ExtraRoutes, type GatewayOptions, startGateway } from './gateway.js';
import { type HealthReport, healthCheck } from './health.js';
import { lockDataDir } from './lock.js';
import { startMailCatcher } from './mail-catcher.js';
import { freePort } from './ports.js';
import { firstOf, runtimeRoutes } from './runtime-routes.js';
import { type S3Server, startS3Server } from './s3-server.js';
import { LocalScheduler } from './scheduler.js';
import { startSecretsServer } from './secrets-server.js';
import { startSesServer } from './ses-server.js';
import type { StreamRelay } from './stream-relay.js';
import { createTables, localNames } from './tables.js';
import { wirePlatformFunctions, wireServices } from './wiring.js';
import { startWorkChatCapture, type WorkChatCapture } from './work-chat-capture.js';

/** The running parts, for a caller's extension (tests reach into them; `npm start` does not). */
export interface RuntimeParts {
  database: Database;
  bus: LocalBus;
  s3: S3Server;
  /** Runs the described schedules; tests tick it (test/support/controls.ts). */
  scheduler: LocalScheduler;
  /** By service name. */
  relays: ReadonlyMap<string, StreamRelay>;
  /** What notices posted to work-chat groups (企业微信, 钉钉), and failures to answer with. */
  workChat: WorkChatCapture;
}

/** What a caller may add to the gateway. */
export interface RuntimeExtension {
  /** Tried after the runtime's own routes, before the services'. */
  routes?: ExtraRoutes;
  /** Admin routes of the bus server, tried before its own. */
  busAdmin?: ExtraRoutes;
  /** When a request arrived, as handlers see it; default now. */
  requestTime?: (req: IncomingMessage) => number;
}

export interface RuntimeOptions {
  services: readonly ServiceDescription[];
  dataDir: string;
  /** Keep DynamoDB in memory (tests) instead of under `<dataDir>/dynamodb`. */
  inMemory?: boolean;
  /** Gateway port; 0 for a free one. */
  port?: number;
  /** The Cognito emulator's port; default a free one. */
  cognitoPort?: number;
  /** The mail catcher's web and SMTP ports; default free ones. */
  mailPorts?: { web?: number; smtp?: number };
  /**
   * What runs the services' and platform functions' code: `sources` (default) builds the
   * handlers in this process from the TypeScript; `bundles` builds every function as CDK
   * deploys it (bundles.ts) and runs each in a worker of its own with its Lambda environment
   * (bundled-wiring.ts). `npm start` runs the bundles; tests, the sources, for speed.
   */
  build?: 'sources' | 'bundles';
  /**
   * Where the bundles are built. By default a folder of the system's temporary folder named
   * after the data folder (whose lock guards it too): outside the project, so a module the
   * build left out is not found in node_modules, as Lambda finds none.
   */
  buildDir?: string;
  /** Called once every part runs, before the gateway opens. */
  extend?: (parts: RuntimeParts) => RuntimeExtension;
  /** The bus's retry policy, DEFAULT_RETRY by default (infra/local/bus.ts says why it lasts). */
  busRetry?: Partial<RetryPolicy>;
  /** A policy of its own for some targets, by name ('notes.apply-poison'). */
  busTargetRetry?: Record<string, Partial<RetryPolicy>>;
  /**
   * Run the described schedules on real timers (default). Tests turn them off and run them
   * at a time they choose, so no run at the wall clock's time lands in a test.
   */
  scheduleTimers?: boolean;
  relayBackoffMs?: number;
  logLevel?: ServiceEnv['logLevel'];
  /** The origins the HTTP API's CORS allows (`npm start`: the dev stage's, and CORS_ORIGINS'). */
  corsOrigins?: string[];
  uploadLimitBytes?: number;
  /** API Gateway's throttling in the gateway (`npm start`: the dev stage's limits); off when absent. */
  throttle?: GatewayOptions['throttle'];
  log?: (entry: Record<string, unknown>) => void;
  /** Every line the services log (Powertools JSON, what Lambda would ship) goes here instead of stdout. */
  serviceLog?: (line: string) => void;
  /** One entry per answered request (the gateway's access log). */
  access?: (entry: AccessEntry) => void;
}

export interface Runtime {
  url: string;
  dataDir: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  busEndpoint: string;
  /** The capture work-chat posts go to instead of 企业微信 and 钉钉 (work-chat-capture.ts). */
  workChatEndpoint: string;
  tableNames: Record<string, string>;
  bucketNames: Record<string, string>;
  /** The local user pool: where to sign in, and what the gateway checks tokens against. */
  identity: LocalCognitoInfo;
  /** The mail catcher: every e-mail the services sent, in a browser and its REST API (`/api/email`). */
  mailCatcherUrl: string;
  bus: LocalBus;
  /** `sources`, or the bundles this runtime runs. */
  build: 'sources' | Build;
  health(): Promise<HealthReport>;
  stop(): Promise<void>;
}

const LOCAL_REGION = 'eu-west-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const STAGE = 'local';
/** The dev stage's function settings (infra/config.ts), which the bundles run with. */
const LOCAL_LAMBDA = { memoryMb: 512, timeoutMs: 10_000 };
/** The local stage's sender: its SES identity, and the From of every e-mail the services send. */
export const LOCAL_MAIL_FROM = 'no-reply@dangjian.localhost';
/** Read by `npm run token`, the dead-letters CLI, the seed and tests: keep its fields. */
export const RUNTIME_FILE = 'runtime.json';

/** Clean-ups run newest first, each whatever the others did. */
const cleanupStack = () => {
  const steps: (() => Promise<void>)[] = [];
  return {
    push: (step: () => Promise<void>) => {
      steps.unshift(step);
    },
    run: async () => {
      for (const step of steps.splice(0)) await step().catch(() => undefined);
    },
  };
};

const defaultBuildDir = (dataDir: string) =>
  join(tmpdir(), 'dangjian-build', createHash('sha256').update(dataDir).digest('hex').slice(0, 12));

export const startRuntime = async (options: RuntimeOptions): Promise<Runtime> => {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const log = options.log ?? (() => undefined);
  const names = localNames(STAGE);
  // Before anything starts: a folder another runtime holds is refused, untouched.
  const lock = await lockDataDir(dataDir, options.port ? `http://127.0.0.1:${options.port}` : undefined);
  const cleanups = cleanupStack();
  cleanups.push(() => lock.release());
  // esbuild runs while the JVM starts; its result is awaited where the functions are wired.
  const building =
    options.build === 'bundles'
      ? buildBundles({ services: options.services, dir: options.buildDir ?? defaultBuildDir(dataDir) })
      : undefined;
  building?.catch(() => undefined);

  // The Cognito emulator starts while the JVM does: neither waits for the other.
  const cognitoStarting = startLocalCognito({ dataDir, stage: STAGE, port: options.cognitoPort ?? 0 });
  // Its failure is met where it is awaited, below; until then it must not count as unhandled.
  cognitoStarting.catch(() => undefined);
  cleanups.push(async () => (await cognitoStarting).close());
  try {
    const database = await startDatabase({
      ...(options.inMemory ? { inMemory: true } : { dataDir: join(dataDir, 'dynamodb') }),
      log: (line: string) => log({ level: 'debug', part: 'dynamodb', line }),
    });
    cleanups.push(() => database.stop());
    const aws = { region: LOCAL_REGION, endpoint: database.endpoint, credentials: LOCAL_CREDENTIALS };
    const dynamodb = new DynamoDBClient(aws);
    const streams = new DynamoDBStreamsClient(aws);
    const tableNames = await createTables(dynamodb, options.services, names);

    const bus = new LocalBus({
      name: names.bus,
      region: LOCAL_REGION,
      deadLetters: new DeadLetterStore(dataDir),
      ...(options.busRetry ? { retry: options.busRetry } : {}),
      ...(options.busTargetRetry ? { targetRetry: options.busTargetRetry } : {}),
      log,
    });
    cleanups.push(() => bus.close());
    const scheduler = new LocalScheduler(bus, log);
    cleanups.push(async () => scheduler.stop());
    // The caller's extension is made once every part runs; the bus server asks for it per request.
    let extension: RuntimeExtension = {};
    const busServer = await startBusServer(bus, {
      log,
      extra: async (req, res, url) => (await extension.busAdmin?.(req, res, url)) ?? false,
    });
    cleanups.push(() => busServer.close());

    const bucketNames: Record<string, string> = {};
    for (const service of options.services) {
      if (service.bucket) bucketNames[service.name] = names.bucket(service.name, service.bucket.name);
    }
    const s3 = await startS3Server({
      dataDir: join(dataDir, 's3'),
      buckets: Object.values(bucketNames),
      region: LOCAL_REGION,
      // S3 with EventBridge notifications on: "Object Created" goes to the default bus,
      // where each service's rule picks its own bucket's objects.
      onObjectCreated: (event) => bus.publish(event as never),
    });
    cleanups.push(() => s3.close());

    // Work-chat robots' stand-in: notices posts here, never to the platforms, from this runtime.
    const workChat = await startWorkChatCapture();
    cleanups.push(() => workChat.close());
    // SES as the services call it, relaying to the catcher; the stage's sender is its one identity.
    const catcher = await startMailCatcher(options.mailPorts);
    cleanups.push(() => catcher.close());
    const ses = await startSesServer({ identities: [LOCAL_MAIL_FROM], smtpPort: catcher.smtpPort, log });
    cleanups.push(() => ses.close());

    const { close: _close, ...identity } = await cognitoStarting;
    const connection: AwsConnection = {
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoints: {
        dynamodb: database.endpoint,
        s3: s3.endpoint,
        eventbridge: busServer.endpoint,
        sesv2: ses.endpoint,
        cognito: identity.endpoint,
      },
    };
    const wiring = {
      stage: STAGE,
      region: LOCAL_REGION,
      dataDir,
      cursorKeyFile: await ensureCursorKey(dataDir),
      connection,
      dynamodb,
      streams,
      bus,
      scheduler,
      busName: names.bus,
      tableNames,
      bucketNames,
      uploadLimitBytes: options.uploadLimitBytes ?? 200 * 1024 * 1024,
      logLevel: options.logLevel ?? 'INFO',
      relayBackoffMs: options.relayBackoffMs ?? 200,
      log,
      serviceLog: options.serviceLog,
      workChatEndpoint: workChat.endpoint,
      mail: { from: LOCAL_MAIL_FROM, userPoolId: identity.userPoolId },
    };
    const functions = new Map<string, BundledFunction>();
    const build = building ? await building : undefined;
    let wired: ReturnType<typeof wireServices>;
    if (build) {
      const secrets = await startSecretsServer({
        region: LOCAL_REGION,
        stage: STAGE,
        cursorKeyFile: wiring.cursorKeyFile,
      });
      cleanups.push(() => secrets.close());
      cleanups.push(async () => {
        await Promise.all([...functions.values()].map((f) => f.stop()));
      });
      const bundled = { ...wiring, build, secrets, lambda: LOCAL_LAMBDA, functions };
      wired = wireBundledServices(options.services, bundled);
      wireBundledPlatformFunctions(bundled, identity);
      log({
        level: 'info',
        message: 'functions run from their bundles',
        builtInMs: build.tookMs,
        dir: build.dir,
      });
    } else {
      wired = wireServices(options.services, wiring);
      wirePlatformFunctions(wiring, identity);
    }
    const { routes, relays } = wired;
    cleanups.push(async () => {
      await Promise.all([...relays.values()].map((r) => r.stop()));
    });
    if (options.scheduleTimers !== false) scheduler.start();

    const health = healthCheck({
      stage: STAGE,
      dynamodb,
      databaseEndpoint: database.endpoint,
      s3Endpoint: s3.endpoint,
      buckets: Object.values(bucketNames),
      identity,
      bus,
      relays,
      workChat,
      mailCatcherUrl: catcher.url,
      build: build ?? 'sources',
      functions,
    });
    extension = options.extend?.({ database, bus, s3, scheduler, relays, workChat }) ?? {};
    // API Gateway's JWT authorizer on AWS: the pool's issuer and keys, the web client as audience.
    const authorizer = createJwtAuthorizer({
      issuer: identity.issuer,
      audience: identity.clientId,
      keys: identity.jwksUrl,
    });
    const gateway = await startGateway({
      routes,
      verify: (header) => authorizer.verify(header),
      port: options.port ?? (await freePort()),
      extra: firstOf(
        runtimeRoutes({ services: options.services, health, identity, dataDir }),
        extension.routes,
      ),
      // Every stage's HTTP API has a CORS configuration, even one that allows no origin.
      cors: corsConfiguration(options.corsOrigins ?? []),
      ...(extension.requestTime ? { requestTime: extension.requestTime } : {}),
      ...(options.throttle ? { throttle: options.throttle } : {}),
      ...(options.access ? { access: options.access } : {}),
      log,
    });
    cleanups.push(() => gateway.close());
    await lock.serving(gateway.url);

    const info = {
      url: gateway.url,
      busAdminUrl: busServer.endpoint,
      workChatEndpoint: workChat.endpoint,
      dynamodbEndpoint: database.endpoint,
      s3Endpoint: s3.endpoint,
      pid: process.pid,
      tableNames,
      bucketNames,
      identity,
      mailCatcherUrl: catcher.url,
    };
    await writeFile(join(dataDir, RUNTIME_FILE), JSON.stringify(info, null, 2));
    cleanups.push(() => rm(join(dataDir, RUNTIME_FILE), { force: true }));

    return {
      url: gateway.url,
      dataDir,
      dynamodbEndpoint: database.endpoint,
      s3Endpoint: s3.endpoint,
      busEndpoint: busServer.endpoint,
      workChatEndpoint: workChat.endpoint,
      tableNames,
      bucketNames,
      identity,
      mailCatcherUrl: catcher.url,
      bus,
      build: build ?? 'sources',
      health,
      stop: cleanups.run,
    };
  } catch (error) {
    await cleanups.run();
    throw error;
  }
};
