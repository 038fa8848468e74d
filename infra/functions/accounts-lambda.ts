/** The Lambda entry of accounts (infra/functions/index.ts). */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accounts } from './accounts.js';
import { lazyHandler, platformLogger, required } from './lambda.js';

export const handler = lazyHandler(() =>
  accounts.build({
    cognito: new CognitoIdentityProviderClient({ maxAttempts: 3 }),
    userPoolId: required('USER_POOL_ID'),
    db: DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 })),
    talentTable: required('TALENT_TABLE'),
    eventBridge: new EventBridgeClient({ maxAttempts: 3 }),
    busName: required('BUS_NAME'),
    log: platformLogger(accounts.name),
  }),
);
