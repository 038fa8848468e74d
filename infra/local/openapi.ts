/**
 * The API description, generated from the same service descriptions (and the same zod
 * schemas the handlers validate with) as everything else, by zod-openapi: an OpenAPI 3.1
 * document with every route's parameters, body, success responses, the one error shape,
 * the bearer-JWT scheme and who may call each route. `npm run openapi` writes it; the
 * local runtime serves it at /openapi.json and renders it at /docs.
 */
import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { refusalsByStatus } from '../../shared/http/refusals.js';
import { IDEMPOTENCY_DOC, IDEMPOTENCY_KEY_PATTERN } from '../../shared/idempotency.js';
import { type RefusalCode, refusals } from '../../shared/refusals.js';
import type { Outcome, Persona, ResponseSpec, RouteSpec, ServiceDescription } from '../../shared/service.js';
import { personas } from '../../shared/service.js';

/** The one error shape, for readers; each operation lists its own codes in this shape. */
const errorShape =
  'Every refusal is `{ error: { code, message, details? } }`: switch on `code`, show `message` to people; `details` has a shape per code.';

const pascal = (code: string): string =>
  code
    .split('-')
    .map((part) => `${part[0]?.toUpperCase()}${part.slice(1)}`)
    .join('');

const refusalSchemas = new Map<RefusalCode, z.ZodType>();

/** One component per code, so a generated client narrows `details` by `code`. */
const refusalSchema = (code: RefusalCode): z.ZodType => {
  const known = refusalSchemas.get(code);
  if (known) return known;
  const { about, details } = refusals[code] as { about: string; details?: z.ZodType };
  const schema = z
    .strictObject({
      error: z.strictObject({
        code: z.literal(code),
        message: z.string().meta({ description: 'For people; may change' }),
        ...(details ? { details } : {}),
      }),
    })
    .meta({ id: `${pascal(code)}Refusal`, description: about });
  refusalSchemas.set(code, schema);
  return schema;
};

/** What API Gateway answers by itself (JWT authorizer, payload limit, throttling, a failed router). */
export const gatewayBody = z.strictObject({ message: z.string().meta({ example: 'Unauthorized' }) }).meta({
  id: 'GatewayError',
  description:
    'Answered by API Gateway before the service runs: 401 Unauthorized (missing, expired or forged token), 413, 429 Too Many Requests, 503/500 when the function failed or timed out',
});

const personaLabels: Record<Persona, string> = {
  anonymous: 'no token',
  member: 'a member of the branch (acting on their own things where the route is about one person)',
  ownSecretary: "the branch's secretary",
  selfSecretary: "the branch's secretary acting on their own record",
  otherSecretary: "another branch's secretary",
  committee: 'the party committee (党委)',
  ownPartner: 'the owning partner organisation',
  otherPartner: 'another partner organisation',
};

const outcomeLabels: Record<Outcome, string> = {
  allowed: 'Allowed',
  401: 'Not signed in (401)',
  403: 'Role not admitted (403)',
  404: 'Out of scope, answered as not found (404)',
};

/** Who may call the route, in words, from its declared outcomes. */
export const accessDescription = (route: RouteSpec): string => {
  const roles =
    route.access === 'public' ? 'Public: no token needed.' : `Roles admitted: ${route.access.join(', ')}.`;
  if (!route.outcomes) return roles;
  const byOutcome = new Map<Outcome, string[]>();
  for (const persona of personas) {
    const outcome = route.outcomes[persona];
    // Said only where separation of duties makes the secretary's own record different.
    if (persona === 'selfSecretary' && outcome === route.outcomes.ownSecretary) continue;
    byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), personaLabels[persona]]);
  }
  const lines = [...byOutcome.entries()].map(
    ([outcome, who]) => `- ${outcomeLabels[outcome]}: ${who.join('; ')}`,
  );
  return `${roles}\n\n${lines.join('\n')}`;
};

const idempotencyHeader = z.object({
  'Idempotency-Key': z.string().regex(new RegExp(IDEMPOTENCY_KEY_PATTERN)).optional().meta({
    description: IDEMPOTENCY_DOC,
    example: '01JD3W5E8QK6M1V2X9ZC7N4P5R',
  }),
});

const statusLabels: Record<number, string> = {
  400: 'Invalid request',
  401: 'No valid token',
  403: 'Not allowed',
  404: 'Unknown, or not visible to the caller',
  409: 'Conflicting state: already there, changed meanwhile, already done',
  413: 'Body over the size limit',
  415: 'Body is not UTF-8 JSON',
  422: 'A business rule refused it',
  429: 'Too many requests; retry after a pause',
  500: 'A bug: the body carries only the request id',
  503: 'A dependency is unreachable; retry later',
};

// Statuses API Gateway may answer itself, before the service runs, in its own shape.
const fromGateway = new Set([400, 401, 413, 429, 500, 503]);

/** The refusals of one status: each code with when it happens, and a union of their shapes. */
const refusalResponse = (status: number, codes: readonly RefusalCode[]) => {
  const shapes = [...codes.map(refusalSchema), ...(fromGateway.has(status) ? [gatewayBody] : [])];
  const lines = codes.map((code) => `- \`${code}\`: ${refusals[code].about}`);
  return {
    description: [statusLabels[status] ?? 'Refused', ...lines].join('\n'),
    content: {
      'application/json': { schema: shapes.length === 1 ? (shapes[0] as z.ZodType) : z.union(shapes) },
    },
  };
};

