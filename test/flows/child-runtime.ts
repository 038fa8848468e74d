/**
 * A runtime in a process of its own, for the fault test that kills the whole process
 * (SIGKILL) and starts it again on the same data. Prints `READY <url>` when it serves.
 * Usage: tsx test/flows/child-runtime.ts <dataDir>
 */

import { notesService } from '../notes/service.js';
import { startTestRuntime } from '../support/start.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: child-runtime.ts <dataDir>');

const runtime = await startTestRuntime({ services: [notesService], dataDir });
console.log(`READY ${runtime.url}`);
process.on('SIGTERM', () => {
  void runtime.stop().then(() => process.exit(0));
});
