/**
 * The document says exactly what the server accepts. For every operation, a request is
 * built from the examples the document shows (path, query and body; one body per shape of
 * a union); it must keep the document's own JSON Schema (ajv, 2020-12) and be accepted by
 * the route's zod schemas, as the HTTP stack applies them. Constraints the document states
 * (a ULID, a credit code, a content type per kind) are refused by both, and no request
 * integer or text is left unbounded. Every route is covered, new ones included.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { chai, describe, expect, it } from 'vitest';

chai.config.truncateThreshold = 0;

import { openApiDocument } from '../../infra/local/openapi.js';
import { services } from '../../services/index.js';
import { parseQuery } from '../../shared/http/validation.js';
import type { RouteSpec } from '../../shared/service.js';

type Schema = Record<string, unknown>;
interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema: Schema;
  example?: unknown;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

// A JSON round trip: the document as a server sends it.
const document = JSON.parse(JSON.stringify(openApiDocument(services))) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas?: Record<string, Schema> };
};
const routes = services.flatMap((s) => s.routes);
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(document, 'openapi');

const pointer = (...parts: (string | number)[]) =>
  parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const operationOf = (route: RouteSpec) =>
  document.paths[route.path]?.[route.method.toLowerCase()] as Operation;
const where = (route: RouteSpec) => ['paths', route.path, route.method.toLowerCase()];

const resolve = (schema: Schema): Schema => {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  return { ...(document.components.schemas?.[name] ?? {}), ...schema, $ref: undefined };
};

const shown = (schema: Schema): boolean => 'example' in schema || Array.isArray(schema.examples);

/**
 * The values the document shows for a schema: its example, else its const, first enum value
 * or default; one object per shape of a union. A required text or number with none is named
 * in `missing`, so a field nobody can read an example of fails the test.
 */
const examplesOf = (raw: Schema, at: string, missing: string[]): unknown[] => {
  const schema = resolve(raw);
  if ('example' in schema) return [schema.example];
  if (Array.isArray(schema.examples)) return schema.examples;
  if ('const' in schema) return [schema.const];
  if (Array.isArray(schema.enum)) return [schema.enum[0]];
  if ('default' in schema) return [schema.default];
  const alternatives = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (alternatives) {
    const values = alternatives
      .filter((s) => resolve(s).type !== 'null')
      .flatMap((s, i) => examplesOf(s, `${at}|${i}`, missing));
    return values;
  }
  if (schema.type === 'object' || schema.properties) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const required = new Set((schema.required ?? []) as string[]);
    // One object per shape of a nested union is more than a test needs: the first of each.
    const object: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(properties)) {
      if (!required.has(name) && !shown(resolve(property))) continue;
      const values = examplesOf(property, `${at}.${name}`, missing);
      if (values.length > 0) object[name] = values[0];
    }
    return [object];
  }
  if (schema.type === 'array') {
    const item = examplesOf((schema.items ?? {}) as Schema, `${at}[]`, missing);
    const count = Math.max(1, Number(schema.minItems ?? 1));
    return item.length > 0 ? [Array.from({ length: count }, () => item[0])] : [];
  }
  if (schema.type === 'boolean') return [true];
  missing.push(at);
  return [];
};

/** What a query or path value is on the wire: text. */
const asText = (values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));

interface Built {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  bodies: unknown[];
  missing: string[];
  problems: string[];
}

