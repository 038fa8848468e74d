/**
 * The services and platform functions run from their bundles (bundles.ts), one worker per
 * function (bundled-function.ts), each with the environment its CDK stack gives it
 * (infra/constructs/service-stack.ts, infra/platform/accounts-stack.ts) and nothing of the
 * runtime's: the functions read it with `envFromProcess` and the AWS SDK, as on Lambda. What
 * stays in this process is what AWS runs outside the functions: the gateway (API Gateway),
 * the bus and its retries (EventBridge), the stream polling (the event-source mapping) and
 * the timers (Scheduler). They send the events AWS would: payload 2.0 HTTP events, bus
 * events, stream batches, the scheduler's payload.
 *
 * The SDK inside a bundle finds the local parts through AWS_ENDPOINT_URL_<SERVICE>, which
 * the SDK reads itself, and signs with throwaway credentials, as Lambda's own variables
 * would give it real ones.
 */
import { dirname, join } from 'node:path';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { outboxStreamFilter } from '../../shared/events/outbox.js';
import type { HttpResponse } from '../../shared/http/handler.js';
import { pagesLists, type ServiceDescription } from '../../shared/service.js';
import { platformFunctions } from '../functions/index.js';
import { patternOf } from '../functions/platform-function.js';
import { BundledFunction } from './bundled-function.js';
import type { Build } from './bundles.js';
import type { LocalCognitoInfo } from './cognito.js';
import type { GatewayRoute } from './gateway.js';
import { StreamRelay } from './stream-relay.js';
import type { WiredServices, WiringContext } from './wiring.js';
import { robotHosts } from './work-chat-capture.js';

export interface BundledWiring extends WiringContext {
  build: Build;
  /** The local Secrets Manager's endpoint and the cursor secret's ARN (secrets-server.ts). */
  secrets: { endpoint: string; cursorKeyArn: string };
  /** The dev stage's function settings (infra/config.ts). */
  lambda: { memoryMb: number; timeoutMs: number };
  /** Every function made, by function name: their workers stop with the runtime. */
  functions: Map<string, BundledFunction>;
}

