/**
 * The local stand-in for API Gateway's HTTP API: it matches the routes of every service
 * description, checks bearer tokens like the JWT authorizer (public routes skip it),
 * builds payload-format 2.0 events with the claims as strings, invokes the service's
 * router function with a Lambda-like context and maps the result back. With `cors`, it answers
 * preflights and sets the CORS headers itself, as the HTTP API does (infra/local/cors.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpHandler, HttpResponse } from '../../shared/http/handler.js';
import type { RouteSpec } from '../../shared/service.js';
import { type ThrottleClasses, TokenBuckets, throttleClass } from '../throttle.js';
import { apiGatewayEvent, lambdaContext } from './api-event.js';
import {
  type CorsConfiguration,
  isCorsHeader,
  isPreflight,
  preflightHeaders,
  responseHeaders,
} from './cors.js';

/** API Gateway's own payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface GatewayRoute {
  service: string;
  route: RouteSpec;
  invoke: HttpHandler;
}

export type VerifyToken = (
  authorization: string | undefined,
) => Promise<{ ok: true; claims: Record<string, string> } | { ok: false; reason: string }>;

export interface GatewayOptions {
  routes: GatewayRoute[];
  verify: VerifyToken;
  port: number;
  host?: string;
  /** Lambda timeout of the router functions; API Gateway itself gives up at 30 s. */
  timeoutMs?: number;
  /** Extra routes of the runtime itself (`/health`, docs, a caller's own), tried first. */
  extra?: ExtraRoutes;
  /**
   * When a request arrived, as handlers see it (`requestContext.timeEpoch`, the field API
   * Gateway fills on AWS). Default: now; a test runtime lets requests name their own time.
   */
  requestTime?: (req: IncomingMessage) => number;
  /** One entry per answered request, like API Gateway's access log. */
  access?: (entry: AccessEntry) => void;
  /**
   * API Gateway's per-route throttling with a stage's limits (infra/config.ts): routes of
   * the `public` class get the public limits. Absent: no throttling (the shared test
   * runtime fires hundreds of parallel requests). `now` drives the buckets' clock.
   */
  throttle?: ThrottleClasses & { now?: () => number };
  /** The HTTP API's CORS configuration; absent: no preflight answers, the integration's headers pass. */
  cors?: CorsConfiguration;
  log?: (entry: Record<string, unknown>) => void;
}

/** Answers the request and says true, or leaves it to the next routes. */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface AccessEntry {
  method: string;
  /** Without the query string, which may carry what no log should (a phone number searched for). */
  path: string;
  status: number;
  ms: number;
  /** The matched route's key, when one matched. */
  route?: string;
  /** A service's refusal, from its error body. */
  code?: string;
}

interface CompiledRoute extends GatewayRoute {
  regex: RegExp;
  names: string[];
  /** Literal segments rank above parameters, as API Gateway picks the most specific route. */
  rank: number[];
}

const compile = (route: GatewayRoute): CompiledRoute => {
  const segments = route.route.path.split('/').filter(Boolean);
  const names: string[] = [];
  const pattern = segments
    .map((segment) => {
      const param = /^\{([^}+]+)(\+?)\}$/.exec(segment);
      if (!param) return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      names.push(param[1] as string);
      return param[2] ? '/(.+)' : '/([^/]+)';
    })
    .join('');
  return {
    ...route,
    regex: new RegExp(`^${pattern || '/'}$`),
    names,
    rank: segments.map((s) => (s.startsWith('{') ? 0 : 1)),
  };
};

const moreSpecific = (a: CompiledRoute, b: CompiledRoute): number => {
  for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i++) {
    const diff = (b.rank[i] ?? -1) - (a.rank[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
};

const readBody = (req: IncomingMessage): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });

const headersOf = (req: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
};

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** What an access entry learns while the request is handled. */
interface Seen {
  route?: string;
  code?: string;
}

