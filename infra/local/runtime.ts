/**
 * The whole platform in one Node process, built only from the service descriptions:
 * DynamoDB Local (Java), the S3-compatible server, the bus, one stream relay per table and
 * the HTTP gateway. `npm start` runs it with data under `.data/`; the test suite starts it
 * on free ports with throwaway data.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsConnection, createEventBridgeClient } from '../../shared/aws/clients.js';
import { createServiceContext, type ServiceEnv } from '../../shared/context.js';
import { createSubscriptionHandler } from '../../shared/events/consumer.js';
import type { BusEvent } from '../../shared/events/contract.js';
import { outboxStreamFilter } from '../../shared/events/outbox.js';
import { createRelayHandler } from '../../shared/events/relay.js';
import { createHttpHandler } from '../../shared/http/handler.js';
import type { ServiceDescription } from '../../shared/service.js';
import { platformFunctions } from '../functions/index.js';
import { patternOf } from '../functions/platform-function.js';
import { createJwtAuthorizer } from './auth.js';
import { LocalBus, type RetryPolicy } from './bus.js';
import { startBusServer } from './bus-server.js';
import { type LocalCognitoInfo, localCognitoClient, startLocalCognito } from './cognito.js';
import { DeadLetterStore } from './dead-letters.js';
import { serveDocs } from './docs.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { type GatewayOptions, type GatewayRoute, startGateway } from './gateway.js';
import { redirectLogger } from './log-capture.js';
import { openApiDocument } from './openapi.js';
import { freePort } from './ports.js';
import { startS3Server } from './s3-server.js';
import { StreamRelay } from './stream-relay.js';
import { createTables, localNames } from './tables.js';

export interface RuntimeOptions {
  services: readonly ServiceDescription[];
  dataDir: string;
  /** Keep DynamoDB in memory (tests) instead of under `<dataDir>/dynamodb`. */
  inMemory?: boolean;
  /** Gateway port; 0 for a free one. */
  port?: number;
  /** The Cognito emulator's port; default a free one. */
  cognitoPort?: number;
  /** Test controls: the `x-dangjian-now` clock header and the `/__local/*` routes. */
  testControls?: boolean;
  busRetry?: Partial<RetryPolicy>;
  relayBackoffMs?: number;
  logLevel?: ServiceEnv['logLevel'];
  corsOrigins?: string[];
  uploadLimitBytes?: number;
  /** API Gateway's throttling in the gateway (`npm start`: the dev stage's limits); off when absent. */
  throttle?: GatewayOptions['throttle'];
  log?: (entry: Record<string, unknown>) => void;
  /** Every line the services log (Powertools JSON, what Lambda would ship) goes here instead of stdout. */
  serviceLog?: (line: string) => void;
}

