/** The Lambda entry of partner-accounts (infra/functions/index.ts): Cognito only. */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { lazyHandler, platformLogger, required } from './lambda.js';
import { partnerAccounts } from './partner-accounts.js';

export const handler = lazyHandler(() =>
  partnerAccounts.build({
    cognito: new CognitoIdentityProviderClient({ maxAttempts: 3 }),
    userPoolId: required('USER_POOL_ID'),
    log: platformLogger(partnerAccounts.name),
  }),
);
