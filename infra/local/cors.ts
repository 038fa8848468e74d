/**
 * The HTTP API's CORS configuration as the local gateway applies it, from the same values the
 * platform stack gives `corsPreflight` (the stage's `corsOrigins`, shared/http/cors.ts).
 *
 * What API Gateway documents for HTTP APIs (developer guide, "Configure CORS for HTTP APIs"):
 * - with a CORS configuration it answers preflight OPTIONS requests itself, whether or not a
 *   route matches the path: no authorizer, no integration, no throttle of a route;
 * - a request gets CORS headers only if it has an Origin header, and an OPTIONS request is a
 *   preflight only with Origin and Access-Control-Request-Method;
 * - on other requests it adds the configured headers to the integration's answer, and ignores
 *   the CORS headers the integration returns.
 * Not written there, and assumed here: an origin outside the list gets no CORS header at all
 * (its preflight is a bare 204, which the browser refuses), and API Gateway's own answers
 * (401 of the JWT authorizer, 404, 413, 429, 503) carry the headers like the integration's,
 * since an HTTP API has no gateway responses to configure. No `allowCredentials` is set, so no
 * Access-Control-Allow-Credentials: the bearer token travels in a header, not a cookie.
 */
import type { IncomingMessage } from 'node:http';
import { cors } from '../../shared/http/cors.js';

export interface CorsConfiguration {
  allowOrigins: readonly string[];
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
}

/** The HTTP API's configuration for these origins. */
export const corsConfiguration = (allowOrigins: readonly string[]): CorsConfiguration => ({
  allowOrigins,
  allowMethods: cors.allowMethods,
  allowHeaders: cors.allowHeaders,
  exposeHeaders: cors.exposeHeaders,
  maxAgeSeconds: cors.maxAgeSeconds,
});

/** An entry of allowOrigins as API Gateway takes it: an origin, `*`, `https://*` or `http://*`. */
export const isOriginPattern = (value: string): boolean =>
  value === '*' ||
  value === 'https://*' ||
  value === 'http://*' ||
  (!value.includes('*') && originOf(value) === value);

const originOf = (value: string): string | undefined => {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
};

/** Access-Control-Allow-Origin for this request's origin; undefined when it is not allowed. */
const allowedOrigin = (config: CorsConfiguration, origin: string | undefined): string | undefined => {
  if (!origin) return undefined;
  for (const allowed of config.allowOrigins) {
    if (allowed === '*') return '*';
    if (allowed === origin) return origin;
    if (allowed.endsWith('://*') && origin.startsWith(allowed.slice(0, -1))) return origin;
  }
  return undefined;
};

export const isPreflight = (req: IncomingMessage): boolean =>
  req.method === 'OPTIONS' &&
  req.headers.origin !== undefined &&
  req.headers['access-control-request-method'] !== undefined;

/** The headers of the preflight's 204: none for an origin that is not allowed. */
export const preflightHeaders = (config: CorsConfiguration, origin: string | undefined) => {
  const allowed = allowedOrigin(config, origin);
  if (!allowed) return {};
  return {
    'access-control-allow-origin': allowed,
    'access-control-allow-methods': config.allowMethods.join(','),
    'access-control-allow-headers': config.allowHeaders.join(','),
    'access-control-max-age': String(config.maxAgeSeconds),
  };
};

/** The headers added to every other answer: none for an origin that is not allowed. */
export const responseHeaders = (config: CorsConfiguration, origin: string | undefined) => {
  const allowed = allowedOrigin(config, origin);
  if (!allowed) return {};
  return {
    'access-control-allow-origin': allowed,
    'access-control-expose-headers': config.exposeHeaders.join(','),
  };
};

/** A header API Gateway drops from the integration's answer when CORS is configured. */
export const isCorsHeader = (name: string): boolean => name.toLowerCase().startsWith('access-control-');

/**
 * `npm start`'s origins: the dev stage's (infra/config.ts, what the dev HTTP API allows), and
 * those CORS_ORIGINS adds (comma-separated). A value that is not an origin is refused, since
 * a browser never sends one (`http://localhost:5173/` with its slash would never match).
 */
export const localCorsOrigins = (stageOrigins: readonly string[], added: string | undefined): string[] => {
  const extra = (added ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  const wrong = extra.filter((value) => !isOriginPattern(value));
  if (wrong.length > 0) {
    throw new Error(
      `CORS_ORIGINS=${added}: ${wrong.join(', ')} is not an origin; use scheme://host[:port] as the browser ` +
        'sends it (no path, no trailing slash), comma-separated',
    );
  }
  return [...new Set([...stageOrigins, ...extra])];
};
