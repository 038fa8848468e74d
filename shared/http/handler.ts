import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { authorize, type Caller, callerFromClaims } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { badRequest, DomainError, payloadTooLarge, unwrap, validationFailed } from '../errors.js';
import { idempotencyKeyOf } from '../idempotency.js';
import type { HttpRequest, RequestSchemas, RouteSpec, ServiceDescription } from '../service.js';
import { statusOf, toDomainError } from './errors.js';
import type { HttpResult } from './result.js';
import { bodySchemaFor, refuseMisplaced } from './role-body.js';
import { parseQuery, parseWith } from './validation.js';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResponse = Exclude<APIGatewayProxyResultV2, string>;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

export interface HttpOptions {
  /** Default body limit for routes that do not set their own. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const emptyObject = z.strictObject({});

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode: status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

const toResponse = (result: HttpResult): HttpResponse => {
  if (result.binary) {
    return {
      statusCode: result.status,
      headers: { 'content-type': result.binary.contentType, ...result.headers },
      body: Buffer.from(result.binary.bytes).toString('base64'),
      isBase64Encoded: true,
    };
  }
  if (result.raw) {
    return {
      statusCode: result.status,
      headers: { 'content-type': result.raw.contentType, ...result.headers },
      body: result.raw.text,
    };
  }
  if (result.body === undefined) return { statusCode: result.status, headers: { ...result.headers } };
  return json(result.status, result.body, result.headers);
};

export const errorResponse = (error: DomainError): HttpResponse =>
  json(statusOf(error), { error: error.toJSON() });

const bodyBytes = (event: HttpEvent): number =>
  event.body === undefined ? 0 : Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');

const hasBody = (event: HttpEvent): boolean => event.body !== undefined && bodyBytes(event) > 0;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The API speaks UTF-8 only. A body declared in another charset (`charset=gbk`) would be read
 * as UTF-8 and stored garbled: 415. Bytes that are not UTF-8 are a 400, never stored as
 * U+FFFD: a binary body arrives base64-encoded and is decoded strictly; a text body reaches
 * the function already decoded, where U+FFFD is the mark of bytes that were not UTF-8.
 */
const requireUtf8 = (event: HttpEvent): void => {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(event.headers['content-type'] ?? '')?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw new DomainError('unsupported-media-type', 'unsupported-media-type', 'Send the body in UTF-8');
  }
  if (event.body === undefined) return;
  let text = event.body;
  if (event.isBase64Encoded) {
    try {
      text = strictUtf8.decode(Buffer.from(event.body, 'base64'));
    } catch {
      throw badRequest('invalid-encoding', 'The body is not valid UTF-8');
    }
    event.body = text;
    event.isBase64Encoded = false;
  }
  if (text.includes('\uFFFD')) throw badRequest('invalid-encoding', 'The body is not valid UTF-8');
};

/** The longest body that can still be "no body": `{}` with a little whitespace around it. */
const NO_BODY_BYTES = 64;

/**
 * A route that declares no body refuses one, whatever its content type, with the 400 of an
 * unknown field (`body`): what a caller sent there would otherwise be dropped unseen. No body,
 * whitespace and `{}` (what many clients send with a bare POST) count as none.
 */
const refuseBody = (event: HttpEvent): void => {
  if (!hasBody(event)) return;
  const bytes = bodyBytes(event);
  const text =
    bytes > NO_BODY_BYTES
      ? undefined
      : Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
  if (text === undefined || !/^\s*(?:\{\s*\})?\s*$/.test(text)) {
    throw validationFailed([{ field: 'body', message: 'This route takes no body' }]);
  }
};

