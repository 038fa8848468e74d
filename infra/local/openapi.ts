/**
 * The API description, generated from the same service descriptions (and the same zod
 * schemas the handlers validate with) as everything else, by zod-openapi: an OpenAPI 3.1
 * document with every route's parameters, body, success responses, the one error shape,
 * the bearer-JWT scheme and who may call each route. `npm run openapi` writes it; the
 * local runtime serves it at /openapi.json and renders it at /docs.
 */
import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { IDEMPOTENCY_DOC, IDEMPOTENCY_KEY_PATTERN } from '../../shared/idempotency.js';
import type { Outcome, Persona, ResponseSpec, RouteSpec, ServiceDescription } from '../../shared/service.js';
import { personas } from '../../shared/service.js';

/** The documented error shape (README, "Conventions every route follows"), one component for all. */
export const errorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.string().meta({ description: 'Stable code a front end can switch on, e.g. `not-found`' }),
      message: z.string().meta({ description: 'For people; may change' }),
      details: z
        .unknown()
        .optional()
        .meta({ description: 'For validation errors: one entry per bad field ({ field, message })' }),
    }),
  })
  .meta({ id: 'Error', description: 'Every refusal and failure has this shape' });

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

const errorResponse = (description: string, fromGatewayToo = false) => ({
  description,
  content: { 'application/json': { schema: fromGatewayToo ? z.union([errorBody, gatewayBody]) : errorBody } },
});

const successResponse = (status: number, spec: ResponseSpec) => {
  if (spec === 'empty') return { description: 'Done; no body' };
  if (spec instanceof z.ZodType) {
    return {
      description: status === 201 ? 'Created' : 'Success',
      content: { 'application/json': { schema: spec } },
    };
  }
  return {
    description: spec.description,
    content: { [spec.contentType]: { schema: { type: 'string' as const } } },
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
    description: accessDescription(route),
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
      400: errorResponse('Invalid request: `details` names each bad field', true),
      ...(isPublic
        ? {}
        : { 401: errorResponse('No valid token', true), 403: errorResponse('Role not admitted') }),
      404: errorResponse('Unknown, or not visible to the caller'),
      409: errorResponse('Conflicting state: duplicate, overlap, stale version, already done'),
      ...(route.request.body
        ? { 413: errorResponse('Body over the size limit', true), 415: errorResponse('Body is not JSON') }
        : {}),
      422: errorResponse('A business rule refused it; `code` names the rule'),
      429: errorResponse('Throttled by API Gateway; retry after a pause', true),
      500: errorResponse('A bug: the body carries only the request id', true),
      503: errorResponse('A dependency is unreachable; retry later', true),
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

export const openApiDocument = (services: readonly ServiceDescription[], serverUrl?: string) => {
  const paths: ZodOpenApiPathsObject = {};
  for (const service of services) {
    for (const route of service.routes) {
      const item = (paths[route.path] ?? {}) as Record<string, ZodOpenApiOperationObject>;
      item[route.method.toLowerCase()] = operation(service.name, route);
      paths[route.path] = item;
    }
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'dangjian API',
      version: '1',
      description:
        'The back end of the party-building (党建) work platform. JSON, camelCase, ULID ids; answers write every time in one form, ISO-8601 in the institution’s zone (+08:00), and requests may send any offset. ' +
        'Lists take `limit` and `cursor` and answer `{ items, nextCursor }`. Send the Cognito ID token as a bearer token.',
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
};
