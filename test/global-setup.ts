/**
 * Starts the local runtime once per test run: DynamoDB Local in memory, the S3-compatible
 * server, the bus and the gateway on free ports, throwaway data, every real service plus
 * the test-only notes service. Test files reach it through `inject('runtime')`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stageConfig } from '../infra/config.js';
import { localCorsOrigins } from '../infra/local/cors.js';
import { services } from '../services/index.js';
import { notesService } from './notes/service.js';
import './support/runtime-info.js';
import { infoOf, startTestRuntime } from './support/start.js';

/** A mainland mobile number or an e-mail address, anywhere in a line (PIPL: never in a log). */
const CONTACT =
  /(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dangjian-test-'));
  // Every line the services and the runtime log during the whole suite, at DEBUG, is read
  // (not printed) for contact details: whatever a test sends, none may reach a log.
  const leaks: string[] = [];
  const scan = (line: string) => {
    if (leaks.length < 20 && CONTACT.test(line)) leaks.push(line.slice(0, 400));
  };
  const runtime = await startTestRuntime({
    services: [...services, notesService],
    dataDir,
    inMemory: true,
    // What `npm start` allows, so a browser page on a front end's dev server can call the API.
    corsOrigins: localCorsOrigins(stageConfig('dev').corsOrigins, undefined),
    logLevel: 'DEBUG',
    serviceLog: scan,
    log: (entry) => scan(JSON.stringify(entry)),
  });
  project.provide('runtime', infoOf(runtime));
  return async () => {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
    if (leaks.length > 0) {
      throw new Error(`Contact details reached the logs (PIPL):\n${leaks.join('\n')}`);
    }
  };
}
