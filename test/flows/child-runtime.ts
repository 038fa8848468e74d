/**
 * A runtime in a process of its own, for the fault test that kills the whole process
 * (SIGKILL) and starts it again on the same data. Prints `READY <url>` when it serves.
 * It stops as `npm start` does (infra/local/lifecycle.ts): on SIGINT, SIGTERM, SIGHUP or
 * the end of the process that launched it.
 * Usage: tsx test/flows/child-runtime.ts <dataDir>
 */

import { stopOnEnd } from '../../infra/local/lifecycle.js';
import { notesService } from '../notes/service.js';
import { startTestRuntime } from '../support/start.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: child-runtime.ts <dataDir>');

const runtime = await startTestRuntime({ services: [notesService], dataDir });
await stopOnEnd(() => runtime.stop());
console.log(`READY ${runtime.url}`);
