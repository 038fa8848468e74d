/** The platform's own functions, read by the CDK app and the local runtime (see platform-function.ts). */
import { accounts } from './accounts.js';
import { partnerAccounts } from './partner-accounts.js';
import type { PlatformFunction } from './platform-function.js';

export const platformFunctions: readonly PlatformFunction<never>[] = [partnerAccounts, accounts];