/** One route: authorise, bound and parse the body, validate everything, then call the handler. */
const routeHandler = (route: RouteSpec, service: ServiceContext, options: HttpOptions) => {
  const limit = route.maxBodyBytes ?? options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const schemas: RequestSchemas = route.request;

  /** Who is calling, and may they use this route at all: decided before the body is even read. */
  const admit = (event: HttpEvent): Caller | undefined => {
    const claims = event.requestContext.authorizer?.jwt?.claims as Record<string, string> | undefined;
    const caller = callerFromClaims(claims);
    // A caller with no known role gets 403 from authorize; on a public route it is treated
    // as anonymous, so no public handler has to tell "no roles" from "no token".
    if (route.access === 'public') return caller && caller.roles.length > 0 ? caller : undefined;
    authorize(route.access, caller);
    return caller;
  };

  const run = async (event: HttpEvent): Promise<HttpResponse> => {
    const caller = admit(event);
    // By now the body is parsed JSON, or undefined when none was sent.
    const sent: unknown = event.body;
    if (schemas.body) refuseMisplaced(schemas.body, caller?.roles, sent);
    const body = schemas.body
      ? parseWith('body', bodySchemaFor(schemas.body, caller?.roles), sent)
      : undefined;
    const query = parseQuery(schemas.query ?? emptyObject, event.queryStringParameters ?? {});
    const params = parseWith('params', schemas.params ?? emptyObject, event.pathParameters ?? {});

    const request: HttpRequest = {
      body,
      query,
      params,
      caller,
      requestId: event.requestContext.requestId,
      now: new Date(event.requestContext.timeEpoch),
      headers: event.headers as Record<string, string | undefined>,
      idempotencyKey: route.idempotent ? unwrap(idempotencyKeyOf(event.headers)) : undefined,
    } as HttpRequest;
    return toResponse(await route.handler(request, service));
  };

  const parser = httpJsonBodyParser();
  const stack = middy<HttpEvent, HttpResponse>().use({
    before: (request) => {
      admit(request.event);
      if (!schemas.body) {
        refuseBody(request.event);
        request.event.body = undefined;
        return;
      }
      if (bodyBytes(request.event) > limit) throw payloadTooLarge(limit);
      // A missing body is left to the schema ("expected object"), not reported as bad JSON.
      if (hasBody(request.event)) {
        requireUtf8(request.event);
        return parser.before?.(request);
      }
      request.event.body = undefined;
    },
  });
  return stack.handler(run);
};

/**
 * What the log names a request by: the route key (`GET /talent/people/{personId}`), never the
 * raw path, which carries whatever a caller typed into it (a phone number, a name: PIPL).
 */
const routeOf = (event: HttpEvent): string => {
  const key = event.requestContext.routeKey;
  return key && key !== '$default' ? key : `${event.requestContext.http.method} (no route)`;
};

/**
 * The service's single HTTP Lambda: @middy/http-router dispatches every route of the
 * description; errors map to `{ error: { code, message, details? } }` in one place.
 */
export const createHttpHandler = (
  description: ServiceDescription,
  service: ServiceContext,
  options: HttpOptions = {},
): HttpHandler => {
  const router = httpRouterHandler<HttpEvent, HttpResponse>({
    routes: description.routes.map((route) => ({
      method: route.method,
      path: route.path,
      handler: routeHandler(route, service, options),
    })),
    notFoundResponse: ({ method, path }) => {
      throw new DomainError('not-found', 'route-not-found', `No route ${method} ${path}`);
    },
  });

  const started = new WeakMap<object, number>();
  const log = service.log;

  const handler = middy<HttpEvent, HttpResponse>().use(httpHeaderNormalizer());
  // CORS is answered in front of the service, by the HTTP API on AWS and by the local
  // gateway from the same configuration (shared/http/cors.ts): a service never sets it.
  handler
    .use({
      before: (request) => {
        started.set(request, performance.now());
      },
      after: (request) => {
        const { event, response } = request;
        const status = response?.statusCode ?? 200;
        request.response = {
          ...response,
          headers: { ...response?.headers, 'x-request-id': event.requestContext.requestId },
        };
        log.info('request', {
          requestId: event.requestContext.requestId,
          route: routeOf(event),
          status,
          durationMs: Math.round(performance.now() - (started.get(request) ?? performance.now())),
        });
      },
      onError: (request) => {
        const { event, error } = request;
        const requestId = event.requestContext.requestId;
        const mapped = toDomainError(error);
        const final =
          mapped ??
          new DomainError('internal', 'internal', `Something went wrong; quote request id ${requestId}`, {
            requestId,
          });
        const fields = {
          requestId,
          route: routeOf(event),
          status: statusOf(final),
          code: final.code,
          durationMs: Math.round(performance.now() - (started.get(request) ?? performance.now())),
        };
        if (statusOf(final) >= 500) log.error('request failed', { ...fields, error: error as Error });
        else log.info('request', fields);
        const response = errorResponse(final);
        request.response = { ...response, headers: { ...response.headers, 'x-request-id': requestId } };
      },
    })
    .handler(router);

  return (event, context) => handler(event, context) as Promise<HttpResponse>;
};
