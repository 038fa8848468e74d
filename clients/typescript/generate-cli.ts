/** `npm run client`: regenerates `schema.ts` from the services' OpenAPI document. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SCHEMA_FILE, schemaText } from './generate.js';

await writeFile(SCHEMA_FILE, await schemaText());
process.stdout.write(`wrote ${fileURLToPath(SCHEMA_FILE)}\n`);
