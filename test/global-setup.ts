/**
 * Starts the local runtime once per test run: DynamoDB Local in memory, the S3-compatible
 * server, the bus and the gateway on free ports, throwaway data, every real service plus
 * the test-only notes service. Test files reach it through `inject('runtime')`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { services } from '../services/index.js';
import { notesService } from './notes/service.js';
import './support/runtime-info.js';
import { infoOf, startTestRuntime } from './support/start.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dangjian-test-'));
  const runtime = await startTestRuntime({ services: [...services, notesService], dataDir, inMemory: true });
  project.provide('runtime', infoOf(runtime));
  return async () => {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
