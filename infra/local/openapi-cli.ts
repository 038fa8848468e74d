/**
 * `npm run openapi [-- path]`: writes the OpenAPI 3.1 document generated from the service
 * descriptions (default `openapi.json` in the working directory), for front-end teams and
 * code generators that want a file rather than the running runtime's /openapi.json.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { services } from '../../services/index.js';
import { openApiDocument } from './openapi.js';

const target = resolve(process.argv[2] ?? 'openapi.json');
const document = openApiDocument(services);
await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);
const operations = Object.values(document.paths ?? {}).reduce(
  (n, item) => n + Object.keys(item ?? {}).length,
  0,
);
console.log(`wrote ${target}: ${operations} operations`);
