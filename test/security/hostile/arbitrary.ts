/**
 * fast-check arbitraries from zod 4 schemas, and the mutations hostile-input throws at the
 * routes. zod-fast-check supports neither zod 4 nor fast-check 4, so this walks the schema
 * definitions (`schema._zod.def`) itself. Anything it does not know becomes `fc.anything()`:
 * a hostile test loses nothing by sending rubbish where it cannot be precise.
 */
import fc from 'fast-check';
import type { z } from 'zod';

export interface WalkOptions {
  /**
   * Also produce values the schema refuses at the leaves (random strings, out-of-range
   * numbers), about one in five. Off: aim at values the schema accepts.
   */
  wild?: boolean;
}

// The internals zod 4 keeps on every schema; typed loosely on purpose (they are not API).
type Def = Record<string, any> & { type: string };
type Check = { check: string } & Record<string, unknown>;

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const checksOf = (schema: z.ZodType): Check[] => {
  const def = defOf(schema);
  const checks = ((def.checks ?? []) as { _zod: { def: Check } }[]).map((c) => c._zod.def);
  // A format schema (z.iso.date(), z.email(), z.int()) is itself a check.
  return def.check ? [def as unknown as Check, ...checks] : checks;
};

/** Whether an object key may be left out: optional, or filled by a default. */
export const isOptional = (schema: z.ZodType): boolean =>
  // 'optional', or 'defaulted' (zod 4.6) for a default; absent for a required key.
  (schema as unknown as { _zod: { optin?: string } })._zod.optin !== undefined;

const MAX_DEPTH = 6;
/** Long enough to cross typical limits, short enough to keep runs fast. */
const SPREAD = 40;

