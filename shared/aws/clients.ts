import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Where the AWS services are. On Lambda only the region is set and the SDK finds the rest;
 * locally the runtime points each client at DynamoDB Local, the S3-compatible server and
 * the local bus, with throwaway credentials.
 */
export interface AwsConnection {
  region: string;
  endpoints?: {
    dynamodb?: string;
    s3?: string;
    eventbridge?: string;
    secretsmanager?: string;
    sesv2?: string;
    cognito?: string;
  };
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface ClientTimeouts {
  /** To establish the connection (TCP accept, TLS). */
  connectionMs: number;
  /** Of silence on an established connection before the request fails. */
  requestMs: number;
}

/**
 * On AWS (no endpoint given: the SDK finds the service in the region). A database that stops
 * answering must surface as a quick 503, not a request that hangs until API Gateway's 30 s
 * timeout: short timeouts, few attempts. These are what deploys; `clients.test.ts` holds them.
 */
export const AWS_TIMEOUTS: ClientTimeouts = { connectionMs: 1_000, requestMs: 5_000 };

/**
 * At an endpoint given by name, which only the local runtime and the tests do (envFromProcess
 * sets none). There every endpoint is a server on this machine (DynamoDB Local's JVM, or the
 * bus, S3, SES and Cognito in the runtime's own process, beside every function), and on a
 * loaded machine (a second suite, other builds) its accept and its answer come late because
 * the machine is busy, not because the service is down: at 1 s the clients of one loaded run
 * met thousands of connection timeouts, which became 503s and dead letters (README, "The
 * suite under load"). A local server that is really gone still fails, a little later.
 */
export const LOCAL_TIMEOUTS: ClientTimeouts = { connectionMs: 10_000, requestMs: 20_000 };

/** The timeouts for a client of that endpoint (undefined on AWS). */
export const timeoutsFor = (endpoint: string | undefined): ClientTimeouts =>
  endpoint === undefined ? AWS_TIMEOUTS : LOCAL_TIMEOUTS;

const requestHandler = ({ connectionMs, requestMs }: ClientTimeouts) =>
  new NodeHttpHandler({
    connectionTimeout: connectionMs,
    requestTimeout: requestMs,
    throwOnRequestTimeout: true,
  });

/** Timeouts, region, endpoint and credentials every client shares. */
export const common = (connection: AwsConnection, endpoint: string | undefined) => ({
  region: connection.region,
  maxAttempts: 3,
  requestHandler: requestHandler(timeoutsFor(endpoint)),
  ...(endpoint ? { endpoint } : {}),
  ...(connection.credentials ? { credentials: connection.credentials } : {}),
});

/**
 * Called with every DynamoDB client made here, before first use. Only `npm run bench`
 * registers one (to ask for consumed capacity and catch Scans on request paths); on Lambda
 * the set stays empty.
 */
export type DynamoDbClientHook = (client: DynamoDBClient) => void;
const dynamoDbClientHooks = new Set<DynamoDbClientHook>();

export const onDynamoDbClient = (hook: DynamoDbClientHook): (() => void) => {
  dynamoDbClientHooks.add(hook);
  return () => dynamoDbClientHooks.delete(hook);
};

export const createDocumentClient = (connection: AwsConnection): DynamoDBDocumentClient => {
  const client = new DynamoDBClient(common(connection, connection.endpoints?.dynamodb));
  for (const hook of dynamoDbClientHooks) hook(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
};

export const createEventBridgeClient = (connection: AwsConnection): EventBridgeClient =>
  new EventBridgeClient(common(connection, connection.endpoints?.eventbridge));
