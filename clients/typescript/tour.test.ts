/**
 * The README shows the TypeScript tour as `tour.ts` has it: the file is type-checked with the
 * repository, so the text a reader copies compiles against the current document too.
 */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

const HEADING = '**The same tour in TypeScript**';

it("README's TypeScript tour is clients/typescript/tour.ts, without its header comment", async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const tour = await readFile(new URL('./tour.ts', import.meta.url), 'utf8');
  const after = readme.slice(readme.indexOf(HEADING));
  const shown = /```ts\n([\s\S]*?)```/.exec(after)?.[1];
  const code = tour.slice(tour.indexOf('import '));
  expect(shown, 'README: copy clients/typescript/tour.ts (from its first import) into the tour').toBe(code);
});