const build = (route: RouteSpec): Built => {
  const op = operationOf(route);
  const missing: string[] = [];
  const problems: string[] = [];
  const params: Record<string, unknown> = {};
  const query: Record<string, unknown> = {};
  (op.parameters ?? []).forEach((parameter, i) => {
    if (parameter.in !== 'path' && parameter.in !== 'query') return;
    const shownHere = 'example' in parameter || shown(resolve(parameter.schema));
    if (parameter.in === 'query' && !parameter.required && !shownHere) return;
    const [value] =
      'example' in parameter
        ? [parameter.example]
        : examplesOf(parameter.schema, `${parameter.in}.${parameter.name}`, missing);
    if (value === undefined) return;
    const validate = ajv.compile({ $ref: `openapi#/${pointer(...where(route), 'parameters', i, 'schema')}` });
    if (!validate(value)) {
      problems.push(
        `${parameter.in}.${parameter.name} ${JSON.stringify(value)}: ${ajv.errorsText(validate.errors)}`,
      );
    }
    (parameter.in === 'path' ? params : query)[parameter.name] = value;
  });
  const content = op.requestBody?.content['application/json'];
  const bodies = content ? examplesOf(content.schema, 'body', missing) : [];
  if (content) {
    const validate = ajv.compile({
      $ref: `openapi#/${pointer(...where(route), 'requestBody', 'content', 'application/json', 'schema')}`,
    });
    for (const body of bodies) {
      if (!validate(body)) problems.push(`body ${JSON.stringify(body)}: ${ajv.errorsText(validate.errors)}`);
    }
  }
  return { params, query, bodies, missing, problems };
};

/** What the route's zod schemas make of a request, as the HTTP stack applies them. */
const zodRefusals = (route: RouteSpec, built: Pick<Built, 'params' | 'query' | 'bodies'>): string[] => {
  const refusals: string[] = [];
  const { params, query, body } = route.request;
  if (params) {
    const parsed = params.safeParse(asText(built.params));
    if (!parsed.success) refusals.push(`params: ${parsed.error.message}`);
  }
  try {
    if (query) parseQuery(query, asText(built.query));
  } catch (error) {
    refusals.push(`query: ${JSON.stringify(error)}`);
  }
  for (const example of built.bodies) {
    const parsed = body?.safeParse(example);
    if (parsed && !parsed.success) refusals.push(`body ${JSON.stringify(example)}: ${parsed.error.message}`);
  }
  return refusals;
};

describe('every operation’s request examples', () => {
  it.each(routes.map((r) => [r.routeKey, r] as const))(
    '%s: shown, in its document, accepted',
    (_key, route) => {
      const built = build(route);
      expect(built.missing.join('; '), 'required fields the document shows no example of').toBe('');
      expect(built.problems.join('; '), 'examples the document’s own schema refuses').toBe('');
      expect(zodRefusals(route, built).join('; '), 'examples the server refuses').toBe('');
      if (route.request.body) expect(built.bodies.length).toBeGreaterThan(0);
    },
  );
});

/** An anchored pattern without an open-ended repeat bounds the length of what it matches. */
const fixedLength = (pattern: unknown): boolean =>
  typeof pattern === 'string' &&
  pattern.startsWith('^') &&
  pattern.endsWith('$') &&
  !/[*+]|\{\d+,\}/.test(pattern.replace(/\\./g, ''));

/** Every integer and text a request may carry has real bounds (no ±2^53 from an unbounded int). */
const unbounded = (raw: Schema, at: string, seen = new Set<Schema>()): string[] => {
  const schema = resolve(raw);
  if (seen.has(schema)) return [];
  seen.add(schema);
  const inner = [
    ...Object.entries((schema.properties ?? {}) as Record<string, Schema>).flatMap(([k, s]) =>
      unbounded(s, `${at}.${k}`, seen),
    ),
    ...(['oneOf', 'anyOf', 'allOf'] as const).flatMap((k) =>
      ((schema[k] ?? []) as Schema[]).flatMap((s, i) => unbounded(s, `${at}|${i}`, seen)),
    ),
    ...(schema.items ? unbounded(schema.items as Schema, `${at}[]`, seen) : []),
    ...(typeof schema.additionalProperties === 'object'
      ? unbounded(schema.additionalProperties as Schema, `${at}{}`, seen)
      : []),
  ];
  const safe = (n: unknown) => typeof n === 'number' && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  if (schema.type === 'integer' || schema.type === 'number') {
    const low = schema.minimum ?? schema.exclusiveMinimum;
    const high = schema.maximum ?? schema.exclusiveMaximum;
    if (!safe(low) || !safe(high)) inner.push(`${at} (${String(low)}..${String(high)})`);
  }
  if (schema.type === 'string' && !('maxLength' in schema || 'enum' in schema || 'const' in schema)) {
    const patterns = [schema.pattern, ...((schema.allOf ?? []) as Schema[]).map((s) => s.pattern)];
    if (!('format' in schema) && !patterns.some(fixedLength)) inner.push(`${at} (text without maxLength)`);
  }
  return inner;
};

