/**
 * The committed types are what the generator makes of the document as it stands: a route or
 * schema changed without `npm run client` fails here, before a front end compiles against
 * types the server no longer keeps.
 */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { SCHEMA_FILE, schemaText } from './generate.js';

/** The first line where two texts part, for a message that points somewhere. */
const firstDifference = (committed: string, current: string): string => {
  const a = committed.split('\n');
  const b = current.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at] ?? '(end of file)')}, now ${JSON.stringify(b[at] ?? '(end of file)')}`;
};

it('clients/typescript/schema.ts is generated from the current OpenAPI document', async () => {
  const [committed, current] = await Promise.all([readFile(SCHEMA_FILE, 'utf8'), schemaText()]);
  if (committed !== current) {
    expect.fail(
      `The OpenAPI document changed and the client was not regenerated: run \`npm run client\` and commit clients/typescript/schema.ts (${firstDifference(committed, current)})`,
    );
  }
  // The generator bundles the document with redocly first: seconds, more on a busy machine.
}, 60_000);