const errorCodeOf = (result: HttpResponse): string | undefined => {
  if ((result.statusCode ?? 200) < 400 || !result.body || result.isBase64Encoded) return undefined;
  try {
    const code = (JSON.parse(result.body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
};

const writeResult = (res: ServerResponse, result: HttpResponse, dropCors: boolean) => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (!(dropCors && isCorsHeader(name))) headers[name.toLowerCase()] = String(value);
  }
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body ?? '';
  const bytes = result.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(bytes);
};

export const startGateway = async (
  options: GatewayOptions,
): Promise<{ server: Server; url: string; close(): Promise<void> }> => {
  const routes = options.routes.map(compile);
  const timeoutMs = options.timeoutMs ?? 29_000;
  const buckets = options.throttle ? new TokenBuckets(options.throttle.now) : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse, seen: Seen) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (options.cors) {
      if (isPreflight(req)) {
        res.writeHead(204, preflightHeaders(options.cors, req.headers.origin));
        res.end();
        return;
      }
      // Set before any answer is written, so the gateway's own refusals carry them too.
      for (const [name, value] of Object.entries(responseHeaders(options.cors, req.headers.origin))) {
        res.setHeader(name, value);
      }
    }
    if (options.extra && (await options.extra(req, res, url))) return;

    // A path that is not valid percent-encoding cannot name a resource.
    try {
      decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, { message: 'Bad Request' });
    }
    const method = req.method ?? 'GET';
    const candidates = routes
      .filter((r) => r.route.method === method)
      .map((r) => ({ r, m: r.regex.exec(url.pathname) }))
      .filter((c): c is { r: CompiledRoute; m: RegExpExecArray } => c.m !== null)
      .sort((a, b) => moreSpecific(a.r, b.r));
    const chosen = candidates[0];
    // API Gateway's own answers, with its own bodies.
    if (!chosen) return send(res, 404, { message: 'Not Found' });
    seen.route = chosen.r.route.routeKey;

    // Throttling comes before the authorizer, as on API Gateway: a flood of bad tokens is
    // refused as cheaply as a flood of good ones.
    if (buckets && options.throttle) {
      const verdict = buckets.take(chosen.r.route.routeKey, options.throttle[throttleClass(chosen.r.route)]);
      if (!verdict.ok) {
        // A client's own excess, not an operator's problem: counted, not shouted (npm start prints warnings).
        options.log?.({ level: 'info', message: 'throttled', route: chosen.r.route.routeKey });
        // API Gateway's own answer, body and all (HTTP APIs cannot reshape it), so a client
        // meets locally exactly what it will meet on AWS. Retry-After is a local courtesy.
        return send(
          res,
          429,
          { message: 'Too Many Requests' },
          { 'retry-after': String(verdict.retryAfterSeconds) },
        );
      }
    }

    let claims: Record<string, string> | undefined;
    if (chosen.r.route.access !== 'public') {
      const verdict = await options.verify(req.headers.authorization);
      if (!verdict.ok) return send(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      claims = verdict.claims;
    }
    const body = await readBody(req);
    if (body === 'too-large') return send(res, 413, { message: 'Request Entity Too Large' });

    const requestId = randomUUID();
    const event = apiGatewayEvent({
      method,
      routeKey: chosen.r.route.routeKey,
      path: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers: headersOf(req),
      pathParameters: Object.fromEntries(
        chosen.r.names.map((name, i) => [name, decodeURIComponent(chosen.m[i + 1] as string)]),
      ),
      ...(claims ? { claims } : {}),
      body,
      timeEpoch: options.requestTime?.(req) ?? Date.now(),
      requestId,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      protocol: `HTTP/${req.httpVersion}`,
    });
    const context = lambdaContext(`dangjian-local-${chosen.r.service}-http`, timeoutMs, requestId);

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const result = await Promise.race([chosen.r.invoke(event, context), timedOut]);
      if (result === 'timeout') return send(res, 503, { message: 'Service Unavailable' });
      const code = options.access && errorCodeOf(result);
      if (code) seen.code = code;
      writeResult(res, result, options.cors !== undefined);
    } catch (error) {
      // An unhandled error in the function: API Gateway answers 500 and shows nothing.
      options.log?.({
        level: 'error',
        message: 'router function threw',
        service: chosen.r.service,
        error: String(error),
      });
      send(res, 500, { message: 'Internal Server Error' });
    } finally {
      clearTimeout(timer);
    }
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    const seen: Seen = {};
    if (options.access) {
      const access = options.access;
      res.once('finish', () =>
        access({
          method: req.method ?? 'GET',
          path: (req.url ?? '/').split('?')[0] as string,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
          ...seen,
        }),
      );
    }
    handle(req, res, seen).catch((error: unknown) => {
      options.log?.({ level: 'error', message: 'gateway failed', error: String(error) });
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.end();
    });
  });
  // Node's 5 s keep-alive is shorter than clients keep an idle socket (browsers a minute or
  // more): a request on a socket the server just closed fails. Stopping closes them all.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
