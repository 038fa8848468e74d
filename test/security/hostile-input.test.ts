/**
 * "Bad input gets a clear 4xx; a 500 is a bug; a refused request changes nothing." Every
 * route with a body or a query gets property-based requests (samples of its own schemas,
 * and mutants of a known-good request: a required key dropped, an unknown key added, a
 * place replaced by a nasty value) and a fixed set of hostile bodies, through the real
 * gateway, on a runtime of its own so that the tables change only because of this file.
 *
 * Platform behaviour this file pins down (decided here, documented in DESIGN's HTTP part):
 * - a body that is not JSON by its content type (missing, text/plain, a form) is a 415
 *   `unsupported-media-type`; `application/json; charset=...` is JSON;
 * - JSON nested 10,000 levels deep is a 400 `invalid-json` (no stack overflow, no 500);
 * - bytes that are not UTF-8 are decoded with U+FFFD in their place, as a text body is
 *   everywhere on the HTTP API: the request is judged like any other text;
 * - a body over the route's limit is a 413 before it is parsed;
 * - a query parameter the route does not know is ignored; the ones it knows are strict.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { services } from '../../services/index.js';
import { bodySchemaFor } from '../../shared/http/role-body.js';
import { type Persona, personaRoles, type RouteSpec } from '../../shared/service.js';
import { type Response, runtime, settle, tableClient } from '../support/api.js';
import { startOwnRuntime } from '../support/own-runtime.js';
import { arbitraryFor, type Mutant, mutantFor, pathsIn, withAt } from './hostile/arbitrary.js';
import { deeplyNested, nastyValues, toJson } from './hostile/nasty.js';
import { fixtures as activities } from './matrix/activities.js';
import { fixtures as community } from './matrix/community.js';
import { fixtures as notices } from './matrix/notices.js';
import { fixtures as resources } from './matrix/resources.js';
import { fixtures as talent } from './matrix/talent.js';
import { buildWorld, type Call, type Fixtures, type World } from './matrix/world.js';

/** Fixed, so a failure is reproducible; fast-check prints the counterexample. */
const SEED = 1126;
/**
 * Runs per route. Measured on two busy cores: the runtime starts in ~20 s and the world
 * takes ~9 s; 8 runs over the ~60 routes add ~40 s, fixed bodies and paths included.
 */
const RUNS = 8;

const fixtures: Fixtures = { ...talent, ...activities, ...resources, ...community, ...notices };
const routes = services.flatMap((s) => s.routes);

let stop: (() => Promise<void>) | undefined;
let world: World;

beforeAll(async () => {
  ({ stop } = await startOwnRuntime('hostile', { services }));
  world = await buildWorld();
}, 120_000);

afterAll(() => stop?.());

// ---------------------------------------------------------------------------------------
// What a table holds: a full scan is fine in a test (a few thousand items at most here),
// and catches changed items as well as new ones. A request writes synchronously only to
// its own service's table (other services learn of it through the outbox and the bus,
// after a success), so that is the table a refusal is checked against.

const serviceOf = new Map(services.flatMap((s) => s.routes.map((r) => [r.routeKey, s.name] as const)));
const tableOf = (route: RouteSpec) => runtime().tableNames[serviceOf.get(route.routeKey) as string] as string;

const stable = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const db = () => tableClient();

const snapshotOf = async (table: string): Promise<string[]> => {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(page.Items ?? []).map(stable));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort();
};

const changes = (
  table: string,
  before: string[],
  after: string[],
  deliberate: readonly string[] = [],
): string[] => {
  const was = new Set(before);
  const is = new Set(after);
  // What the route declares it records of a refusal (a wrong check-in code) is no change.
  const unexpected = (item: string) =>
    !deliberate.includes((JSON.parse(item) as { kind?: string }).kind ?? '');
  const added = after.filter((i) => !was.has(i)).filter(unexpected);
  const removed = before.filter((i) => !is.has(i)).filter(unexpected);
  return added.length || removed.length
    ? [`${table}: +${added.length} -${removed.length} ${(added[0] ?? removed[0] ?? '').slice(0, 200)}`]
    : [];
};

/** Tables as the last request left them; forgotten after a success, read again when needed. */
let known = new Map<string, string[]>();
const current = async (table: string) => {
  const found = known.get(table) ?? (await snapshotOf(table));
  known.set(table, found);
  return found;
};
/** After a success: its consequences everywhere are done, and every table must be read again. */
const afterSuccess = async () => {
  await settle();
  known = new Map();
};

