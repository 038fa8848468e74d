/**
 * The services as AWS runs them, wired to the local parts: each service's HTTP function
 * behind the gateway, its subscriptions on the bus, its schedules on the local scheduler, a
 * stream relay for its outbox; and the
 * platform's own functions on the bus, on the emulator's pool and talent's table.
 */
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsConnection, createEventBridgeClient } from '../../shared/aws/clients.js';
import { createServiceContext, type ServiceEnv } from '../../shared/context.js';
import { createSubscriptionHandler } from '../../shared/events/consumer.js';
import type { BusEvent } from '../../shared/events/contract.js';
import { outboxStreamFilter } from '../../shared/events/outbox.js';
import { createRelayHandler } from '../../shared/events/relay.js';
import { createHttpHandler } from '../../shared/http/handler.js';
import { createScheduleHandler } from '../../shared/schedules.js';
import { pagesLists, type ServiceDescription } from '../../shared/service.js';
import { isS3Pattern, ownBucketPattern } from '../bucket-events.js';
import { platformFunctions } from '../functions/index.js';
import { patternOf } from '../functions/platform-function.js';
import type { LocalBus } from './bus.js';
import { type LocalCognitoInfo, localCognitoClient } from './cognito.js';
import type { GatewayRoute } from './gateway.js';
import { redirectLogger } from './log-capture.js';
import type { LocalScheduler } from './scheduler.js';
import { StreamRelay } from './stream-relay.js';

export interface WiringContext {
  stage: string;
  region: string;
  dataDir: string;
  /** The stage's cursor secret (cursor-key.ts), given to the services that page. */
  cursorKeyFile: string;
  connection: AwsConnection;
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  bus: LocalBus;
  /** Runs each service's schedules (timers under `npm start`, the tests' tick). */
  scheduler: LocalScheduler;
  busName: string;
  tableNames: Record<string, string>;
  bucketNames: Record<string, string>;
  uploadLimitBytes: number;
  logLevel: ServiceEnv['logLevel'];
  relayBackoffMs: number;
  log: (entry: Record<string, unknown>) => void;
  serviceLog?: ((line: string) => void) | undefined;
  /** Where work-chat posts go instead of the platforms (the runtime's capture). */
  workChatEndpoint?: string;
  /** The stage's sender and the pool holding the addresses, for services that send mail. */
  mail?: ServiceEnv['mail'];
}

export interface WiredServices {
  routes: GatewayRoute[];
  /** Started; by service name. */
  relays: Map<string, StreamRelay>;
}

export const wireServices = (services: readonly ServiceDescription[], w: WiringContext): WiredServices => {
  const routes: GatewayRoute[] = [];
  const relays = new Map<string, StreamRelay>();
  for (const service of services) {
    const env: ServiceEnv = {
      service: service.name,
      stage: w.stage,
      tableName: w.tableNames[service.name] as string,
      ...(w.bucketNames[service.name] ? { bucketName: w.bucketNames[service.name] } : {}),
      busName: w.busName,
      uploadLimitBytes: w.uploadLimitBytes,
      logLevel: w.logLevel,
      aws: w.connection,
      ...(pagesLists(service) ? { cursorKey: { file: w.cursorKeyFile } } : {}),
      ...(w.workChatEndpoint ? { workChatEndpoint: w.workChatEndpoint } : {}),
      ...(service.subscriptions.some((s) => s.sendsMail) && w.mail ? { mail: w.mail } : {}),
    };
    const context = createServiceContext(env);
    if (w.serviceLog) redirectLogger(context.log, w.serviceLog);
    const http = createHttpHandler(service, context);
    for (const route of service.routes) routes.push({ service: service.name, route, invoke: http });

    for (const sub of service.subscriptions) {
      const handler = createSubscriptionHandler(service, sub.name, context);
      w.bus.subscribe({
        name: `${service.name}.${sub.name}`,
        // One bus carries every bucket's objects, as AWS's default bus does: each service hears its own.
        pattern: isS3Pattern(service.name, sub)
          ? ownBucketPattern(service.name, sub, w.bucketNames[service.name])
          : sub.pattern,
        deliver: (event) => handler(event as BusEvent),
      });
    }

    if (service.schedules?.length) {
      const run = createScheduleHandler(service, context);
      for (const schedule of service.schedules) w.scheduler.add(service.name, schedule, run);
    }

    const relay = new StreamRelay({
      tableName: env.tableName,
      dynamodb: w.dynamodb,
      streams: w.streams,
      region: w.region,
      filter: outboxStreamFilter,
      checkpointFile: join(w.dataDir, 'relays', `${env.tableName}.json`),
      handler: createRelayHandler({
        eventBridge: createEventBridgeClient(w.connection),
        busName: w.busName,
        log: context.log,
        backoffMs: w.relayBackoffMs,
      }),
      log: w.log,
    });
    relay.start();
    relays.set(service.name, relay);
  }
  return { routes, relays };
};

export const wirePlatformFunctions = (w: WiringContext, identity: LocalCognitoInfo): void => {
  const log = new Logger({ serviceName: 'platform', environment: w.stage, logLevel: w.logLevel });
  if (w.serviceLog) redirectLogger(log, w.serviceLog);
  const clients = {
    cognito: localCognitoClient(identity.endpoint),
    userPoolId: identity.userPoolId,
    db: DynamoDBDocumentClient.from(w.dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    talentTable: w.tableNames.talent ?? '',
    eventBridge: createEventBridgeClient(w.connection),
    busName: w.busName,
    log,
  };
  for (const fn of platformFunctions) {
    // A function that reads talent's people needs talent; a runtime without it leaves the function out.
    if (fn.readsPeople && !w.tableNames.talent) continue;
    const handle = fn.build(clients as never);
    w.bus.subscribe({
      name: `platform.${fn.name}`,
      pattern: patternOf(fn),
      deliver: async (event) => {
        await handle(event as BusEvent);
      },
    });
  }
};
