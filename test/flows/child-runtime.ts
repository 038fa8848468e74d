/**
 * A runtime in a process of its own, for the fault test that kills the whole process
 * (SIGKILL) and starts it again on the same data. Prints `READY <url>` when it serves.
 * Usage: tsx test/flows/child-runtime.ts <dataDir>
 */
import { startRuntime } from '../../infra/local/runtime.js';
import { notesService } from '../notes/service.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: child-runtime.ts <dataDir>');

const runtime = await startRuntime({
  services: [notesService],
  dataDir,
  port: 0,
  testControls: true,
  busRetry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
  relayBackoffMs: 10,
  logLevel: 'SILENT',
});
console.log(`READY ${runtime.url}`);
process.on('SIGTERM', () => {
  void runtime.stop().then(() => process.exit(0));
});
