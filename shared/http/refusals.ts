/**
 * Which refusals a route can answer: those its own rules name (`route({ refusals })`), and
 * those the HTTP stack answers for any route of its shape. The OpenAPI document lists them
 * per operation and the contract check refuses any other, so the list is what the server does.
 */
import { type RefusalCode, refusals } from '../refusals.js';
import type { RouteSpec } from '../service.js';
import { statusOfKind } from './errors.js';

const hasCursor = (route: RouteSpec): boolean => {
  const query = route.request.query as { shape?: Record<string, unknown> } | undefined;
  return query?.shape !== undefined && 'cursor' in query.shape;
};

/** What the stack itself may answer for a route, from its shape alone. */
export const impliedRefusals = (route: RouteSpec): RefusalCode[] => {
  const { params, body } = route.request;
  const isPublic = route.access === 'public';
  const outcomes = Object.values(route.outcomes);
  return [
    // A route without a body refuses one sent anyway, so every route may answer this.
    'validation-failed',
    ...(body
      ? (['invalid-json', 'invalid-encoding', 'unsupported-media-type', 'payload-too-large'] as const)
      : []),
    ...(hasCursor(route) ? (['invalid-cursor'] as const) : []),
    ...(route.idempotent
      ? ([
          'invalid-idempotency-key',
          'idempotency-key-reused',
          'idempotency-key-claimed',
          'outcome-unknown',
        ] as const)
      : []),
    // A token none of whose groups the route admits is 403, whichever persona it is.
    ...(isPublic ? [] : (['unauthenticated', 'forbidden'] as const)),
    ...(params || outcomes.includes(404) ? (['not-found'] as const) : []),
    // Any transactional write may meet another in flight on the same items.
    ...(route.method === 'GET' ? [] : (['conflict', 'concurrent-update'] as const)),
    'throttled',
    'internal',
    'service-unavailable',
  ];
};

/** Every code the route may answer, each once, in the catalogue's order. */
export const refusalsOf = (route: RouteSpec): RefusalCode[] => {
  const codes = new Set<RefusalCode>([...impliedRefusals(route), ...(route.refusals ?? [])]);
  return (Object.keys(refusals) as RefusalCode[]).filter((code) => codes.has(code));
};

/** The status each of the route's refusals is answered with, grouped. */
export const refusalsByStatus = (route: RouteSpec): Map<number, RefusalCode[]> => {
  const byStatus = new Map<number, RefusalCode[]>();
  for (const code of refusalsOf(route)) {
    const status = statusOfKind(refusals[code].kind);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus.entries()].sort(([a], [b]) => a - b));
};