const pad = (two: number) => String(two).padStart(2, '0');
const offsetOf = (minutes: number) =>
  minutes === 0
    ? 'Z'
    : `${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;

/** Real instants between 1950 and 2080, as ISO text with a `Z` or a plausible offset. */
const isoInstant = fc
  .tuple(
    fc.date({
      min: new Date('1950-01-01T00:00:00Z'),
      max: new Date('2080-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom(0, 480, -300, 330, 60),
    fc.boolean(),
  )
  .map(([date, offset, millis]) => {
    const shifted = new Date(date.getTime() + offset * 60_000).toISOString();
    const body = millis ? shifted.slice(0, 23) : shifted.slice(0, 19);
    return `${body}${offsetOf(offset)}`;
  });
const isoDay = fc
  .date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2080-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

// Formats whose zod pattern is too general to sample well; the others use their pattern.
const formats: Record<string, fc.Arbitrary<string>> = {
  date: isoDay,
  datetime: isoInstant,
  uuid: fc.uuid(),
  url: fc.webUrl(),
};

/**
 * The candidates that pass, if some do: a filter that (almost) never passes would make
 * fast-check spin, so a rule no sample meets (a check digit) leaves the candidates as they
 * are, and the schema refuses them, which a hostile test may do anyway.
 */
const satisfying = <T>(candidates: fc.Arbitrary<T>, fits: (value: T) => boolean): fc.Arbitrary<T> => {
  const trial = fc.sample(candidates, { numRuns: 60, seed: 1 });
  return trial.filter(fits).length >= 3 ? candidates.filter(fits) : candidates;
};

const stringArbitrary = (schema: z.ZodType): fc.Arbitrary<string> => {
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  let shaped: fc.Arbitrary<string> | undefined;
  const affixes: { startsWith?: string; endsWith?: string } = {};
  for (const check of checksOf(schema)) {
    if (check.check === 'min_length') min = Math.max(min, check.minimum as number);
    else if (check.check === 'max_length') max = Math.min(max, check.maximum as number);
    else if (check.check === 'length_equals') min = max = check.length as number;
    else if (check.check === 'string_format') {
      const format = check.format as string;
      if (format === 'starts_with') affixes.startsWith = check.prefix as string;
      else if (format === 'ends_with') affixes.endsWith = check.suffix as string;
      else if (formats[format]) shaped = formats[format];
      // A named format (a date) shapes better than a partial pattern added to it (its years).
      else if (!shaped && check.pattern instanceof RegExp) shaped = fc.stringMatching(check.pattern);
    }
  }
  // The schema itself has the last word on a leaf: trims, refinements, years in range.
  const fits = (value: string) =>
    value.length >= min && value.length <= max && schema.safeParse(value).success;
  if (shaped) return satisfying(shaped, fits);
  const upper = Number.isFinite(max) ? max : min + SPREAD;
  const maxLength = Math.min(upper, min + SPREAD);
  const plain = fc.oneof(
    { arbitrary: fc.string({ minLength: min, maxLength, unit: 'grapheme' }), weight: 3 },
    // Chinese text, as most fields hold in use.
    {
      arbitrary: fc.string({
        minLength: min,
        maxLength,
        unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)),
      }),
      weight: 2,
    },
  );
  // Trimmed schemas refuse blank text of the minimum length: keep samples mostly valid.
  const wrapped = plain.map((value) => `${affixes.startsWith ?? ''}${value}${affixes.endsWith ?? ''}`);
  return satisfying(wrapped, fits);
};

const numberArbitrary = (schema: z.ZodType): fc.Arbitrary<number> => {
  let min = Number.NEGATIVE_INFINITY;
  let max = Number.POSITIVE_INFINITY;
  let minExcluded = false;
  let maxExcluded = false;
  let integer = false;
  let step: number | undefined;
  for (const check of checksOf(schema)) {
    if (check.check === 'greater_than' && (check.value as number) >= min) {
      min = check.value as number;
      minExcluded = !check.inclusive;
    } else if (check.check === 'less_than' && (check.value as number) <= max) {
      max = check.value as number;
      maxExcluded = !check.inclusive;
    } else if (check.check === 'number_format') {
      integer = String(check.format).includes('int');
    } else if (check.check === 'multiple_of') step = check.value as number;
  }
  if (integer || step !== undefined) {
    const lo = Math.max(Number.MIN_SAFE_INTEGER, Math.ceil(minExcluded ? min + 1e-9 : min));
    const hi = Math.min(Number.MAX_SAFE_INTEGER, Math.floor(maxExcluded ? max - 1e-9 : max));
    const ints = fc.integer({ min: lo, max: hi });
    if (step === undefined) return ints;
    return ints.map((n) => Math.round(n / step) * step).filter((n) => n >= lo && n <= hi);
  }
  return fc.double({
    min: Number.isFinite(min) ? min : -1e9,
    max: Number.isFinite(max) ? max : 1e9,
    minExcluded,
    maxExcluded,
    noNaN: true,
    noDefaultInfinity: true,
  });
};

/** Leaves a schema refuses, or may: the "random" half of valid-ish. */
const wildLeaf = (type: string): fc.Arbitrary<unknown> => {
  if (type === 'string')
    return fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 50 }));
  if (type === 'number' || type === 'int' || type === 'bigint')
    return fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(-1, 0, 2 ** 53 + 1),
    );
  return fc.anything({ maxDepth: 2 });
};

/**
 * An arbitrary for values of the schema's input type. With `wild`, leaves sometimes hold
 * a value of the right type the schema may refuse, or one of the wrong type.
 */
export const arbitraryFor = (
  schema: z.ZodType,
  options: WalkOptions = {},
  depth = 0,
): fc.Arbitrary<unknown> => {
  const def = defOf(schema);
  const walk = (inner: z.ZodType) => arbitraryFor(inner, options, depth + 1);
  const leaf = (arbitrary: fc.Arbitrary<unknown>) =>
    options.wild
      ? fc.oneof({ arbitrary, weight: 4 }, { arbitrary: wildLeaf(def.type), weight: 1 })
      : arbitrary;
  if (depth > MAX_DEPTH) return fc.constant(null);
  switch (def.type) {
    case 'string':
      return leaf(stringArbitrary(schema));
    case 'number':
      return leaf(numberArbitrary(schema));
    case 'bigint':
      return leaf(fc.bigInt());
    case 'boolean':
      return leaf(fc.boolean());
    case 'null':
      return fc.constant(null);
    case 'undefined':
    case 'void':
      return fc.constant(undefined);
    case 'literal':
      return leaf(fc.constantFrom(...(def.values as unknown[])));
    case 'enum':
      return leaf(fc.constantFrom(...Object.values(def.entries as Record<string, unknown>)));
    case 'date':
      return fc.date({ noInvalidDate: true });
    case 'optional':
      return fc.option(walk(def.innerType), { nil: undefined, freq: 3 });
    case 'nullable':
      return fc.option(walk(def.innerType), { nil: null, freq: 3 });
    case 'default':
    case 'prefault':
      return fc.option(walk(def.innerType), { nil: undefined, freq: 3 });
    case 'nonoptional':
    case 'readonly':
    case 'catch':
    case 'promise':
      return walk(def.innerType);
    case 'lazy':
      return walk(def.getter());
    case 'pipe':
      // The input side decides what may be sent; a transform's output is not ours to make.
      return defOf(def.in).type === 'transform' ? walk(def.out) : walk(def.in);
    case 'array': {
      let min = 0;
      let max = 5;
      for (const check of checksOf(schema)) {
        if (check.check === 'min_length') min = check.minimum as number;
        if (check.check === 'max_length') max = check.maximum as number;
        if (check.check === 'length_equals') min = max = check.length as number;
      }
      return fc.array(walk(def.element), { minLength: min, maxLength: Math.min(max, min + 4) });
    }
    case 'tuple': {
      const items = (def.items as z.ZodType[]).map(walk);
      return fc.tuple(...items);
    }
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      const keys = Object.keys(shape);
      const record = fc.record(Object.fromEntries(keys.map((key) => [key, walk(shape[key] as z.ZodType)])), {
        requiredKeys: keys.filter((key) => !isOptional(shape[key] as z.ZodType)),
      });
      // Undefined values would vanish in JSON anyway; dropping them keeps samples honest.
      return record.map((value) =>
        Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)),
      );
    }
    case 'record': {
      const keyDef = defOf(def.keyType);
      const values = walk(def.valueType);
      if (keyDef.type === 'enum' || keyDef.type === 'literal') {
        // zod 4 records over an enum need every key.
        const keys = (keyDef.type === 'enum' ? Object.values(keyDef.entries) : keyDef.values) as string[];
        return fc.record(Object.fromEntries(keys.map((key) => [key, values])));
      }
      return fc.dictionary(walk(def.keyType) as fc.Arbitrary<string>, values, { maxKeys: 4 });
    }
    case 'union':
      return fc.oneof(...(def.options as z.ZodType[]).map(walk));
    case 'intersection':
      return fc
        .tuple(walk(def.left), walk(def.right))
        .map(([a, b]) =>
          typeof a === 'object' && a !== null && typeof b === 'object' && b !== null ? { ...a, ...b } : b,
        );
    default:
      // any, unknown, custom, transform, never, map, set, file, template literals...
      return fc.anything({ maxDepth: 2 });
  }
};

/** Unwraps optional/default/nullable/pipe to the schema a value is checked against. */
export const coreOf = (schema: z.ZodType): z.ZodType => {
  const def = defOf(schema);
  if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type))
    return coreOf(def.innerType);
  if (def.type === 'pipe') return coreOf(defOf(def.in).type === 'transform' ? def.out : def.in);
  return schema;
};

/** The keys of an object schema (or of every branch of a union of objects), with whether each is required. */
export const objectKeys = (schema: z.ZodType): { key: string; required: boolean }[] => {
  const core = coreOf(schema);
  const def = defOf(core);
  if (def.type === 'object') {
    return Object.entries(def.shape as Record<string, z.ZodType>).map(([key, s]) => ({
      key,
      required: !isOptional(s),
    }));
  }
  if (def.type === 'union') {
    const all = (def.options as z.ZodType[]).map(objectKeys);
    const seen = new Map<string, boolean>();
    // A key is required only if every branch requires it.
    for (const keys of all)
      for (const { key, required } of keys) seen.set(key, (seen.get(key) ?? true) && required);
    return [...seen].map(([key, required]) => ({ key, required }));
  }
  return [];
};

/** Whether the schema refuses keys it does not name (z.strictObject). */
export const isStrict = (schema: z.ZodType): boolean => {
  const def = defOf(coreOf(schema));
  if (def.type === 'union') return (def.options as z.ZodType[]).every(isStrict);
  return def.type === 'object' && def.catchall !== undefined && defOf(def.catchall).type === 'never';
};

/** A place in a JSON value: the chain of keys and indexes leading to it. */
export type Path = (string | number)[];

/** Every place inside a value (not the value itself), parents before children. */
export const pathsIn = (value: unknown, prefix: Path = []): Path[] => {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsIn(child, [...prefix, key])]);
};

/** A copy of `value` with the thing at `path` replaced (or removed, for `remove`). */
export const withAt = (value: unknown, path: Path, replacement: unknown, remove = false): unknown => {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && remove) copy.splice(head as number, 1);
    else copy[head as number] = withAt(copy[head as number], rest, replacement, remove);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && remove) delete copy[head as string];
  else
    Object.defineProperty(copy, head as string, {
      value: withAt(copy[head as string], rest, replacement, remove),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
};

export type Mutation =
  | { kind: 'drop-required'; key: string }
  | { kind: 'add-unknown'; path: Path; key: string }
  | { kind: 'replace'; path: Path; nasty: string };

export interface Mutant {
  value: unknown;
  mutation: Mutation;
  /** True when the schema alone must refuse it (a 400 is the only right answer). */
  mustRefuse: boolean;
}

/**
 * A valid-ish value of the schema with one thing done to it: a required key dropped, an
 * unknown key added (top level or nested), or one place replaced by a nasty value.
 */
export const mutantFor = (
  schema: z.ZodType,
  nasties: readonly { name: string; value: unknown }[],
  /** What to mutate; default: samples of the schema. A known-good request body is another. */
  base: fc.Arbitrary<unknown> = arbitraryFor(schema),
) => {
  const required = objectKeys(schema)
    .filter((k) => k.required)
    .map((k) => k.key);
  const strict = isStrict(schema);
  return fc
    .tuple(
      base,
      fc.constantFrom('drop-required', 'add-unknown', 'replace', 'replace'),
      fc.nat(),
      fc.constantFrom(...nasties),
      fc.constantFrom('isAdmin', 'role', '__proto__', 'constructor', 'pk', 'extra'),
    )
    .map(([value, kind, pick, nasty, unknownKey]): Mutant => {
      const places = pathsIn(value);
      if (kind === 'drop-required' && required.length > 0 && typeof value === 'object' && value !== null) {
        const key = required[pick % required.length] as string;
        return { value: withAt(value, [key], undefined, true), mutation: { kind, key }, mustRefuse: true };
      }
      if (kind === 'add-unknown' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const objects = [[], ...places].filter((p) => {
          const at = p.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
          return typeof at === 'object' && at !== null && !Array.isArray(at);
        });
        const path = objects[pick % objects.length] as Path;
        const withKey = withAt(value, [...path, unknownKey], { injected: true });
        // Only the top level is known to be strict; nested objects are strict by house rule too.
        return {
          value: withKey,
          mutation: { kind, path, key: unknownKey },
          mustRefuse: strict && path.length === 0,
        };
      }
      const path = places.length > 0 ? (places[pick % places.length] as Path) : [];
      return {
        value: withAt(value, path, nasty.value),
        mutation: { kind: 'replace', path, nasty: nasty.name },
        mustRefuse: false,
      };
    });
};