const successResponse = (status: number, spec: ResponseSpec) => {
  if (spec === 'empty') {
    return {
      description:
        status === 304
          ? 'Not modified: the copy named by If-None-Match is current'
          : status === 303
            ? 'See Other: the file is too large to answer directly; `Location` is a presigned GET of it, valid for 5 minutes'
            : 'Done; no body',
    };
  }
  if (spec instanceof z.ZodType) {
    return {
      description: status === 201 ? 'Created' : 'Success',
      content: { 'application/json': { schema: spec } },
    };
  }
  return {
    description: spec.description,
    content: {
      [spec.contentType]: {
        schema: spec.contentType.startsWith('text/')
          ? { type: 'string' as const }
          : { type: 'string' as const, format: 'binary' },
      },
    },
  };
};

/** `GET /activities/{activityId}/attendance` → `getActivitiesActivityIdAttendance`. */
export const operationId = (route: RouteSpec): string =>
  [route.method.toLowerCase(), ...route.path.split(/[^A-Za-z0-9]+/).filter(Boolean)]
    .map((part, i) => (i === 0 ? part : `${part[0]?.toUpperCase()}${part.slice(1)}`))
    .join('');

const operation = (service: string, route: RouteSpec): ZodOpenApiOperationObject => {
  const success = Object.entries(route.responses ?? {}).filter(
    (entry): entry is [string, ResponseSpec] => entry[1] !== undefined,
  );
  const isPublic = route.access === 'public';
  return {
    tags: [service],
    operationId: operationId(route),
    summary: route.summary ?? route.routeKey,
    description: route.description
      ? `${route.description}\n\n${accessDescription(route)}`
      : accessDescription(route),
    ...(isPublic ? { security: [] } : {}),
    'x-access': route.access,
    ...(route.outcomes ? { 'x-outcomes': route.outcomes } : {}),
    ...(route.throttle === 'public' ? { 'x-throttle': 'public (the stage’s lowest limits)' } : {}),
    requestParams: {
      ...(route.request.params ? { path: route.request.params as z.ZodObject } : {}),
      ...(route.request.query ? { query: route.request.query as z.ZodObject } : {}),
      ...(route.idempotent ? { header: idempotencyHeader } : {}),
    },
    ...(route.request.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: route.request.body } } } }
      : {}),
    responses: {
      ...Object.fromEntries(success.map(([status, spec]) => [status, successResponse(Number(status), spec)])),
      ...Object.fromEntries(
        [...refusalsByStatus(route).entries()].map(([status, codes]) => [
          status,
          refusalResponse(status, codes),
        ]),
      ),
    },
  };
};

/** What each service's tag groups, for readers of the docs page and for generated clients. */
const serviceTags: Record<string, string> = {
  talent:
    'The register: branches (党支部) and party groups (党小组), people and their records, the development pipeline (发展党员), roles, insights',
  activities:
    '三会一课 and other party activities: scheduling, rooms (党员活动室), check-in with a code, attendance, completion, compliance and participation',
  resources:
    'The study library (学习资料库): files and links, study assignments and progress, assessments and their attempts',
  community:
    'Partner organisations (合作单位) and joint events (联合活动) with their registrations and waitlists',
  notices:
    'Announcements (通知公告) with read receipts per branch and reminders, and every person’s inbox of notices, activity notices included',
};

/**
 * zod writes an integer without bounds as ±(2^53 − 1), which the docs page then offers as an
 * example (`extensionMonths: -9007199254740991`). In answers such bounds say nothing (the
 * server sends no other integer), so they are left out of responses and components. Requests
 * bound every integer themselves (test/platform/request-examples.test.ts fails otherwise).
 */
const dropSafeIntegerBounds = (value: unknown): void => {
  const pending = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    const schema = node as Record<string, unknown>;
    if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
    if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
    pending.push(...Object.values(schema));
  }
};

export const openApiDocument = (services: readonly ServiceDescription[], serverUrl?: string) => {
  const paths: ZodOpenApiPathsObject = {};
  for (const service of services) {
    for (const route of service.routes) {
      const item = (paths[route.path] ?? {}) as Record<string, ZodOpenApiOperationObject>;
      item[route.method.toLowerCase()] = operation(service.name, route);
      paths[route.path] = item;
    }
  }
  const document = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'dangjian API',
      version: '1',
      description:
        'The back end of the party-building (党建) work platform. JSON, camelCase, ULID ids; answers write every time in one form, ISO-8601 in the institution’s zone (+08:00), and requests may send any offset. ' +
        'Lists take `limit` and `cursor` and answer `{ items, nextCursor }`. Send the Cognito ID token as a bearer token. ' +
        errorShape +
        ' Each operation lists the codes it can answer under their status; a code always comes with the same status. ' +
        'A query parameter a route does not list is ignored (a cache-buster such as `?_=1733480000` is harmless); the ones it lists are checked strictly. ' +
        'A body is checked strictly: an unknown field is a 400 naming it. A route that takes no body refuses one with a 400 naming `body`; no body, whitespace or `{}` count as none.',
    },
    // Without a known address (the file `npm run openapi` writes): the origin that serves the document.
    servers: [
      serverUrl
        ? { url: serverUrl }
        : { url: '/', description: 'Where the document is served from; a client sets its own base URL' },
    ],
    security: [{ bearer: [] }],
    tags: services.map((s) => ({
      name: s.name,
      ...(serviceTags[s.name] ? { description: serviceTags[s.name] } : {}),
    })),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Cognito ID token (locally: `npm run token -- --role committee`). Claims: sub, cognito:groups, custom:branchId, custom:orgId.',
        },
      },
    },
    paths,
  });
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item ?? {})) {
      dropSafeIntegerBounds((operation as { responses?: unknown } | undefined)?.responses);
    }
  }
  dropSafeIntegerBounds(document.components?.schemas);
  return document;
};
