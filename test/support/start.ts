/**
 * How tests start a runtime: free ports, quick retries so failure paths finish in
 * milliseconds (tests wait with settle(), never sleep), silent logs, the test controls.
 */
import { cursorKeyFile } from '../../infra/local/cursor-key.js';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.js';
import { createServiceContext, type ServiceContext } from '../../shared/context.js';
import { startWithTestControls, type TestRuntime } from './controls.js';
import type { RuntimeInfo } from './runtime-info.js';

export type { TestRuntime } from './controls.js';

export const startTestRuntime = (
  options: Pick<RuntimeOptions, 'services' | 'dataDir' | 'inMemory'> &
    Partial<Pick<RuntimeOptions, 'throttle' | 'logLevel' | 'log' | 'serviceLog' | 'corsOrigins' | 'build'>>,
): Promise<TestRuntime> =>
  startWithTestControls({
    port: 0,
    busRetry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
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
