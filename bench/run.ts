/**
 * Runs every `bench/*.bench.ts` module's exported `run()`, one after the other, so a new
 * benchmark only has to be dropped into this folder. Arguments filter by file name:
 * `npm run bench -- pattern` runs `pattern.bench.ts` only.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface BenchModule {
  run?: () => unknown;
}

const filters = process.argv.slice(2);
const files = readdirSync(import.meta.dirname)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(`No benchmark matches ${filters.join(', ')}`);
  process.exitCode = 1;
}

for (const file of files) {
  const module = (await import(pathToFileURL(join(import.meta.dirname, file)).href)) as BenchModule;
  if (typeof module.run !== 'function') throw new Error(`${file} does not export run()`);
  console.log(`\n=== ${file} ===`);
  await module.run();
}
