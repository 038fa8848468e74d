/**
 * The API description front-end teams learn the platform from: generated from the service
 * descriptions, complete (every route, and nothing else), with success and error
 * responses, security and access, served with its docs page without a token.
 */

import { globSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../infra/local/openapi.js';
import { services } from '../../services/index.js';
import { statusOfKind } from '../../shared/http/errors.js';
import { type RefusalCode, refusals } from '../../shared/refusals.js';
import { personas } from '../../shared/service.js';
import { runtime } from '../support/api.js';
import { contractViolations, routeFor } from '../support/contract.js';

type Operation = {
  operationId: string;
  security?: unknown[];
  description: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  'x-access': unknown;
};

const document = openApiDocument(services) as unknown as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas?: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};
const routes = services.flatMap((s) => s.routes);
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
);

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the bearer JWT scheme and a component per refusal', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.schemas?.NotFoundRefusal).toBeDefined();
    expect(document.components.schemas?.FieldIssues).toBeDefined();
  });

  it('has exactly the routes of the descriptions', () => {
    expect(operations.map((o) => o.key).sort()).toEqual(routes.map((r) => r.routeKey).sort());
  });

  it('names, for every route, who may call it and what it answers', () => {
    const ids = new Set<string>();
    for (const route of routes) {
      const op = document.paths[route.path]?.[route.method.toLowerCase()] as Operation;
      expect(ids.has(op.operationId), `${route.routeKey}: operationId ${op.operationId} is not unique`).toBe(
        false,
      );
      ids.add(op.operationId);
      expect(op['x-access']).toEqual(route.access);
      if (route.access === 'public') expect(op.security).toEqual([]);
      else expect(op.responses['401'], route.routeKey).toBeDefined();
      for (const status of ['429', '500', '503']) expect(op.responses[status], route.routeKey).toBeDefined();
      const { params, query, body } = route.request;
      if (params || query || body) expect(op.responses['400'], route.routeKey).toBeDefined();
      if (params) expect(op.responses['404'], route.routeKey).toBeDefined();
      const successes = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(successes.length, `${route.routeKey} documents no success response`).toBeGreaterThan(0);
    }
  });

  it('describes every route’s success exactly as declared, and every route declares one', () => {
    const undeclared = routes.filter((r) => !r.responses || Object.keys(r.responses).length === 0);
    expect(undeclared.map((r) => r.routeKey)).toEqual([]);
    for (const route of routes) {
      const op = document.paths[route.path]?.[route.method.toLowerCase()] as Operation;
      for (const [status, spec] of Object.entries(route.responses)) {
        const content = op.responses[status]?.content;
        if (spec === 'empty') expect(content, `${route.routeKey} ${status}`).toBeUndefined();
        else expect(Object.values(content ?? {})[0]?.schema, `${route.routeKey} ${status}`).toBeDefined();
      }
    }
  });

  it('lists the outcome of every persona in each route’s description', () => {
    for (const route of routes.filter((r) => r.outcomes)) {
      const op = document.paths[route.path]?.[route.method.toLowerCase()] as Operation;
      const declared = new Set(personas.map((p) => route.outcomes[p]));
      if (declared.has('allowed')) expect(op.description, route.routeKey).toContain('Allowed');
      if (declared.has(404)) expect(op.description, route.routeKey).toContain('(404)');
    }
  });

  it('labels the domain enums in Chinese', () => {
    const text = JSON.stringify(document);
    for (const term of ['支部党员大会', '积极分子', '预备党员', '会议精神', '科普'])
      expect(text).toContain(term);
  });
});

describe('the contract check every test runs', () => {
  const listRoute = routes.find((r) => r.method === 'GET' && r.path === '/talent/branches');

  it('finds the most specific route for a path', () => {
    expect(routeFor('GET', '/talent/branches?limit=5')?.routeKey).toBe('GET /talent/branches');
    expect(routeFor('GET', '/talent/people/01HZZZZZZZZZZZZZZZZZZZZZZZ')?.routeKey).toBe(
      'GET /talent/people/{personId}',
    );
    expect(routeFor('GET', '/nowhere')).toBeUndefined();
  });

  it('refuses a body its documentation does not describe', () => {
    expect(listRoute).toBeDefined();
    const good = { items: [] };
    expect(
      contractViolations('GET', '/talent/branches', 200, 'application/json', good, JSON.stringify(good)),
    ).toEqual([]);
    const extra = { items: [], total: 3 };
    expect(
      contractViolations('GET', '/talent/branches', 200, 'application/json', extra, JSON.stringify(extra)),
    ).not.toEqual([]);
    const wrongType = { items: 'none' };
    expect(
      contractViolations(
        'GET',
        '/talent/branches',
        200,
        'application/json',
        wrongType,
        JSON.stringify(wrongType),
      ),
    ).not.toEqual([]);
  });

  it('refuses an undeclared success status and an error outside the error shape', () => {
    expect(contractViolations('GET', '/talent/branches', 202, 'application/json', {}, '{}')).not.toEqual([]);
    expect(contractViolations('GET', '/talent/branches', 404, 'text/plain', 'nope', 'nope')).not.toEqual([]);
    const leaky = {
      error: { code: 'internal', message: 'x\n    at handler (/work/main/services/x.ts:12:3)' },
    };
    expect(
      contractViolations('GET', '/talent/branches', 500, 'application/json', leaky, JSON.stringify(leaky)),
    ).not.toEqual([]);
  });
});

