/**
 * The API docs, generated from the same service descriptions as everything else: an
 * OpenAPI 3.1 document (zod 4 writes the JSON Schemas) and a plain HTML page listing every
 * route with its access rule. Served by the local gateway at /openapi.json and /docs.
 */
import { z } from 'zod';
import type { ServiceDescription } from '../../shared/service.js';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

const schemaOf = (schema: z.ZodType | undefined, io: 'input' | 'output' = 'input') => {
  if (!schema) return undefined;
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  } catch {
    return {};
  }
};

export const openApiDocument = (services: readonly ServiceDescription[], serverUrl: string) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const service of services) {
    for (const route of service.routes) {
      const query = schemaOf(route.request.query) as
        | { properties?: Record<string, unknown>; required?: string[] }
        | undefined;
      const params = schemaOf(route.request.params) as { properties?: Record<string, unknown> } | undefined;
      const body = schemaOf(route.request.body);
      const pathItem = paths[route.path] ?? {};
      pathItem[route.method.toLowerCase()] = {
        tags: [service.name],
        operationId: `${service.name}:${route.routeKey}`,
        summary: route.routeKey,
        description:
          route.access === 'public'
            ? 'Public: no token.'
            : `Roles allowed: ${route.access.join(', ')} (scope checked in the service).`,
        ...(route.access === 'public' ? { security: [] } : {}),
        parameters: [
          ...Object.entries(params?.properties ?? {}).map(([name, schema]) => ({
            name,
            in: 'path',
            required: true,
            schema,
          })),
          ...Object.entries(query?.properties ?? {}).map(([name, schema]) => ({
            name,
            in: 'query',
            required: query?.required?.includes(name) ?? false,
            schema,
          })),
        ],
        ...(body
          ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } }
          : {}),
        responses: {
          '2XX': { description: 'Success' },
          '4XX': {
            description: 'Refused: see error.code',
            content: { 'application/json': { schema: errorSchema } },
          },
          '5XX': {
            description: 'Unavailable or a bug (request id only)',
            content: { 'application/json': { schema: errorSchema } },
          },
        },
      };
      paths[route.path] = pathItem;
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'dangjian API', version: '1' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
};

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export const docsPage = (services: readonly ServiceDescription[]): string => {
  const rows = services
    .flatMap((service) =>
      service.routes.map(
        (r) =>
          `<tr><td>${escapeHtml(service.name)}</td><td><code>${escapeHtml(r.routeKey)}</code></td><td>${escapeHtml(
            r.access === 'public' ? 'public' : r.access.join(', '),
          )}</td></tr>`,
      ),
    )
    .join('\n');
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>dangjian API</title>
<body style="font-family: system-ui, sans-serif; margin: 2rem">
<h1>dangjian API</h1><p>The full OpenAPI 3.1 document: <a href="/openapi.json">/openapi.json</a>.
Errors are <code>{ "error": { "code", "message", "details"? } }</code>.</p>
<table border="1" cellpadding="4" style="border-collapse: collapse"><tr><th>service</th><th>route</th><th>access</th></tr>
${rows}
</table></body></html>`;
};
