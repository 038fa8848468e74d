/**
 * How tests start a runtime: free ports, quick retries so failure paths finish in
 * milliseconds (tests wait with settle(), never sleep), but not for the consumers that hold
 * leases, silent logs, the test controls.
 */

import { DEFAULT_RETRY, type RetryPolicy } from '../../infra/local/bus.js';
import { cursorKeyFile } from '../../infra/local/cursor-key.js';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.js';
import { createServiceContext, type ServiceContext } from '../../shared/context.js';
import { startWithTestControls, type TestRuntime } from './controls.js';
import type { RuntimeInfo } from './runtime-info.js';

export type { TestRuntime } from './controls.js';

/**
 * Retries that give up in a few hundred milliseconds, for every target but those below. Tests
 * put events on the bus that some consumer refuses for good (people of a roster talent never
 * registered, whom the platform's accounts function does not find), and a failing target to
 * show the dead-letter path: on the bus's default policy (DEFAULT_RETRY, infra/local/bus.ts),
 * each would hold every settle() for minutes.
 */
export const QUICK_DEAD_LETTERS: Partial<RetryPolicy> = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 };

/**
 * The consumers that hold a lease a retry must wait out keep the default, as `npm start`
 * does: notices' mail holds each recipient for 60 s (MAIL_LEASE_MS). On the quick policy a
 * second delivery of a notice whose first was slow (a loaded machine) or died after its claim
 * was a dead letter within seconds, and the recipient never mailed.
 */
const LEASE_HOLDERS: Record<string, Partial<RetryPolicy>> = { 'notices.mail-notice': DEFAULT_RETRY };

export const startTestRuntime = (
  options: Pick<RuntimeOptions, 'services' | 'dataDir' | 'inMemory'> &
    Partial<
      Pick<
        RuntimeOptions,
        | 'throttle'
        | 'logLevel'
        | 'log'
        | 'serviceLog'
        | 'corsOrigins'
        | 'build'
        | 'busRetry'
        | 'busTargetRetry'
      >
    >,
): Promise<TestRuntime> =>
  startWithTestControls({
    port: 0,
    busRetry: QUICK_DEAD_LETTERS,
    relayBackoffMs: 10,
    logLevel: 'SILENT',
    // A test that starts its own runtime may throttle it or read its logs.
    ...options,
    busTargetRetry: { ...LEASE_HOLDERS, ...options.busTargetRetry },
  });

export const infoOf = (runtime: Runtime): RuntimeInfo => ({
  url: runtime.url,
  dataDir: runtime.dataDir,
  dynamodbEndpoint: runtime.dynamodbEndpoint,
  s3Endpoint: runtime.s3Endpoint,
  busEndpoint: runtime.busEndpoint,
  tableNames: runtime.tableNames,
  bucketNames: runtime.bucketNames,
  identity: runtime.identity,
  mailCatcherUrl: runtime.mailCatcherUrl,
});

/** A service context on a runtime's DynamoDB Local, for tests of shared store and consumer code. */
export const contextOn = (info: RuntimeInfo, service: string): ServiceContext =>
  createServiceContext({
    service,
    stage: 'test',
    tableName: info.tableNames[service] as string,
    busName: 'unused',
    uploadLimitBytes: 1,
    logLevel: 'SILENT',
    aws: {
      region: 'eu-west-1',
      endpoints: { dynamodb: info.dynamodbEndpoint },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    },
    cursorKey: { file: cursorKeyFile(info.dataDir) },
  });
