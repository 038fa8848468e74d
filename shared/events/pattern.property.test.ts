import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, InvalidEventPatternError, matches } from './pattern.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// Keys chosen to collide: dotted names, prototype names and the empty key all have special
// handling. `$or` is left out because it changes what a pattern means.
const key = fc.constantFrom('a', 'b', 'c', 'state', 'd.e', 'd', 'e', 'x-y', '', 'constructor', '__proto__');
const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('10.0.0.1', '::1', '', 'Running', 'running'),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

// Object.fromEntries, not a literal: it makes `__proto__` an own property, as JSON.parse does.
const objectOf = (value: fc.Arbitrary<Json>) =>
  fc.array(fc.tuple(key, value), { maxLength: 4 }).map((entries) => Object.fromEntries(entries) as Json);

const { event } = fc.letrec<{ value: Json; event: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    objectOf(tie('value')),
  ),
  event: objectOf(tie('value')),
}));

const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The leaves and the objects an event value offers once its arrays are flattened. */
const flatten = (value: Json, leaves: Json[], objects: Record<string, Json>[]): void => {
  if (Array.isArray(value)) for (const element of value) flatten(element, leaves, objects);
  else if (isObject(value)) objects.push(value);
  else leaves.push(value);
};

/**
 * A pattern made of an event's own values. Where a field holds objects inside arrays, one
 * element is chosen and every field below it is taken from that element, so the pattern
 * always respects array consistency. `choose` steers the choices (shrinkable).
 */
const patternFrom = (
  node: Record<string, Json>,
  choose: () => number,
): Record<string, unknown> | undefined => {
  const entries: [string, unknown][] = [];
  for (const [name, value] of Object.entries(node)) {
    if (choose() % 4 === 0) continue;
    const leaves: Json[] = [];
    const objects: Record<string, Json>[] = [];
    flatten(value, leaves, objects);
    if (leaves.length > 0 && (objects.length === 0 || choose() % 2 === 0)) {
      entries.push([name, [leaves[choose() % leaves.length]]]);
    } else if (objects.length > 0) {
      const below = patternFrom(objects[choose() % objects.length] as Record<string, Json>, choose);
      if (below !== undefined) entries.push([name, below]);
    }
  }
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
};

const chooser = (choices: number[]) => {
  let i = 0;
  return () => choices[i++ % choices.length] ?? 0;
};