/** What Lambda itself puts in every function's environment, and the local parts' addresses. */
const lambdaEnvironment = (w: BundledWiring, functionName: string, file: string, handler: string) => {
  const e = w.connection.endpoints ?? {};
  return {
    AWS_REGION: w.region,
    AWS_DEFAULT_REGION: w.region,
    AWS_ACCESS_KEY_ID: w.connection.credentials?.accessKeyId ?? 'local',
    AWS_SECRET_ACCESS_KEY: w.connection.credentials?.secretAccessKey ?? 'local',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(w.lambda.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: dirname(file),
    _HANDLER: `index.${handler}`,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    // No developer's ~/.aws profile may steer a function.
    AWS_CONFIG_FILE: join(w.build.dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(w.build.dir, 'no-aws-credentials'),
    ...(e.dynamodb ? { AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb } : {}),
    ...(e.s3 ? { AWS_ENDPOINT_URL_S3: e.s3 } : {}),
    ...(e.eventbridge ? { AWS_ENDPOINT_URL_EVENTBRIDGE: e.eventbridge } : {}),
    ...(e.sesv2 ? { AWS_ENDPOINT_URL_SESV2: e.sesv2 } : {}),
    ...(e.cognito ? { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: e.cognito } : {}),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: w.secrets.endpoint,
  };
};

const bundledFunction = (
  w: BundledWiring,
  bundleName: string,
  functionName: string,
  handler: string,
  own: Record<string, string>,
): BundledFunction => {
  const bundle = w.build.bundles[bundleName];
  if (!bundle) throw new Error(`No bundle for ${bundleName}: the build left it out`);
  const fn = new BundledFunction({
    host: w.build.host,
    file: bundle.file,
    handler,
    functionName,
    timeoutMs: w.lambda.timeoutMs,
    memoryMb: w.lambda.memoryMb,
    ...(w.workChatEndpoint ? { workChat: { endpoint: w.workChatEndpoint, hosts: robotHosts() } } : {}),
    env: { ...lambdaEnvironment(w, functionName, bundle.file, handler), ...own },
    output: w.serviceLog ?? ((line) => process.stdout.write(`${line}\n`)),
  });
  w.functions.set(functionName, fn);
  return fn;
};

export const wireBundledServices = (
  services: readonly ServiceDescription[],
  w: BundledWiring,
): WiredServices => {
  const routes: GatewayRoute[] = [];
  const relays = new Map<string, StreamRelay>();
  for (const service of services) {
    const tableName = w.tableNames[service.name] as string;
    const bucketName = w.bucketNames[service.name];
    const prefix = `${w.stage}-dangjian-${service.name}`;
    // ServiceStack's `environment`, and each function's additions to it.
    const environment: Record<string, string> = {
      STAGE: w.stage,
      TABLE_NAME: tableName,
      EVENT_BUS_NAME: w.busName,
      UPLOAD_LIMIT_BYTES: String(w.uploadLimitBytes),
      POWERTOOLS_LOG_LEVEL: w.logLevel,
      NODE_OPTIONS: '--enable-source-maps',
      ...(bucketName ? { BUCKET_NAME: bucketName } : {}),
    };
    const fn = (name: string, handler: string, extra: Record<string, string> = {}) =>
      bundledFunction(w, service.name, `${prefix}-${name}`, handler, { ...environment, ...extra });

    const router = fn(
      'router',
      'http',
      pagesLists(service) ? { CURSOR_KEY_SECRET_ARN: w.secrets.cursorKeyArn } : {},
    );
    const invoke = (event: unknown, context: { awsRequestId: string }) =>
      router.invoke(event, context.awsRequestId) as Promise<HttpResponse>;
    for (const route of service.routes) routes.push({ service: service.name, route, invoke });

    for (const sub of service.subscriptions) {
      const consumer = fn(`consumer-${sub.name}`, 'consume', {
        SUBSCRIPTION: sub.name,
        ...(sub.sendsMail && w.mail ? { MAIL_FROM: w.mail.from, USER_POOL_ID: w.mail.userPoolId } : {}),
      });
      w.bus.subscribe({
        name: `${service.name}.${sub.name}`,
        pattern: sub.pattern,
        deliver: async (event) => {
          await consumer.invoke(event);
        },
      });
    }

    for (const schedule of service.schedules ?? []) {
      const target = fn(`schedule-${schedule.name}`, 'schedule', { SCHEDULE: schedule.name });
      w.scheduler.add(service.name, schedule, async (payload) => {
        await target.invoke(payload);
      });
    }

    const relayFn = fn('relay', 'relay');
    const relay = new StreamRelay({
      tableName,
      dynamodb: w.dynamodb,
      streams: w.streams,
      region: w.region,
      filter: outboxStreamFilter,
      checkpointFile: join(w.dataDir, 'relays', `${tableName}.json`),
      handler: (event) => relayFn.invoke(event) as Promise<DynamoDBBatchResponse>,
      log: w.log,
    });
    relay.start();
    relays.set(service.name, relay);
  }
  return { routes, relays };
};

export const wireBundledPlatformFunctions = (w: BundledWiring, identity: LocalCognitoInfo): void => {
  for (const spec of platformFunctions) {
    if (spec.readsPeople && !w.tableNames.talent) continue;
    // PlatformFunctionDeployment's `environment`.
    const own: Record<string, string> = {
      STAGE: w.stage,
      POWERTOOLS_LOG_LEVEL: w.logLevel,
      NODE_OPTIONS: '--enable-source-maps',
      ...(spec.cognitoActions.length > 0 ? { USER_POOL_ID: identity.userPoolId } : {}),
      ...(spec.readsPeople ? { TALENT_TABLE: w.tableNames.talent as string } : {}),
      ...(spec.tells?.length ? { BUS_NAME: w.busName } : {}),
    };
    const fn = bundledFunction(
      w,
      `platform-${spec.name}`,
      `${w.stage}-dangjian-platform-${spec.name}`,
      'handler',
      own,
    );
    w.bus.subscribe({
      name: `platform.${spec.name}`,
      pattern: patternOf(spec),
      deliver: async (event) => {
        await fn.invoke(event);
      },
    });
  }
};
