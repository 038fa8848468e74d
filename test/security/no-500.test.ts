/**
 * "Bad input gets a clear 4xx; a 500 is a bug": every route of every service, called with
 * malformed path parameters, bodies and queries by each role, must answer below 500 and in
 * the documented error shape. Runs against the shared runtime through the real gateway.
 */
import { describe, expect, it } from 'vitest';
import { services } from '../../services/index.js';
import { newId } from '../../shared/ids.js';
import { request, tokenFor } from '../support/api.js';

const pathValues = [
  'x',
  newId(),
  'a'.repeat(300),
  '%E4%B8%AD%E6%96%87',
  '..%2F..%2Fetc',
  '%00',
  '-1',
  '%',
  '%E4%B8',
];
const bodies: (string | undefined)[] = [
  undefined,
  'null',
  '[]',
  '"text"',
  '42',
  '{}',
  '{"unknown":true}',
  JSON.stringify({ a: { b: { c: { d: { e: [1, [2, [3]]] } } } } }),
  JSON.stringify(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'.repeat(200)]))),
  '{"broken":',
];
const queries = [
  '',
  '?limit=abc',
  '?limit=100000&cursor=%%%',
  '?cursor=eyJwayI6IngifQ',
  '?from=yesterday&to=2026-13-45',
];

const routes = services.flatMap((service) =>
  service.routes.map((route) => ({ service: service.name, route })),
);

const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);

describe('no route answers 5xx to malformed input', () => {
  it.each(routes.map((r) => [r.route.routeKey, r] as const))('%s', async (_key, { route }) => {
    const branchId = newId();
    const tokens = [
      undefined,
      await tokenFor({ roles: ['committee'] }),
      await tokenFor({ roles: ['secretary', 'member'], branchId }),
      await tokenFor({ roles: ['member'], branchId }),
      await tokenFor({ roles: ['partner'], orgId: newId() }),
    ];
    const failures: string[] = [];
    const calls: Promise<void>[] = [];
    for (const token of tokens) {
      for (const value of pathValues) {
        for (const [i, body] of bodies.entries()) {
          const query = queries[i % queries.length] as string;
          // fetch cannot send a body with GET; those routes get the query variations only.
          const sent = route.method === 'GET' ? undefined : body;
          const path = `${fill(route.path, value)}${query}`;
          calls.push(
            request(route.method, path, undefined, {
              token: token ?? null,
              ...(sent === undefined ? {} : { raw: sent, headers: { 'content-type': 'application/json' } }),
            }).then((res) => {
              const shaped =
                res.status < 400 ||
                (typeof res.body === 'object' &&
                  res.body !== null &&
                  typeof res.body.error?.code === 'string') ||
                // The gateway's own answers (API Gateway's shape), before any service code runs.
                ([400, 401, 404, 413].includes(res.status) && typeof res.body?.message === 'string');
              if (res.status >= 500 || !shaped)
                failures.push(`${res.status} ${route.method} ${path} ${body ?? ''}`);
            }),
          );
        }
      }
    }
    await Promise.all(calls);
    expect(failures.slice(0, 5)).toEqual([]);
  });
});

describe('route access rules hold before anything is read', () => {
  const others = (allowed: readonly string[]) =>
    (['committee', 'secretary', 'member', 'partner'] as const).filter((role) => !allowed.includes(role));

  it.each(routes.filter((r) => r.route.access !== 'public').map((r) => [r.route.routeKey, r] as const))(
    '%s',
    async (_key, { route }) => {
      const path = route.path.replace(/\{[^}]+\}/g, 'x');
      const body =
        route.method === 'GET' ? {} : { raw: '{"broken":', headers: { 'content-type': 'application/json' } };
      expect((await request(route.method, path, undefined, { token: null, ...body })).status).toBe(401);
      for (const role of others(route.access as readonly string[])) {
        const token = await tokenFor({ roles: [role], branchId: newId(), orgId: newId() });
        const res = await request(route.method, path, undefined, { token, ...body });
        expect(res.status, `${role} on ${route.routeKey}`).toBe(403);
      }
    },
  );
});