describe('the refusals each operation lists', () => {
  const listed = (op: Operation, status: string): string[] =>
    [
      ...((op.responses[status] as { description?: string } | undefined)?.description ?? '').matchAll(
        /^- `([a-z0-9-]+)`/gm,
      ),
    ].map((m) => m[1] as string);

  it('names each code under the one status of its kind, in every operation', () => {
    const statusOf = new Map<string, string>();
    for (const { key, op } of operations) {
      for (const status of Object.keys(op.responses).filter((s) => Number(s) >= 400)) {
        const codes = listed(op, status);
        expect(codes.length, `${key} ${status}`).toBeGreaterThan(0);
        for (const code of codes) {
          expect(statusOfKind(refusals[code as RefusalCode].kind), `${key}: ${code}`).toBe(Number(status));
          expect(statusOf.get(code) ?? status, code).toBe(status);
          statusOf.set(code, status);
        }
      }
    }
  });

  it('does not advertise conflicts or broken rules on plain reads', () => {
    const reads = operations.filter(({ key }) => key.startsWith('GET '));
    expect(reads.length).toBeGreaterThan(20);
    const advertising = reads
      .filter(({ op }) => op.responses['409'] !== undefined || op.responses['422'] !== undefined)
      .map(({ key }) => key);
    const declaring = routes
      .filter((r) => r.method === 'GET')
      .filter((r) => (r.refusals ?? []).some((c) => ['conflict', 'rule'].includes(refusals[c].kind)))
      .map((r) => r.routeKey);
    expect(advertising.sort()).toEqual(declaring.sort());
  });

  it('lists only codes the server can answer: each is raised somewhere in the code', () => {
    const sources = [...globSync('services/**/*.ts'), ...globSync('shared/**/*.ts')]
      .filter((f) => !f.endsWith('.test.ts') && !f.endsWith('refusals.ts'))
      // A route's own list of refusals is not where a code is raised.
      .map((f) => readFileSync(f, 'utf8').replace(/refusals: \[[^\]]*\]/g, ''))
      .join('\n');
    const unused = (Object.keys(refusals) as RefusalCode[]).filter(
      (code) => !sources.includes(`'${code}'`) && !sources.includes(`\`${code.replace(/-[a-z]+$/, '-${')}`),
    );
    expect(unused).toEqual([]);
  });

  const refused = (method: string, path: string, status: number, body: unknown) =>
    contractViolations(method, path, status, 'application/json', body, JSON.stringify(body));

  it('holds every refusal to the codes its route lists, their status and their details', () => {
    const notFound = { error: { code: 'not-found', message: 'Branch not found' } };
    expect(refused('GET', '/talent/branches/01JD3W5E8QK6M1V2X9ZC7N4P5R', 404, notFound)).toEqual([]);
    const cursor = { error: { code: 'invalid-cursor', message: 'No' } };
    expect(refused('GET', '/talent/branches', 400, cursor)).toEqual([]);
    // A plain read lists no conflict.
    const stale = { error: { code: 'version-conflict', message: 'Changed', details: { version: 2 } } };
    expect(refused('GET', '/talent/branches', 409, stale).join()).toMatch(/does not list/);
    // One code, one status.
    expect(refused('GET', '/talent/branches/01JD3W5E8QK6M1V2X9ZC7N4P5R', 422, notFound).join()).toMatch(
      /whose status is 404/,
    );
    // A code nobody listed.
    const invented = { error: { code: 'made-up', message: 'No' } };
    expect(refused('GET', '/talent/branches', 400, invented).join()).toMatch(/does not list/);
    // Details of the documented shape only.
    const noFields = { error: { code: 'validation-failed', message: 'Bad', details: { field: 'x' } } };
    expect(refused('GET', '/talent/branches', 400, noFields)).not.toEqual([]);
    const fields = { error: { code: 'validation-failed', message: 'Bad', details: { fields: [] } } };
    expect(refused('GET', '/talent/branches', 400, fields)).toEqual([]);
  });
});

describe('served by the local runtime without a token', () => {
  it('serves /openapi.json', async () => {
    const res = await fetch(`${runtime().url}/openapi.json`);
    expect(res.status).toBe(200);
    const served = (await res.json()) as { paths: Record<string, unknown> };
    // The test runtime also serves the test-only notes service.
    expect(Object.keys(served.paths)).toEqual(expect.arrayContaining(Object.keys(document.paths)));
  });

  it('serves the docs page and its Swagger UI assets from the package, and nothing else under /docs', async () => {
    const page = await fetch(`${runtime().url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'init.js']) {
      const res = await fetch(`${runtime().url}/docs/${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(50);
    }
    expect((await fetch(`${runtime().url}/docs/package.json`)).status).toBe(404);
    expect((await fetch(`${runtime().url}/docs/..%2Fpackage.json`)).status).toBe(404);
  });
});
