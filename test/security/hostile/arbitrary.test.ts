/**
 * The schema walker must be right before hostile-input can trust it: samples of every kind
 * of schema parse, mutants that must be refused are refused, and every route's schemas can
 * be sampled into accepted values (so generated requests reach the handlers, not only the
 * validator).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { services } from '../../../services/index.js';
import { idParam, isoDate, isoDateTime, nonEmpty, queryBoolean } from '../../../shared/schemas.js';
import { arbitraryFor, isStrict, mutantFor, objectKeys, pathsIn, withAt } from './arbitrary.js';
import { nastyValues, Raw, toJson } from './nasty.js';

const seed = 20261126;
const samples = (schema: z.ZodType, n: number, wild = false) =>
  fc.sample(arbitraryFor(schema, { wild }), { numRuns: n, seed });

const kinds: [string, z.ZodType][] = [
  ['bounded string', z.string().min(3).max(8)],
  ['trimmed non-empty', nonEmpty(20)],
  ['regex id', idParam],
  ['phone regex', z.string().regex(/^1[3-9]\d{9}$/)],
  ['iso date', isoDate],
  ['iso date-time with offset', isoDateTime],
  ['email', z.email()],
  ['starts with', z.string().startsWith('dj-').max(20)],
  ['int in range', z.number().int().min(-5).max(5)],
  ['positive int', z.int().positive()],
  ['exclusive double', z.number().gt(0).lt(1)],
  ['multiple of', z.number().int().multipleOf(5).min(0).max(100)],
  ['enum', z.enum(['a', 'b'])],
  ['literal', z.literal(true)],
  ['boolean', z.boolean()],
  ['nullable', z.string().nullable()],
  ['array bounds', z.array(z.int()).min(2).max(3)],
  [
    'strict object with optional and default',
    z.strictObject({ a: z.string(), b: z.int().optional(), c: z.boolean().default(false) }),
  ],
  [
    'nested objects',
    z.object({ inner: z.strictObject({ x: z.enum(['p', 'q']), y: z.array(idParam).max(2) }) }),
  ],
  [
    'union',
    z.union([z.strictObject({ kind: z.literal('a'), n: z.int() }), z.strictObject({ kind: z.literal('b') })]),
  ],
  [
    'discriminated union',
    z.discriminatedUnion('k', [
      z.object({ k: z.literal('x') }),
      z.object({ k: z.literal('y'), v: z.string() }),
    ]),
  ],
  ['record', z.record(z.string().max(5), z.int())],
  ['record over an enum', z.record(z.enum(['m', 'n']), z.boolean())],
  ['tuple', z.tuple([z.string(), z.int()])],
  ['query boolean (enum piped into a transform)', queryBoolean],
  ['coerced int', z.coerce.number().int().min(1).max(100)],
  ['intersection', z.intersection(z.object({ a: z.int() }), z.object({ b: z.string() }))],
];

describe('arbitraryFor', () => {
  it.each(kinds)('samples a %s that the schema accepts', (_name, schema) => {
    const refused = samples(schema, 200).filter((value) => !schema.safeParse(value).success);
    expect(refused.slice(0, 3)).toEqual([]);
  });

  it('falls back to anything for what it does not know', () => {
    expect(
      samples(
        z.custom<string>(() => true),
        10,
      ),
    ).toHaveLength(10);
    expect(samples(z.any(), 10)).toHaveLength(10);
  });

  it('with wild leaves, also produces values the schema refuses', () => {
    const schema = z.strictObject({ name: z.string().min(1).max(5), n: z.int().min(0).max(3) });
    const values = samples(schema, 200, true);
    const refused = values.filter((v) => !schema.safeParse(v).success);
    expect(refused.length).toBeGreaterThan(20);
    expect(values.length - refused.length).toBeGreaterThan(50);
  });

  it('is deterministic for a seed', () => {
    expect(samples(kinds[5]?.[1] as z.ZodType, 20)).toEqual(samples(kinds[5]?.[1] as z.ZodType, 20));
  });

  /*
   * Every route's schemas: most samples pass. Cross-field rules (an end after a start)
   * refuse some, which is fine; a schema the walker cannot satisfy at all is not.
   */
  const schemas = services.flatMap((s) =>
    s.routes.flatMap((r) =>
      (['body', 'query', 'params'] as const)
        .filter((part) => r.request[part])
        .map((part) => [`${r.routeKey} ${part}`, r.request[part] as z.ZodType] as const),
    ),
  );
  it.each(schemas)('samples accepted values for %s', (_name, schema) => {
    const accepted = samples(schema, 40).filter((value) => schema.safeParse(value).success);
    expect(accepted.length).toBeGreaterThan(0);
  });
});

describe('mutants', () => {
  const schema = z.strictObject({
    name: z.string().min(1),
    size: z.int().min(1),
    tags: z.array(z.string()).max(3).optional(),
    place: z.strictObject({ city: z.string() }).optional(),
  });

  it('knows the keys, which are required, and strictness', () => {
    expect(objectKeys(schema)).toEqual([
      { key: 'name', required: true },
      { key: 'size', required: true },
      { key: 'tags', required: false },
      { key: 'place', required: false },
    ]);
    expect(isStrict(schema)).toBe(true);
    expect(isStrict(z.object({ a: z.string() }))).toBe(false);
  });

  it('that must be refused are refused by the schema', () => {
    const mutants = fc.sample(mutantFor(schema, nastyValues), { numRuns: 300, seed });
    const wrong = mutants.filter((m) => m.mustRefuse && schema.safeParse(m.value).success);
    expect(wrong.slice(0, 3)).toEqual([]);
    const kinds = new Set(mutants.map((m) => m.mutation.kind));
    expect(kinds).toEqual(new Set(['drop-required', 'add-unknown', 'replace']));
  });

  it('replace, add and drop at nested places without touching the original', () => {
    const value = { a: { b: [1, { c: 2 }] } };
    expect(pathsIn(value)).toEqual([['a'], ['a', 'b'], ['a', 'b', 0], ['a', 'b', 1], ['a', 'b', 1, 'c']]);
    expect(withAt(value, ['a', 'b', 1, 'c'], 'x')).toEqual({ a: { b: [1, { c: 'x' }] } });
    expect(withAt(value, ['a', 'b', 0], undefined, true)).toEqual({ a: { b: [{ c: 2 }] } });
    expect(value).toEqual({ a: { b: [1, { c: 2 }] } });
    const polluted = withAt(value, ['a', '__proto__'], { isAdmin: true }) as { a: object };
    expect(toJson(polluted)).toBe('{"a":{"b":[1,{"c":2}],"__proto__":{"isAdmin":true}}}');
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });

  it('writes raw fragments and lone surrogates as JSON a server parses', () => {
    const text = toJson({ n: new Raw('1e309'), z: new Raw('-0'), s: 'x\ud800', u: undefined });
    expect(text).toBe('{"n":1e309,"z":-0,"s":"x\\ud800"}');
    expect(JSON.parse(text)).toEqual({ n: Number.POSITIVE_INFINITY, z: -0, s: 'x\ud800' });
  });
});
