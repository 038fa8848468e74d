/**
 * Starts the local runtime once per test run: DynamoDB Local in memory, the S3-compatible
 * server, the bus and the gateway on free ports, throwaway data, every real service plus
 * the test-only notes service. Test files reach it through `inject('runtime')`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRuntime } from '../infra/local/runtime.js';
import { services } from '../services/index.js';
import { notesService } from './notes/service.js';
import type { RuntimeInfo } from './support/runtime-info.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dangjian-test-'));
  const runtime = await startRuntime({
    services: [...services, notesService],
    dataDir,
    inMemory: true,
    port: 0,
    testControls: true,
    // Quick retries so failure paths finish in milliseconds; tests wait with settle(), never sleep.
    busRetry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    relayBackoffMs: 10,
    logLevel: 'SILENT',
  });
  const info: RuntimeInfo = {
    url: runtime.url,
    dataDir,
    dynamodbEndpoint: runtime.dynamodbEndpoint,
    s3Endpoint: runtime.s3Endpoint,
    busEndpoint: runtime.busEndpoint,
    tableNames: runtime.tableNames,
    bucketNames: runtime.bucketNames,
  };
  project.provide('runtime', info);
  return async () => {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
