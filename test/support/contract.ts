/**
 * The contract check every integration test runs without asking: each answer from a
 * service route is validated against the OpenAPI document generated from the
 * descriptions — a 2xx against the route's declared success response (status, content
 * type, and the JSON Schema of its body), anything else against the one error shape with
 * no stack trace in it. A handler and its documentation cannot drift apart unnoticed.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { openApiDocument } from '../../infra/local/openapi.js';
import { services } from '../../services/index.js';
import { statusOfKind } from '../../shared/http/errors.js';
import { refusalsOf } from '../../shared/http/refusals.js';
import { isRefusalCode, refusals } from '../../shared/refusals.js';
import type { RouteSpec } from '../../shared/service.js';

interface Matcher {
  route: RouteSpec;
  regex: RegExp;
  literals: number;
}

const matchers: Matcher[] = services
  .flatMap((s) => s.routes)
  .map((route) => {
    const segments = route.path.split('/').filter(Boolean);
    const pattern = segments
      .map((segment) =>
        /^\{[^}]+\}$/.test(segment) ? '/[^/]+' : `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
      )
      .join('');
    return {
      route,
      regex: new RegExp(`^${pattern}/?$`),
      literals: segments.filter((s) => !s.startsWith('{')).length,
    };
  })
  // The most specific route wins, as API Gateway picks it.
  .sort((a, b) => b.literals - a.literals);

export const routeFor = (method: string, path: string): RouteSpec | undefined => {
  const pathname = path.split('?')[0] ?? path;
  return matchers.find((m) => m.route.method === method.toUpperCase() && m.regex.test(pathname))?.route;
};

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

const validatorFor = (route: RouteSpec, status: string, contentType: string): ValidateFunction => {
  const key = `${route.routeKey} ${status} ${contentType}`;
  const known = validators.get(key);
  if (known) return known;
  if (!ajv) {
    // OpenAPI 3.1 schemas are JSON Schema 2020-12; `example`, `x-*` and friends are not keywords.
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(openApiDocument(services) as object, 'openapi');
  }
  const ref = `openapi#/${pointer('paths', route.path, route.method.toLowerCase(), 'responses', status, 'content', contentType, 'schema')}`;
  const validate = ajv.compile({ $ref: ref });
  validators.set(key, validate);
  return validate;
};

const stackLike = /\n\s+at |\.ts:\d+|node_modules\//;

/**
 * What API Gateway answers by itself, before any handler runs (its JWT authorizer, payload
 * limit, throttling, a router that timed out or crashed). HTTP APIs cannot reshape these, so
 * the local gateway answers them the same way and the document describes them.
 */
const gatewayAnswers: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * A refusal keeps the contract when its code is one the route lists, answered with that
 * code's one status, and its body (details included) has the code's documented shape.
 */
const refusalViolations = (
  route: RouteSpec,
  where: string,
  status: number,
  code: string,
  body: unknown,
): string[] => {
  if (!isRefusalCode(code)) return [`${where} with \`${code}\`, a code shared/refusals.ts does not list`];
  const expected = statusOfKind(refusals[code].kind);
  if (expected !== status) return [`${where} with \`${code}\`, whose status is ${expected}`];
  if (!refusalsOf(route).includes(code)) {
    return [`${where} with \`${code}\`, which the route does not list in its refusals`];
  }
  const validate = validatorFor(route, String(status), 'application/json');
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${where} with \`${code}\`: body${e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`,
  );
};

/** Empty when the answer keeps the contract; otherwise what broke it. */
export const contractViolations = (
  method: string,
  path: string,
  status: number,
  contentType: string,
  body: unknown,
  text: string,
): string[] => {
  const route = routeFor(method, path);
  if (!route) return [];
  const where = `${route.routeKey} answered ${status}`;
  const isText = contentType === '' || /json|text\//.test(contentType);
  if (isText && stackLike.test(text))
    return [`${where} with something like a stack trace: ${text.slice(0, 300)}`];
  // 303 sends a large export to its presigned GET, 304 answers a conditional GET: declared
  // with the route's successes, never an error.
  if ((status < 200 || status >= 300) && status !== 303 && status !== 304) {
    const gateway = (body as { message?: unknown } | undefined)?.message;
    if (
      gatewayAnswers[status] !== undefined &&
      gateway === gatewayAnswers[status] &&
      Object.keys(body as object).length === 1
    ) {
      return [];
    }
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (
      !contentType.includes('application/json') ||
      typeof error?.code !== 'string' ||
      typeof error.message !== 'string'
    ) {
      return [`${where} outside the documented error shape: ${text.slice(0, 300)}`];
    }
    return refusalViolations(route, where, status, error.code, body);
  }
  if (!route.responses) return [];
  const spec = route.responses[status as 200];
  if (spec === undefined) {
    return [`${where}, which it does not declare (declared: ${Object.keys(route.responses).join(', ')})`];
  }
  if (spec === 'empty') return text.length === 0 ? [] : [`${where} with a body, declared empty`];
  const declaredType =
    typeof spec === 'object' && 'contentType' in spec ? spec.contentType : 'application/json';
  if (!contentType.startsWith(declaredType)) return [`${where} as ${contentType}, declared ${declaredType}`];
  if (declaredType !== 'application/json') return [];
  const validate = validatorFor(route, String(status), 'application/json');
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${where}: body${e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`,
  );
};