describe('the request schemas in the document', () => {
  it('bound every integer and every text', () => {
    const found = routes.flatMap((route) => {
      const op = operationOf(route);
      return [
        ...(op.parameters ?? [])
          .filter((p) => p.in !== 'header')
          .flatMap((p) => unbounded(p.schema, `${route.routeKey} ${p.in}.${p.name}`)),
        ...(op.requestBody
          ? unbounded(op.requestBody.content['application/json']?.schema ?? {}, `${route.routeKey} body`)
          : []),
      ];
    });
    expect(found.join('\n')).toBe('');
  });
});

/** The first example body of a route, changed; refused by the document and the server alike. */
const refusedByBoth = (routeKey: string, change: (body: Record<string, unknown>) => unknown) => {
  const route = routes.find((r) => r.routeKey === routeKey) as RouteSpec;
  const built = build(route);
  const validate = ajv.compile({
    $ref: `openapi#/${pointer(...where(route), 'requestBody', 'content', 'application/json', 'schema')}`,
  });
  const body = change(structuredClone(built.bodies[0]) as Record<string, unknown>);
  return {
    document: validate(body),
    server: route.request.body?.safeParse(body).success,
  };
};

describe('a documented constraint', () => {
  it.each([
    ['a personId that is not a ULID', 'POST /talent/people', { personId: 'person-1' }],
    ['a personId in lower case', 'POST /talent/people', { personId: '01jd3w5e8qk6m1v2x9zc7n4p5r' }],
    [
      'a credit code of 17 characters',
      'POST /community/partners/applications',
      { creditCode: '91350100M000100Y4' },
    ],
    [
      'a credit code with an O',
      'POST /community/partners/applications',
      { creditCode: '9135010OM000100Y43' },
    ],
    ['an unknown content type', 'POST /resources', { kind: 'document', contentType: 'text/html' }],
    ['a video that is a PDF', 'POST /resources', { kind: 'video', contentType: 'application/pdf' }],
    [
      'a link without its url',
      'POST /resources',
      { kind: 'link', contentType: undefined, sizeBytes: undefined },
    ],
    ['a file with a url', 'POST /resources', { url: 'https://www.12371.cn/' }],
    ['a birth date in 2980', 'POST /talent/people', { birthDate: '2980-02-05' }],
    [
      'a probation extension of 2^53 months',
      'POST /talent/people/{personId}/probation-extension',
      { months: 2 ** 53 },
    ],
    [
      'a party-group meeting without its group',
      'POST /activities',
      { type: 'party-group-meeting', partyGroupId: undefined },
    ],
  ])('is refused by the document and by the server: %s', (_name, routeKey, fields) => {
    const answer = refusedByBoth(routeKey, (body) => {
      const changed: Record<string, unknown> = { ...body, ...fields };
      for (const [k, v] of Object.entries(fields)) if (v === undefined) delete changed[k];
      return changed;
    });
    expect(answer).toEqual({ document: false, server: false });
  });

  it('that JSON Schema cannot compute, the credit code’s check character, is said in words and refused by the server', () => {
    const answer = refusedByBoth('POST /community/partners/applications', (body) => ({
      ...body,
      creditCode: '91350100M000100Y44',
    }));
    // The pattern passes it; the description says why the server will not.
    expect(answer).toEqual({ document: true, server: false });
    const schema = resolve(
      document.paths['/community/partners/applications']?.post?.requestBody?.content['application/json']
        ?.schema as Schema,
    );
    const creditCode = (schema.properties as Record<string, Schema>).creditCode as Schema;
    expect(creditCode.description).toContain('check character');
  });
});
