/**
 * How a platform function is described: what it takes from the bus, which Cognito calls and
 * which reads it needs, and how it is built from its clients. The CDK app deploys each as a
 * Lambda with a rule, retries and a dead-letter queue; the local runtime subscribes the same
 * handler to its bus, on the Cognito emulator and DynamoDB Local.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BusEvent, EventContract } from '../../shared/events/contract.js';

/** What a platform function may be given; each takes the part it needs. */
export interface PlatformClients {
  cognito: CognitoIdentityProviderClient;
  userPoolId: string;
  db: DynamoDBDocumentClient;
  /** talent's table, for the e-mail that never travels in events. */
  talentTable: string;
  eventBridge: EventBridgeClient;
  busName: string;
  log: Logger;
}

export interface PlatformFunction<Needs extends keyof PlatformClients = keyof PlatformClients> {
  /** kebab-case; the Lambda's and the rule's name. */
  name: string;
  /** The module whose `handler` the Lambda runs. */
  entry: string;
  description: string;
  /** The events its rule takes (one source). */
  takes: readonly EventContract[];
  cognitoActions: readonly string[];
  /** Reads talent's person items (GetItem, these attributes only). */
  readsPeople?: readonly string[];
  /** Events it puts on the bus itself. */
  tells?: readonly EventContract[];
  build(clients: Pick<PlatformClients, Needs>): (event: BusEvent) => Promise<unknown>;
}

/** The rule's pattern: every event the function takes, all of one source. */
export const patternOf = (fn: PlatformFunction): Record<string, string[]> => {
  const sources = [...new Set(fn.takes.map((c) => c.source))];
  if (sources.length !== 1)
    throw new Error(`${fn.name} takes events of ${sources.length} sources; give it one`);
  return { source: sources, 'detail-type': fn.takes.map((c) => c.name) };
};
