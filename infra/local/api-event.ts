/**
 * What API Gateway hands a service's HTTP Lambda: a payload-format 2.0 event and a Lambda
 * context. One builder for the local gateway and for tests that call a handler directly,
 * so both meet the same shape (cookies out of the headers, repeated query keys joined with
 * commas, the JWT authorizer's claims as strings).
 */
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../shared/http/handler.js';

export interface ApiEventInput {
  method: string;
  /** The matched route, `GET /notes/{noteId}` (the literal path will do where nothing matched one). */
  routeKey: string;
  path: string;
  /** Without the `?`. */
  rawQueryString?: string;
  /** Lower-case names; a `cookie` header becomes `cookies`, as API Gateway moves it. */
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  /** The JWT authorizer's claims; none for a public route. */
  claims?: Record<string, string>;
  /** A string is sent as text; bytes are base64-encoded unless the content type is textual. */
  body?: string | Buffer;
  /** When API Gateway received the request. */
  timeEpoch: number;
  requestId: string;
  sourceIp?: string;
  protocol?: string;
}

const textual = /^(application\/(json|xml|x-www-form-urlencoded|[\w.+-]*\+json)|text\/)/i;

const queryOf = (raw: string): Record<string, string> => {
  const params = new URLSearchParams(raw);
  const query: Record<string, string> = {};
  for (const key of new Set(params.keys())) query[key] = params.getAll(key).join(',');
  return query;
};

const bodyOf = (body: string | Buffer | undefined, contentType: string) => {
  if (body === undefined || body.length === 0) return { isBase64Encoded: false };
  if (typeof body === 'string') return { body, isBase64Encoded: false };
  return textual.test(contentType)
    ? { body: body.toString('utf8'), isBase64Encoded: false }
    : { body: body.toString('base64'), isBase64Encoded: true };
};

export const apiGatewayEvent = (input: ApiEventInput): HttpEvent => {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (name === 'cookie') cookies.push(...value.split(/;\s*/).filter(Boolean));
    else headers[name] = value;
  }
  const rawQueryString = input.rawQueryString ?? '';
  const query = queryOf(rawQueryString);
  const params = input.pathParameters ?? {};
  return {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.path,
    rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      ...(input.claims
        ? {
            authorizer: { jwt: { claims: input.claims, scopes: [] }, principalId: '', integrationLatency: 0 },
          }
        : {}),
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: input.method,
        path: input.path,
        protocol: input.protocol ?? 'HTTP/1.1',
        sourceIp: input.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: new Date(input.timeEpoch).toISOString(),
      timeEpoch: input.timeEpoch,
    },
    ...bodyOf(input.body, headers['content-type'] ?? ''),
  } as HttpEvent;
};

export const lambdaContext = (functionName: string, timeoutMs: number, requestId: string): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
