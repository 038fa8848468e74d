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

// A database that stops answering must surface as a quick 503, not a request that hangs
// until API Gateway's 30 s timeout: short timeouts, few attempts.
const requestHandler = () =>
  new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 5_000, throwOnRequestTimeout: true });

/** Timeouts, region, endpoint and credentials every client shares. */
export const common = (connection: AwsConnection, endpoint: string | undefined) => ({
  region: connection.region,
  maxAttempts: 3,
  requestHandler: requestHandler(),
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
