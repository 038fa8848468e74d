import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { anySuccess, roleOutcomes } from '../../test/support/outcomes.js';
import { createServiceContext, type ServiceEnv } from '../context.js';
import { conflict, ruleViolation } from '../errors.js';
import { defineService, type Outcomes, route } from '../service.js';
import { createHttpHandler, type HttpEvent } from './handler.js';
import { created, file, ok, text } from './result.js';

// Nothing listens on port 9: a database call fails as if DynamoDB were down.
const env: ServiceEnv = {
  service: 'unit',
  stage: 'test',
  tableName: 'unit',
  busName: 'bus',
  uploadLimitBytes: 1024,
  logLevel: 'SILENT',
  aws: {
    region: 'eu-west-1',
    endpoints: { dynamodb: 'http://127.0.0.1:9' },
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  },
};

const memberRoute = {
  access: ['member'] as const,
  outcomes: roleOutcomes(['member']),
  responses: anySuccess,
};

const unit = defineService({
  name: 'unit',
  table: { partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
  publishes: [],
  subscriptions: [],
  routes: [
    route('POST /things', {
      access: ['secretary'],
      outcomes: roleOutcomes(['secretary']),
      responses: anySuccess,
      request: {
        body: z.strictObject({ name: z.string().min(2), count: z.number().int().positive() }),
        query: z.strictObject({ dryRun: z.enum(['true', 'false']).optional() }),
      },
      maxBodyBytes: 200,
      handler: async ({ body, caller, now }) =>
        created({ ...body, by: caller.sub, branch: caller.branchId, at: now.toISOString() }),
    }),
    route('GET /things/{thingId}', {
      access: ['member', 'committee'],
      outcomes: roleOutcomes(['member', 'committee']),
      responses: anySuccess,
      request: { params: z.strictObject({ thingId: z.string().regex(/^t\d+$/) }) },
      handler: async ({ params, caller }) =>
        ok({ thingId: params.thingId, roles: caller.roles, role: caller.role }),
    }),
    route('GET /things/special', {
      access: ['member'],
      outcomes: roleOutcomes(['member']),
      responses: anySuccess,
      handler: async () => ok({ special: true }),
    }),
    route('POST /things/{thingId}/refuse', {
      access: ['member'],
      outcomes: roleOutcomes(['member']),
      responses: anySuccess,
      request: { params: z.strictObject({ thingId: z.string() }) },
      handler: async ({ params }) => {
        if (params.thingId === 'dup') throw conflict('version-conflict', 'Already there', { version: 3 });
        throw ruleViolation('idempotency-key-reused', 'Not this key');
      },
    }),
    route('GET /things/db', {
      access: 'public',
      outcomes: roleOutcomes('public'),
      responses: anySuccess,
      handler: async (_request, ctx) => {
        await ctx.db.send(new GetCommand({ TableName: 'unit', Key: { pk: 'a', sk: 'b' } }));
        return ok({});
      },
    }),
    route('GET /export', {
      access: 'public',
      outcomes: roleOutcomes('public'),
      responses: anySuccess,
      handler: async () => text('text/csv; charset=utf-8', '\uFEFFname\n张三\n'),
    }),
    route('GET /export.xlsx', {
      access: 'public',
      outcomes: roleOutcomes('public'),
      responses: anySuccess,
      handler: async () =>
        file('application/octet-stream', new Uint8Array([0x50, 0x4b, 0, 0xff]), '名册 2026.xlsx'),
    }),
  ],
});

const handler = createHttpHandler(unit, createServiceContext(env));
const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

const event = (
  method: string,
  path: string,
  options: {
    body?: string;
    claims?: Record<string, string>;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): HttpEvent =>
  ({
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'Content-Type': 'application/json', ...options.headers },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: '1',
      apiId: 'api',
      domainName: 'x',
      domainPrefix: 'x',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '1.1.1.1', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '',
      timeEpoch: Date.parse('2026-11-26T08:00:00+08:00'),
      ...(options.claims
        ? {
            authorizer: {
              jwt: { claims: options.claims, scopes: [] },
              principalId: '',
              integrationLatency: 0,
            },
          }
        : {}),
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: false,
  }) as unknown as HttpEvent;

const secretary = {
  sub: 'p1',
  token_use: 'id',
  'cognito:groups': '[secretary member]',
  'custom:branchId': 'B1',
  exp: '1767225600',
};
const call = async (e: HttpEvent) => {
  const res = await handler(e, context);
  return { ...res, json: res.body ? JSON.parse(res.body as string) : undefined };
};

describe('the HTTP stack', () => {
  it('routes, parses, validates and hands the handler typed input, the caller and the request time', async () => {
    const res = await call(
      event('POST', '/things', { body: '{"name":"党课","count":2}', claims: secretary }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json).toEqual({
      name: '党课',
      count: 2,
      by: 'p1',
      branch: 'B1',
      at: '2026-11-26T00:00:00.000Z',
    });
    expect(res.headers?.['x-request-id']).toBe('req-1');
  });

  it('prefers a static route over a parameter, and validates path parameters', async () => {
    const member = { sub: 'p2', token_use: 'id', 'cognito:groups': '[member]' };
    expect((await call(event('GET', '/things/special', { claims: member }))).json).toEqual({ special: true });
    expect((await call(event('GET', '/things/t42', { claims: member }))).json).toEqual({
      thingId: 't42',
      roles: ['member'],
      role: 'member',
    });
    const bad = await call(event('GET', '/things/x42', { claims: member }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json.error.details.fields[0].field).toBe('params.thingId');
  });

  it('takes the widest role of several groups, and parses only the bracketed claim form', async () => {
    const both = await call(
      event('GET', '/things/t1', {
        claims: { sub: 'p3', token_use: 'id', 'cognito:groups': '[member committee]' },
      }),
    );
    expect(both.json).toMatchObject({ roles: ['committee', 'member'], role: 'committee' });
    // A JSON array is not how API Gateway passes groups: no roles, so nothing is allowed.
    const json = await call(
      event('GET', '/things/t1', {
        claims: { sub: 'p3', token_use: 'id', 'cognito:groups': '["committee"]' },
      }),
    );
    expect(json.statusCode).toBe(403);
  });

  it.each([
    ['no claims', undefined, 401, 'unauthenticated'],
    ['the wrong role', { sub: 'p4', token_use: 'id', 'cognito:groups': '[member]' }, 403, 'forbidden'],
  ])('refuses %s', async (_name, claims, status, code) => {
    const res = await call(
      event('POST', '/things', { body: '{"name":"ab","count":1}', ...(claims ? { claims } : {}) }),
    );
    expect(res.statusCode).toBe(status);
    expect(res.json).toEqual({ error: { code, message: expect.any(String) } });
  });

  it.each([
    ['a missing body', undefined, 400, 'validation-failed'],
    ['malformed JSON', '{"name":', 400, 'invalid-json'],
    ['an unknown field', '{"name":"ab","count":1,"admin":true}', 400, 'validation-failed'],
    ['a wrong type', '{"name":"ab","count":"1"}', 400, 'validation-failed'],
    [
      'a body over the route limit',
      JSON.stringify({ name: 'x'.repeat(300), count: 1 }),
      413,
      'payload-too-large',
    ],
  ])('refuses %s', async (_name, body, status, code) => {
    const res = await call(
      event('POST', '/things', { ...(body === undefined ? {} : { body }), claims: secretary }),
    );
    expect(res.statusCode).toBe(status);
    expect(res.json.error.code).toBe(code);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const form = await call(
      event('POST', '/things', {
        body: 'name=ab',
        claims: secretary,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(form.statusCode).toBe(415);
  });

  it('ignores a query parameter the route does not know, and judges the ones it knows strictly', async () => {
    const body = '{"name":"ab","count":1}';
    const cacheBuster = await call(
      event('POST', '/things', { body, claims: secretary, query: { _: '1733480000', utm_source: 'wx' } }),
    );
    expect(cacheBuster.statusCode).toBe(201);
    // Inherited names are not parameters either: nothing reaches Object.prototype or the handler.
    const inherited = await call(
      event('POST', '/things', { body, claims: secretary, query: { constructor: 'x' } }),
    );
    expect(inherited.statusCode).toBe(201);
    const bad = await call(
      event('POST', '/things', { body, claims: secretary, query: { dryRun: 'yes', _: '1733480000' } }),
    );
    expect([bad.statusCode, bad.json.error.code, bad.json.error.details]).toEqual([
      400,
      'validation-failed',
      { fields: [{ field: 'query.dryRun', message: expect.any(String) }] },
    ]);
    // A route without a query schema knows no parameter, so it ignores them all.
    const member = { sub: 'p7', token_use: 'id', 'cognito:groups': '[member]' };
    const plain = await call(event('GET', '/things/special', { claims: member, query: { _: '1' } }));
    expect([plain.statusCode, plain.json]).toEqual([200, { special: true }]);
  });

  it('speaks UTF-8 only: another charset is 415, bytes that are not UTF-8 are 400, and nothing reaches the handler', async () => {
    const gbk = await call(
      event('POST', '/things', {
        body: '{"name":"ab","count":1}',
        claims: secretary,
        headers: { 'Content-Type': 'application/json; charset=gbk' },
      }),
    );
    expect([gbk.statusCode, gbk.json.error.code]).toEqual([415, 'unsupported-media-type']);
    const utf8 = await call(
      event('POST', '/things', {
        body: '{"name":"ab","count":1}',
        claims: secretary,
        headers: { 'Content-Type': 'application/json; charset=UTF-8' },
      }),
    );
    expect(utf8.statusCode).toBe(201);
    // 0xD5 0xC5 is 张 in GBK: not UTF-8.
    const bytes = Buffer.concat([
      Buffer.from('{"name":"'),
      Buffer.from([0xd5, 0xc5]),
      Buffer.from('","count":1}'),
    ]);
    const binary = await call({
      ...event('POST', '/things', { claims: secretary }),
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    expect([binary.statusCode, binary.json.error.code]).toEqual([400, 'invalid-encoding']);
    const replaced = await call(
      event('POST', '/things', { body: bytes.toString('utf8'), claims: secretary }),
    );
    expect([replaced.statusCode, replaced.json.error.code]).toEqual([400, 'invalid-encoding']);
    const good = await call({
      ...event('POST', '/things', { claims: secretary }),
      body: Buffer.from('{"name":"张三","count":1}').toString('base64'),
      isBase64Encoded: true,
    });
    expect([good.statusCode, good.json.name]).toEqual([201, '张三']);
  });

  it.each([
    ['no body', undefined, undefined, 422],
    ['an empty body', '', undefined, 422],
    ['an empty object', '{}', undefined, 422],
    ['an empty object with whitespace, as text/plain', ' { }\n', 'text/plain', 422],
    ['a field', '{"force":true}', undefined, 400],
    ['null', 'null', undefined, 400],
    ['an array', '[]', undefined, 400],
    ['text that is not JSON', 'force', 'text/plain', 400],
    ['a form', 'force=1', 'application/x-www-form-urlencoded', 400],
    ['a body in another charset', '{"force":true}', 'application/json; charset=gbk', 400],
    ['a body over any limit', JSON.stringify({ x: 'x'.repeat(100_000) }), undefined, 400],
  ])('takes %s on a route that declares no body the right way', async (_name, body, type, status) => {
    const member = { sub: 'p6', token_use: 'id', 'cognito:groups': '[member]' };
    const res = await call(
      event('POST', '/things/x/refuse', {
        claims: member,
        ...(body === undefined ? {} : { body }),
        ...(type === undefined ? {} : { headers: { 'Content-Type': type } }),
      }),
    );
    expect(res.statusCode).toBe(status);
    // A body is refused as one bad field, whatever it was sent as: never a 413 or 415 the route does not declare.
    if (status === 400) {
      expect([res.json.error.code, res.json.error.details]).toEqual([
        'validation-failed',
        { fields: [{ field: 'body', message: 'This route takes no body' }] },
      ]);
    }
  });

  it('maps domain refusals to their status with code and details', async () => {
    const member = { sub: 'p5', token_use: 'id', 'cognito:groups': '[member]' };
    expect((await call(event('POST', '/things/dup/refuse', { claims: member }))).json).toEqual({
      error: { code: 'version-conflict', message: 'Already there', details: { version: 3 } },
    });
    const rule = await call(event('POST', '/things/x/refuse', { claims: member }));
    expect(rule.statusCode).toBe(422);
    expect(rule.json.error.code).toBe('idempotency-key-reused');
  });

  it('answers 503 with a request id when the database cannot be reached', async () => {
    const res = await call(event('GET', '/things/db'));
    expect(res.statusCode).toBe(503);
    expect(res.json.error.code).toBe('service-unavailable');
    expect(res.headers?.['x-request-id']).toBe('req-1');
  });

  it('answers an unknown route with 404, and leaves CORS to the gateway in front of it', async () => {
    const res = await call(event('GET', '/nothing', { headers: { Origin: 'https://app.example.cn' } }));
    expect(res.statusCode).toBe(404);
    expect(res.json.error.code).toBe('route-not-found');
    const cors = Object.keys(res.headers ?? {}).filter((h) => h.toLowerCase().startsWith('access-control-'));
    expect(cors).toEqual([]);
  });

  it('passes text bodies through untouched', async () => {
    const res = await handler(event('GET', '/export'), context);
    expect(res.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.body).toBe('\uFEFFname\n张三\n');
  });

  it('sends binary bodies base64-encoded, named for saving with a Chinese file name', async () => {
    const res = await handler(event('GET', '/export.xlsx'), context);
    expect(res.isBase64Encoded).toBe(true);
    expect([...Buffer.from(res.body ?? '', 'base64')]).toEqual([0x50, 0x4b, 0, 0xff]);
    expect(res.headers?.['content-disposition']).toBe(
      `attachment; filename="__ 2026.xlsx"; filename*=UTF-8''${encodeURIComponent('名册 2026.xlsx')}`,
    );
  });
});

describe('service descriptions', () => {
  it('refuse a body schema that would silently drop unknown fields', () => {
    expect(() =>
      defineService({
        ...unit,
        routes: [
          route('POST /loose', {
            access: ['member'],
            outcomes: roleOutcomes(['member']),
            responses: anySuccess,
            request: { body: z.object({ a: z.string() }) },
            handler: async () => ok({}),
          }),
        ],
      }),
    ).toThrow(/strict object/);
  });

  it('refuse a path parameter without a schema, and a route declared twice', () => {
    expect(() =>
      defineService({
        ...unit,
        routes: [route('GET /x/{id}', { ...memberRoute, handler: async () => ok({}) })],
      }),
    ).toThrow(/need a params schema/);
    const r = route('GET /x', { ...memberRoute, handler: async () => ok({}) });
    expect(() => defineService({ ...unit, routes: [r, r] })).toThrow(/declared twice/);
  });

  it('refuse outcomes that contradict the role rule', () => {
    const declared = (outcomes: Partial<Outcomes>) => () =>
      defineService({
        ...unit,
        routes: [
          route('GET /x', {
            ...memberRoute,
            outcomes: { ...memberRoute.outcomes, ...outcomes },
            handler: async () => ok({}),
          }),
        ],
      });
    expect(declared({})).not.toThrow();
    expect(declared({ committee: 'allowed' })).toThrow(/committee is not admitted/);
    expect(declared({ anonymous: 'allowed' })).toThrow(/anonymous is declared allowed/);
    expect(declared({ member: 403 })).toThrow(/member is admitted/);
    expect(declared({ ownSecretary: 404 })).not.toThrow();
  });
});
