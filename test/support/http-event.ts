/**
 * An HTTP API (payload 2.0) event as API Gateway hands it to a service's HTTP Lambda after
 * its JWT authorizer: for calling `createHttpHandler` directly, the whole stack included
 * (routing, parsing, the caller from the claims, error mapping), where the gateway is not
 * in the way of what is measured or provoked.
 */
import { apiGatewayEvent, lambdaContext } from '../../infra/local/api-event.js';
import type { ServiceContext } from '../../shared/context.js';
import { createHttpHandler, type HttpHandler } from '../../shared/http/handler.js';
import { newId } from '../../shared/ids.js';
import type { ServiceDescription } from '../../shared/service.js';

export interface HttpEventInput {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** The caller; none for a public route. Groups become the claim as the authorizer passes it. */
  caller?: { sub: string; personId?: string; groups: readonly string[]; branchId?: string; orgId?: string };
  /** The time API Gateway received the request. */
  now: Date | string;
  requestId?: string;
}

export const httpEvent = ({
  method,
  path,
  query,
  body,
  caller,
  now,
  requestId = newId(),
}: HttpEventInput) => {
  const claims = caller && {
    sub: caller.sub,
    token_use: 'id',
    'cognito:groups': `[${caller.groups.join(' ')}]`,
    ...(caller.personId ? { 'custom:personId': caller.personId } : {}),
    ...(caller.branchId ? { 'custom:branchId': caller.branchId } : {}),
    ...(caller.orgId ? { 'custom:orgId': caller.orgId } : {}),
  };
  return apiGatewayEvent({
    method,
    // No route matched here: the service's router matches the path itself, as behind API Gateway.
    routeKey: `${method} ${path}`,
    path,
    rawQueryString: new URLSearchParams(query ?? {}).toString(),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(claims ? { claims } : {}),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    timeEpoch: new Date(now).getTime(),
    requestId,
  });
};

/**
 * One request through a service's whole HTTP Lambda stack on the given context (whose
 * database client a test may interpose on), answered as `{ status, body }`.
 */
// One Lambda per context and service, made once, as a warm function is.
const lambdas = new WeakMap<ServiceContext, Map<string, HttpHandler>>();

export const invoke = async (
  description: ServiceDescription,
  ctx: ServiceContext,
  input: HttpEventInput,
): Promise<{ status: number; body: any }> => {
  const made = lambdas.get(ctx) ?? new Map<string, HttpHandler>();
  lambdas.set(ctx, made);
  const lambda = made.get(description.name) ?? createHttpHandler(description, ctx);
  made.set(description.name, lambda);
  const event = httpEvent(input);
  const res = await lambda(
    event,
    lambdaContext(`test-${description.name}`, 10_000, event.requestContext.requestId),
  );
  return { status: res.statusCode ?? 200, body: res.body ? JSON.parse(res.body) : undefined };
};