describe('properties', () => {
  it('a pattern built from an event’s own values matches that event', () => {
    fc.assert(
      fc.property(event, fc.array(fc.nat(97), { minLength: 1, maxLength: 20 }), (e, choices) => {
        const pattern = isObject(e) ? patternFrom(e, chooser(choices)) : undefined;
        fc.pre(pattern !== undefined);
        expect(matches(pattern, e)).toBe(true);
      }),
    );
  });

  it('matches(p, e) is compilePattern(p)(e), and the JSON text of p means the same as p', () => {
    fc.assert(
      fc.property(
        event,
        fc.array(fc.nat(97), { minLength: 1, maxLength: 20 }),
        event,
        (e, choices, other) => {
          const pattern = isObject(e) ? patternFrom(e, chooser(choices)) : undefined;
          fc.pre(pattern !== undefined);
          const answer = matches(pattern, other);
          expect(compilePattern(pattern)(other)).toBe(answer);
          expect(matches(JSON.stringify(pattern), other)).toBe(answer);
        },
      ),
    );
  });

  it('anything-but the exact value never matches it, nor a missing field', () => {
    const scalar = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(scalar, (value) => {
        const pattern = { detail: { v: [{ 'anything-but': value }] } };
        expect(matches(pattern, { detail: { v: value } })).toBe(false);
        expect(matches(pattern, { detail: { v: [value, value] } })).toBe(false);
        expect(matches(pattern, { detail: {} })).toBe(false);
        expect(matches(pattern, {})).toBe(false);
      }),
    );
  });

  // Small patterns over a few fields, built from every operator kind.
  const operand = fc.oneof(
    fc.constantFrom('x', 'xy', 'X', ''),
    fc.integer({ min: -2, max: 2 }),
    fc.constant(null),
    fc.constantFrom(
      { prefix: 'x' },
      { suffix: 'y' },
      { 'equals-ignore-case': 'XY' },
      { wildcard: 'x*' },
      { 'anything-but': 'x' },
      { 'anything-but': [0, 1] },
      { 'anything-but': { prefix: 'x' } },
      { numeric: ['>', 0] },
      { numeric: ['>=', -1, '<', 1] },
      { exists: true },
      { exists: false },
    ),
  );
  const field = fc.constantFrom('a', 'b', 'c');
  const smallPattern = fc
    .array(fc.tuple(field, fc.array(operand, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 3 })
    .map((entries) => Object.fromEntries(entries));
  const smallValue = fc.oneof(
    fc.constantFrom('x', 'xy', 'XY', 'y', ''),
    fc.integer({ min: -2, max: 2 }),
    fc.constant(null),
  );
  const smallEvent = fc
    .array(fc.tuple(field, fc.oneof(smallValue, fc.array(smallValue, { maxLength: 3 }))), { maxLength: 3 })
    .map((entries) => Object.fromEntries(entries));

  it('$or of p and q matches exactly when p or q does', () => {
    fc.assert(
      fc.property(smallPattern, smallPattern, smallEvent, (p, q, e) => {
        expect(matches({ $or: [p, q] }, e)).toBe(matches(p, e) || matches(q, e));
      }),
    );
  });

  it('fields under different top-level keys combine with AND', () => {
    fc.assert(
      fc.property(smallPattern, smallPattern, smallEvent, smallEvent, (p, q, e, f) => {
        const event = { one: e, two: f };
        expect(matches({ one: p, two: q }, event)).toBe(matches(p, e) && matches(q, f));
      }),
    );
  });

  it('a prefix or suffix of a string value always matches it', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), fc.nat(), (s, i, j) => {
        const cut = s.length === 0 ? 0 : i % (s.length + 1);
        expect(matches({ v: [{ prefix: s.slice(0, cut) }] }, { v: s })).toBe(true);
        expect(matches({ v: [{ suffix: s.slice(j % (s.length + 1)) }] }, { v: s })).toBe(true);
      }),
    );
  });

  it('any substring of a value can be replaced by a wildcard', () => {
    const escaped = (text: string) => text.replace(/[\\*]/g, (c) => `\\${c}`);
    fc.assert(
      fc.property(fc.string(), fc.nat(), fc.nat(), (s, i, j) => {
        const [from, to] = [i % (s.length + 1), j % (s.length + 1)].sort((x, y) => x - y) as [number, number];
        const wildcard = `${escaped(s.slice(0, from))}*${escaped(s.slice(to))}`;
        expect(matches({ v: [{ wildcard }] }, { v: s })).toBe(true);
        expect(matches({ v: [{ wildcard: escaped(s) }] }, { v: s })).toBe(true);
      }),
    );
  });

  it('equals-ignore-case ignores ASCII case, and only case', () => {
    const ascii = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_ '.split('')) });
    fc.assert(
      fc.property(ascii, fc.array(fc.boolean()), (s, flips) => {
        const variant = [...s].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join('');
        expect(matches({ v: [{ 'equals-ignore-case': variant }] }, { v: s })).toBe(true);
        expect(matches({ v: [{ 'equals-ignore-case': `${variant}!` }] }, { v: s })).toBe(false);
      }),
    );
  });

  it('numeric ranges agree with plain comparisons', () => {
    const n = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
    fc.assert(
      fc.property(n, n, n, (a, b, x) => {
        fc.pre(a < b);
        expect(matches({ v: [{ numeric: ['>=', a, '<', b] }] }, { v: x })).toBe(x >= a && x < b);
        expect(matches({ v: [{ numeric: ['>', a, '<=', b] }] }, { v: x })).toBe(x > a && x <= b);
        expect(matches({ v: [{ numeric: ['=', a] }] }, { v: x })).toBe(x === a);
        expect(matches({ v: [{ numeric: ['>', a] }] }, { v: String(x) })).toBe(false);
      }),
    );
  });

  it('a CIDR block holds exactly the addresses sharing its leading bits', () => {
    const address = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    const toInt = (b: number[]) => b.reduce((n, byte) => n * 256 + byte, 0);
    fc.assert(
      fc.property(address, address, fc.integer({ min: 0, max: 31 }), (base, other, bits) => {
        const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
        const inside = (toInt(base) & mask) >>> 0 === (toInt(other) & mask) >>> 0;
        expect(matches({ v: [{ cidr: `${base.join('.')}/${bits}` }] }, { v: other.join('.') })).toBe(inside);
      }),
    );
  });

  it('never fails on arbitrary input: a pattern is compiled or refused, an event matched or not', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 4 }), (pattern, e) => {
        let predicate: ((event: unknown) => boolean) | undefined;
        try {
          predicate = compilePattern(pattern);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEventPatternError);
        }
        if (predicate !== undefined) expect(typeof predicate(e)).toBe('boolean');
      }),
    );
  });
});