// ---------------------------------------------------------------------------------------
// Sending and judging.

const order: Persona[] = ['committee', 'ownSecretary', 'member', 'ownPartner', 'anonymous'];
/** A persona the route admits, so requests reach validation and the handler, not a 403. */
const personaFor = (route: RouteSpec): Persona =>
  order.find((p) => route.outcomes?.[p] === 'allowed') ?? 'committee';

const stackTrace = /\n\s+at |\.[cm]?[jt]s:\d+|node_modules|file:\/\//;

/** What is wrong with an answer, if anything. */
const judge = (res: Response): string | undefined => {
  if (res.status >= 500) return `${res.status} ${res.text.slice(0, 200)}`;
  if (stackTrace.test(res.text)) return `a stack trace in ${res.text.slice(0, 200)}`;
  if (res.status < 400) return undefined;
  const error = res.body?.error;
  const ours =
    typeof res.body === 'object' &&
    res.body !== null &&
    Object.keys(res.body).join() === 'error' &&
    typeof error?.code === 'string' &&
    typeof error?.message === 'string' &&
    Object.keys(error).every((k) => ['code', 'message', 'details'].includes(k));
  // API Gateway's own answers (no route, no token, too large), before any service code runs.
  const gateways = [400, 401, 404, 413].includes(res.status) && typeof res.body?.message === 'string';
  return ours || gateways ? undefined : `${res.status} not in the error shape: ${res.text.slice(0, 200)}`;
};

interface Sent {
  path: string;
  body?: string | Uint8Array;
  contentType?: string | null;
}

