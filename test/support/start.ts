/**
 * How tests start a runtime: free ports, the bus's own retry policy, silent logs, the test
 * controls.
 */

import type { RetryPolicy } from '../../infra/local/bus.js';
import { cursorKeyFile } from '../../infra/local/cursor-key.js';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.js';
import { createServiceContext, type ServiceContext } from '../../shared/context.js';
import { startWithTestControls, type TestRuntime } from './controls.js';
import type { RuntimeInfo } from './runtime-info.js';

export type { TestRuntime } from './controls.js';

/**
 * Retries that give up in a few hundred milliseconds, for a target that fails on purpose to
 * show the dead-letter path (`busRetry` of a runtime of its own, or `busTargetRetry`).
 * Every other delivery keeps the bus's default (DEFAULT_RETRY, infra/local/bus.ts), which
 * outlasts the consumers' leases: with this policy for every target, as tests had it, a
 * delivery on a loaded machine that met a recipient held by another, or a late answer,
 * was a dead letter within seconds where EventBridge would have retried it.
 */
export const QUICK_DEAD_LETTERS: Partial<RetryPolicy> = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 };

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
    relayBackoffMs: 10,
    logLevel: 'SILENT',
    // A test that starts its own runtime may throttle it or read its logs.
    ...options,
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