export interface Runtime {
  url: string;
  dataDir: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  busEndpoint: string;
  tableNames: Record<string, string>;
  bucketNames: Record<string, string>;
  /** The local user pool: where to sign in, and what the gateway checks tokens against. */
  identity: LocalCognitoInfo;
  bus: LocalBus;
  /** Fault injection: the database process vanishes (SIGKILL), as if the host lost it. */
  killDatabase(): Promise<void>;
  /** Brings the database back on the same port and data (on-disk runtimes only keep their data). */
  restartDatabase(): Promise<void>;
  /** Waits until every outbox is relayed and every delivery (and what it caused) is done. */
  settle(): Promise<void>;
  health(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const LOCAL_REGION = 'eu-west-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const STAGE = 'local';

export const startRuntime = async (options: RuntimeOptions): Promise<Runtime> => {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const log = options.log ?? (() => undefined);
  const names = localNames(STAGE);

  const databaseOptions = {
    ...(options.inMemory ? { inMemory: true } : { dataDir: join(dataDir, 'dynamodb') }),
    log: (line: string) => log({ level: 'debug', part: 'dynamodb', line }),
  };
  // The Cognito emulator starts while the JVM does: neither waits for the other.
  const cognitoStarting = startLocalCognito({ dataDir, stage: STAGE, port: options.cognitoPort ?? 0 });
  // Its failure is met where it is awaited, below; until then it must not count as unhandled.
  cognitoStarting.catch(() => undefined);
  const closeCognito = async () => (await cognitoStarting).close();
  let database: DynamoDbLocal;
  try {
    database = await startDynamoDbLocal(databaseOptions);
  } catch (error) {
    await closeCognito().catch(() => undefined);
    throw error;
  }
  const cleanups: (() => Promise<void>)[] = [() => database.stop(), closeCognito];
  try {
    const dynamodb = new DynamoDBClient({
      region: LOCAL_REGION,
      endpoint: database.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const streams = new DynamoDBStreamsClient({
      region: LOCAL_REGION,
      endpoint: database.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const tableNames = await createTables(dynamodb, options.services, names);

    const bus = new LocalBus({
      name: names.bus,
      region: LOCAL_REGION,
      deadLetters: new DeadLetterStore(dataDir),
      ...(options.busRetry ? { retry: options.busRetry } : {}),
      log,
    });
    cleanups.unshift(() => bus.close());
    const busServer = await startBusServer(bus, { log });
    cleanups.unshift(() => busServer.close());

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
    cleanups.unshift(() => s3.close());

    const cognito = await cognitoStarting;
    const { close: _closeCognito, ...identity } = cognito;

    const connection: AwsConnection = {
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoints: { dynamodb: database.endpoint, s3: s3.endpoint, eventbridge: busServer.endpoint },
    };

    const routes: GatewayRoute[] = [];
    const relays: StreamRelay[] = [];
    for (const service of options.services) {
      const env: ServiceEnv = {
        service: service.name,
        stage: STAGE,
        tableName: tableNames[service.name] as string,
        ...(bucketNames[service.name] ? { bucketName: bucketNames[service.name] } : {}),
        busName: names.bus,
        uploadLimitBytes: options.uploadLimitBytes ?? 200 * 1024 * 1024,
        logLevel: options.logLevel ?? 'INFO',
        aws: connection,
      };
      const context = createServiceContext(env);
      if (options.serviceLog) redirectLogger(context.log, options.serviceLog);
      const http = createHttpHandler(service, context, { corsOrigins: options.corsOrigins ?? [] });
      for (const route of service.routes) routes.push({ service: service.name, route, invoke: http });

      for (const sub of service.subscriptions) {
        const handler = createSubscriptionHandler(service, sub.name, context);
        bus.subscribe({
          name: `${service.name}.${sub.name}`,
          pattern: sub.pattern,
          deliver: (event) => handler(event as BusEvent),
        });
      }

      const relay = new StreamRelay({
        tableName: env.tableName,
        dynamodb,
        streams,
        region: LOCAL_REGION,
        filter: outboxStreamFilter,
        checkpointFile: join(dataDir, 'relays', `${env.tableName}.json`),
        handler: createRelayHandler({
          eventBridge: createEventBridgeClient(connection),
          busName: names.bus,
          log: context.log,
          backoffMs: options.relayBackoffMs ?? 200,
        }),
        log,
      });
      relay.start();
      relays.push(relay);
    }
    cleanups.unshift(async () => {
      await Promise.all(relays.map((r) => r.stop()));
    });

    // The platform's own functions, on the emulator's pool and talent's table, as on AWS.
    const platformLog = new Logger({
      serviceName: 'platform',
      environment: STAGE,
      logLevel: options.logLevel ?? 'INFO',
    });
    if (options.serviceLog) redirectLogger(platformLog, options.serviceLog);
    const platformClients = {
      cognito: localCognitoClient(identity.endpoint),
      userPoolId: identity.userPoolId,
      db: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      talentTable: tableNames.talent ?? '',
      eventBridge: createEventBridgeClient(connection),
      busName: names.bus,
      log: platformLog,
    };
    for (const fn of platformFunctions) {
      // A function that reads talent's people needs talent; a runtime without it leaves the function out.
      if (fn.readsPeople && !tableNames.talent) continue;
      const handle = fn.build(platformClients as never);
      bus.subscribe({
        name: `platform.${fn.name}`,
        pattern: patternOf(fn),
        deliver: async (event) => {
          await handle(event as BusEvent);
        },
      });
    }

    // API Gateway's JWT authorizer on AWS: the pool's issuer and keys, the web client as audience.
    const authorizer = createJwtAuthorizer({
      issuer: identity.issuer,
      audience: identity.clientId,
      keys: identity.jwksUrl,
    });

    const settle = async () => {
      // Quiet means: no S3 notification on its way, no delivery running, and then a pass
      // over every stream that finds nothing new (consumers may have written outboxes).
      for (let round = 0; round < 50; round++) {
        await s3.idle();
        await bus.idle();
        const drained = await Promise.all(relays.map((r) => r.drain()));
        const quiet = drained.every((d) => d.read === 0 || d.stuck);
        if (quiet && bus.stats().inFlight === 0) return;
      }
      throw new Error('The platform did not settle after 50 rounds: an event loop between consumers?');
    };

    const health = async () => {
      const parts: Record<string, unknown> = {};
      try {
        await dynamodb.send(new ListTablesCommand({ Limit: 1 }));
        parts.database = { status: 'up', endpoint: database.endpoint };
      } catch (error) {
        parts.database = { status: 'down', error: (error as Error).message };
      }
      try {
        const res = await fetch(`${s3.endpoint}/`);
        parts.storage = {
          status: res.ok ? 'up' : 'down',
          endpoint: s3.endpoint,
          buckets: Object.values(bucketNames),
        };
      } catch (error) {
        parts.storage = { status: 'down', error: (error as Error).message };
      }
      try {
        const res = await fetch(`${identity.endpoint}/health`);
        parts.identity = {
          status: res.ok ? 'up' : 'down',
          endpoint: identity.endpoint,
          userPoolId: identity.userPoolId,
          clientId: identity.clientId,
        };
      } catch (error) {
        parts.identity = { status: 'down', error: (error as Error).message };
      }
      parts.bus = { status: 'up', ...bus.stats() };
      const perTable = Object.fromEntries(
        relays.map((r, i) => [
          options.services[i]?.name,
          {
            status: r.lastError ? 'retrying' : 'up',
            relayed: r.relayed,
            ...(r.lastError ? { error: r.lastError } : {}),
          },
        ]),
      );
      parts.relays = {
        status: relays.every((r) => !r.lastError) ? 'up' : 'retrying',
        services: perTable,
      };
      const up = Object.values(parts).every((p) => (p as { status: string }).status === 'up');
      return { status: up ? 'up' : 'degraded', stage: STAGE, parts };
    };

    const extra = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && url.pathname === '/health') {
        const report = await health();
        json(report.status === 'up' ? 200 : 503, report);
        return true;
      }
      if (req.method === 'GET' && url.pathname === '/openapi.json') {
        json(200, openApiDocument(options.services, `http://${req.headers.host ?? 'localhost'}`));
        return true;
      }
      if (await serveDocs(req, res, url)) return true;
      if (options.testControls && url.pathname.startsWith('/__local/')) {
        if (req.method === 'POST' && url.pathname === '/__local/settle') {
          try {
            await settle();
            json(200, { settled: true });
          } catch (error) {
            json(500, { settled: false, error: error instanceof Error ? error.message : String(error) });
          }
          return true;
        }
      }
      return false;
    };

    const gateway = await startGateway({
      routes,
      verify: (header) => authorizer.verify(header),
      port: options.port ?? (await freePort()),
      extra,
      allowClockHeader: options.testControls ?? false,
      ...(options.throttle ? { throttle: options.throttle } : {}),
      log,
    });
    cleanups.unshift(() => gateway.close());

    const info = {
      url: gateway.url,
      busAdminUrl: busServer.endpoint,
      dynamodbEndpoint: database.endpoint,
      s3Endpoint: s3.endpoint,
      pid: process.pid,
      tableNames,
      bucketNames,
      identity,
    };
    await writeFile(join(dataDir, 'runtime.json'), JSON.stringify(info, null, 2));

    let stopped = false;
    return {
      url: gateway.url,
      dataDir,
      dynamodbEndpoint: database.endpoint,
      s3Endpoint: s3.endpoint,
      busEndpoint: busServer.endpoint,
      tableNames,
      bucketNames,
      identity,
      bus,
      killDatabase: async () => {
        database.kill();
        await database.exited;
      },
      restartDatabase: async () => {
        await database.stop();
        database = await startDynamoDbLocal({ ...databaseOptions, port: database.port });
      },
      settle,
      health,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        for (const cleanup of cleanups) await cleanup().catch(() => undefined);
        await rm(join(dataDir, 'runtime.json'), { force: true });
      },
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
};