const send = async (route: RouteSpec, call: Call, sent: Sent): Promise<Response> => {
  const token = world.tokens[personaFor(route)];
  const headers: Record<string, string> = { ...call.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (call.now) headers['x-dangjian-now'] = call.now;
  if (sent.body !== undefined && sent.contentType !== null)
    headers['content-type'] = sent.contentType ?? 'application/json';
  const res = await fetch(`${runtime().url}${sent.path}`, {
    method: route.method,
    headers,
    ...(sent.body !== undefined ? { body: sent.body } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, body, headers: res.headers, text } as Response;
};

/**
 * One request, judged: no 5xx, the error shape, and on a 4xx the tables exactly as before.
 * After a success the tables are read again once the outboxes and the bus are quiet.
 */
const check = async (route: RouteSpec, call: Call, sent: Sent, expect4xx = false): Promise<Judged> => {
  const table = tableOf(route);
  const before = await current(table);
  const res = await send(route, call, sent);
  const problems: string[] = [];
  const wrong = judge(res);
  if (wrong) problems.push(wrong);
  if (expect4xx && (res.status < 400 || res.status >= 500))
    problems.push(`expected a 4xx, got ${res.status} ${res.text.slice(0, 160)}`);
  if (res.status >= 400 && res.status < 500) {
    const after = await snapshotOf(table);
    const changed = changes(table, before, after, route.recordsRefusals);
    if (changed.length) problems.push(`a ${res.status} wrote: ${changed.join('; ')}`);
    known.set(table, after);
  } else await afterSuccess();
  return {
    status: res.status,
    problems: problems.map((p) => `${route.routeKey} ${sent.path.slice(0, 120)}: ${p}`),
  };
};

interface Judged {
  status: number;
  problems: string[];
}

const queryString = (value: unknown): string => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `?q=${encodeURIComponent(toJson(value))}`;
  const params = new URLSearchParams();
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    params.append(
      key,
      typeof v === 'string' ? v : typeof v === 'object' && v !== null ? toJson(v) : String(v),
    );
  }
  const text = params.toString();
  return text ? `?${text}` : '';
};

/** A known-good call of the route on objects of its own; the tables as it leaves them. */
const fresh = async (route: RouteSpec): Promise<Call> => {
  const fixture = fixtures[route.routeKey];
  if (!fixture) throw new Error(`no access-matrix fixture for ${route.routeKey}`);
  const call = await fixture(world, personaFor(route));
  await afterSuccess();
  return call;
};

const goodQuery = (call: Call) => Object.fromEntries(new URLSearchParams(call.query ?? ''));

/** Requests for a route: mutants of its known-good call, and samples of its own schemas. */
const requestsFor = (route: RouteSpec, call: Call): fc.Arbitrary<{ body?: Mutant; query?: Mutant }> => {
  const wild = (schema: z.ZodType) =>
    arbitraryFor(schema, { wild: true }).map(
      (value): Mutant => ({
        value,
        mutation: { kind: 'replace', path: [], nasty: 'a wild sample' },
        mustRefuse: false,
      }),
    );
  const of = (schema: z.ZodType | undefined, good: unknown) =>
    schema
      ? fc.oneof(
          { arbitrary: mutantFor(schema, nastyValues, fc.constant(good)), weight: 3 },
          { arbitrary: mutantFor(schema, nastyValues), weight: 1 },
          { arbitrary: wild(schema), weight: 1 },
        )
      : fc.constant(undefined);
  const { query } = route.request;
  // A body described per caller: the one the persona sending it must meet.
  const body = route.request.body && bodySchemaFor(route.request.body, personaRoles[personaFor(route)]);
  const good = { body: call.body, query: goodQuery(call) };
  // Either part is attacked while the other stays good, so each attack meets the handler.
  return fc.oneof(
    ...(body ? [of(body, good.body).map((b) => ({ body: b, query: asMutant(good.query) }))] : []),
    ...(query
      ? [
          of(query, good.query).map((q) => ({
            query: ignoredParameter(q),
            ...(body ? { body: asMutant(good.body) } : {}),
          })),
        ]
      : []),
  );
};

/** An unknown query parameter is ignored (shared/http/validation.ts): it need not be refused. */
const ignoredParameter = (q: Mutant | undefined): Mutant | undefined =>
  q?.mutation.kind === 'add-unknown' && q.mutation.path.length === 0 ? { ...q, mustRefuse: false } : q;

const asMutant = (value: unknown): Mutant => ({
  value,
  mutation: { kind: 'replace', path: [], nasty: 'none (the good value)' },
  mustRefuse: false,
});

/**
 * Many requests at once, judged together, with one look at the tables for the lot: when
 * every answer is a 4xx the tables must be as before. `expected` (a status, or undefined
 * for "anything but a 5xx") says what each must get.
 */
const batch = async (route: RouteSpec, call: Call, requests: [string, Sent, number | undefined][]) => {
  const table = tableOf(route);
  const before = await current(table);
  const answers = await Promise.all(
    requests.map(async ([what, sent, expected]) => ({
      what,
      sent,
      expected,
      res: await send(route, call, sent),
    })),
  );
  const problems: string[] = [];
  for (const { what, sent, expected, res } of answers) {
    const wrong = judge(res);
    if (wrong) problems.push(`${what}: ${wrong}`);
    // The size limit comes first: a deep body larger than a small route's limit is a 413.
    const size = sent.body === undefined ? 0 : Buffer.byteLength(sent.body);
    const status = expected !== undefined && size > limitOf(route) ? 413 : expected;
    if (status !== undefined && res.status !== status)
      problems.push(`${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 160)}`);
  }
  if (answers.every(({ res }) => res.status >= 400 && res.status < 500)) {
    const after = await snapshotOf(table);
    const changed = changes(table, before, after, route.recordsRefusals);
    if (changed.length) problems.push(`refused requests wrote: ${changed.join('; ')}`);
    known.set(table, after);
  } else await afterSuccess();
  return problems.map((p) => `${route.routeKey}: ${p}`);
};

const limitOf = (route: RouteSpec) => route.maxBodyBytes ?? 64 * 1024;
/** The body with `key: value` added at the top, whatever the key (`__proto__` too). */
const withKey = (body: unknown, key: string, value: unknown) =>
  withAt(typeof body === 'object' && body !== null ? body : {}, [key], value);
const at = (value: unknown, path: (string | number)[]) =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
const placesOf = (value: unknown, kind: 'string' | 'object') =>
  pathsIn(value).filter((p) => {
    const found = at(value, p);
    return kind === 'string'
      ? typeof found === 'string'
      : typeof found === 'object' && found !== null && !Array.isArray(found);
  });

/** The fixed hostile bodies, against a known-good call of the route. */
const fixedBodies = async (route: RouteSpec, call: Call): Promise<string[]> => {
  const good = call.body ?? {};
  const json = toJson;
  const path = call.path;
  const firstString = placesOf(good, 'string')[0];
  const huge = 'x'.repeat(1 << 20);
  const refused: [string, Sent, number][] = [
    ['over the size limit', { path, body: json({ x: 'x'.repeat(limitOf(route)) }) }, 413],
    ['a 1 MB string', { path, body: json(firstString ? withAt(good, firstString, huge) : { x: huge }) }, 413],
    ['10,000 nested objects', { path, body: deeplyNested(10_000, 'object') }, 400],
    ['10,000 nested arrays', { path, body: deeplyNested(10_000, 'array') }, 400],
    [
      '10,000 nested arrays in a field',
      {
        path,
        body: json(withKey(good, 'x', null)).replace('"x":null', `"x":${deeplyNested(10_000, 'array')}`),
      },
      400,
    ],
    ['__proto__ at the top', { path, body: json(withKey(good, '__proto__', { isAdmin: true })) }, 400],
    [
      'constructor at the top',
      { path, body: json(withKey(good, 'constructor', { prototype: { isAdmin: true } })) },
      400,
    ],
    ['prototype at the top', { path, body: json(withKey(good, 'prototype', { isAdmin: true })) }, 400],
    ['broken JSON', { path, body: '{"broken":' }, 400],
    ['JSON that is not an object', { path, body: '"text"' }, 400],
    ['no content type', { path, body: json(good), contentType: null }, 415],
    ['text/plain', { path, body: json(good), contentType: 'text/plain' }, 415],
    ['a form', { path, body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' }, 415],
  ];
  if (!route.request.body?.safeParse(undefined).success)
    refused.push(['an empty body', { path, body: '' }, 400]);
  const problems = await batch(route, call, refused);

  // May be accepted (nested objects need not be strict; U+FFFD is text), must break nothing.
  const tolerated: [string, Sent, undefined][] = placesOf(good, 'object').map((place) => [
    `__proto__ in ${place.join('.')}`,
    { path, body: json(withAt(good, [...place, '__proto__'], { isAdmin: true })) },
    undefined,
  ]);
  if (firstString) {
    const marker = 'MARKER-FOR-BYTES';
    const [before, after] = json(withAt(good, firstString, marker)).split(marker) as [string, string];
    const bytes = Buffer.concat([
      Buffer.from(before),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
      Buffer.from(after),
    ]);
    tolerated.push(['bytes that are not UTF-8', { path, body: bytes }, undefined]);
  }
  // One at a time: two of them could both succeed and race each other on one object.
  for (const one of tolerated) problems.push(...(await batch(route, call, [one])));
  return problems;
};

const withBodyOrQuery = routes.filter((r) => r.request.body || r.request.query);

describe('hostile requests to every route with a body or a query', () => {
  it.each(withBodyOrQuery.map((r) => [r.routeKey, r] as const))('%s', async (_key, route) => {
    const call = await fresh(route);
    if (route.request.body) expect(await fixedBodies(route, call)).toEqual([]);
    await fc.assert(
      fc.asyncProperty(requestsFor(route, call), async ({ body, query }) => {
        const path = `${call.path}${query ? queryString(query.value) : call.query ? `?${call.query}` : ''}`;
        const sent: Sent = { path, ...(body && route.method !== 'GET' ? { body: toJson(body.value) } : {}) };
        const mustRefuse = Boolean(body?.mustRefuse || query?.mustRefuse);
        const { problems } = await check(route, call, sent, mustRefuse);
        expect(problems).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // Nothing reached Object.prototype in this process, where the runtime's handlers run.
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();
  });
});

describe('malformed path parameters', () => {
  const values = [
    'x',
    'a'.repeat(300),
    '%E4%B8%AD%E6%96%87',
    '..%2F..%2Fetc',
    '%00',
    '-1',
    '%E4%B8',
    'A%23B',
    '%20',
  ];
  const withParams = routes.filter((r) => r.path.includes('{'));

  it.each(withParams.map((r) => [r.routeKey, r] as const))('%s', async (_key, route) => {
    const body = route.request.body && route.method !== 'GET' ? '{}' : undefined;
    // Refused, or (an id is any opaque token) not found or empty: never a 5xx, never a write.
    const requests = values.map((value): [string, Sent, undefined] => [
      value,
      { path: route.path.replace(/\{[^}]+\}/g, value), ...(body ? { body } : {}) },
      undefined,
    ]);
    expect(await batch(route, { path: route.path }, requests)).toEqual([]);
  });
});
