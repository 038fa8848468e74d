/**
 * The client's types, as text: openapi-typescript run on the OpenAPI document the services
 * describe (the very document `npm run openapi` writes and the runtime serves), in memory,
 * so `npm run client` and the drift check in `npm test` produce the same bytes.
 */
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { openApiDocument } from '../../infra/local/openapi.js';
import { services } from '../../services/index.js';

/** Where the generated types live, next to the wrapper that uses them. */
export const SCHEMA_FILE = new URL('./schema.ts', import.meta.url);

const REGENERATE = ' * Regenerate with `npm run client` whenever a route or schema changes.\n';

export const schemaText = async (): Promise<string> => {
  // A JSON round trip: the generator takes the document as a server sends it, not zod's objects.
  const document = JSON.parse(JSON.stringify(openApiDocument(services))) as OpenAPI3;
  const ast = await openapiTS(document, { silent: true });
  return `${COMMENT_HEADER.replace(' */\n', `${REGENERATE} */\n`)}${astToString(ast)}`;
};
