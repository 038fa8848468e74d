/**
 * The structure of a pattern and its evaluation, following event-ruler (the engine behind
 * EventBridge) where the EventBridge documentation stops:
 *
 * - A pattern compiles, as in ruler's JsonRuleCompiler, to a list of alternatives, one per
 *   path through its `$or`s, each a map from a dotted field name (`detail.price`) to that
 *   field's compiled value list. Fields are written in document order, so a field set both
 *   outside and inside an `$or` keeps the value written last, as ruler does.
 * - Names are dotted, not nested: `{"a.b": [1]}` and `{"a": {"b": [1]}}` are the same
 *   field, and both match the event `{"a": {"b": 1}}` as well as `{"a.b": 1}`.
 * - An event matches an alternative when every field finds a leaf value (arrays flattened,
 *   any element may match) such that no two matched leaves sit in different elements of
 *   the same array: ruler's "array consistency".
 * - `exists: false` is checked, like ruler, against the array elements already chosen by
 *   the fields that sort before it, so fields are evaluated in sorted name order.
 */
import { fail, InvalidEventPatternError, type PathStep } from './errors.js';
import { compileValueList, type FieldSpec, type Leaf, type LeafTest } from './operators.js';

/** EventBridge refuses patterns whose `$or` arrays multiply out to more sub-patterns than this. */
export const MAX_OR_COMBINATIONS = 1000;

/** Ruler's keywords, which may not be field names inside an `$or` branch. */
const RESERVED_INSIDE_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

type JsonObject = Record<string, unknown>;
type Alternative = Map<string, FieldSpec>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The product of the lengths of every `$or` array, nested ones included. It can exceed the
 * number of alternatives actually produced; it is what EventBridge counts, so a pattern it
 * refuses is refused here too. Stops as soon as the cap is passed.
 */
const orCombinations = (node: unknown): number => {
  if (!isObject(node)) return 1;
  let product = 1;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$or' && Array.isArray(value)) {
      product *= Math.max(value.length, 1);
      for (const member of value) product *= orCombinations(member);
    } else if (isObject(value)) {
      product *= orCombinations(value);
    }
    if (product > MAX_OR_COMBINATIONS) return product;
  }
  return product;
};

const hasOrKey = (node: unknown): boolean =>
  isObject(node) &&
  Object.entries(node).some(
    ([key, value]) => key === '$or' || hasOrKey(value) || (Array.isArray(value) && value.some(hasOrKey)),
  );

/** Expands a pattern into its alternatives, validating as it goes. */
const expand = (pattern: JsonObject, orIsOperator: boolean): Alternative[] => {
  const write = (alternatives: Alternative[], name: string, spec: FieldSpec): void => {
    if (alternatives.length === 0) alternatives.push(new Map());
    for (const alternative of alternatives) alternative.set(name, spec);
  };

  const or = (alternatives: Alternative[], members: unknown, prefix: string, path: PathStep[]): void => {
    const before = alternatives.splice(0);
    if (!Array.isArray(members)) fail('$or must be an array of objects', path);
    members.forEach((member, i) => {
      if (!isObject(member)) fail('Only JSON objects are allowed in an $or array', [...path, i]);
      const branch = before.length > 0 ? before.map((alternative) => new Map(alternative)) : [new Map()];
      object(branch, member, prefix, [...path, i], true);
      alternatives.push(...branch);
    });
    if (members.length < 2) fail('There must be at least 2 objects in an $or array', path);
  };

  const object = (
    alternatives: Alternative[],
    node: JsonObject,
    prefix: string,
    path: PathStep[],
    insideOr: boolean,
  ): void => {
    const keys = Object.keys(node);
    if (keys.length === 0) fail('Empty objects are not allowed', path);
    for (const key of keys) {
      const value = node[key];
      const at = [...path, key];
      if (key === '$or' && orIsOperator) {
        or(alternatives, value, prefix, at);
      } else if (insideOr && RESERVED_INSIDE_OR.has(key)) {
        fail(`${key} is a reserved word and cannot be a field name inside $or`, at);
      } else if (isObject(value)) {
        object(alternatives, value, `${prefix}${key}.`, at, insideOr);
      } else if (Array.isArray(value)) {
        write(alternatives, prefix + key, compileValueList(value, at));
      } else {
        // Leaves must be arrays even when there is one value: {"source": "x"} is refused.
        fail(`"${key}" must be an object or an array`, at);
      }
    }
  };

  const alternatives: Alternative[] = [];
  object(alternatives, pattern, '', [], false);
  return alternatives;
};

const parse = (pattern: unknown): JsonObject => {
  let value = pattern;
  if (typeof pattern === 'string') {
    try {
      value = JSON.parse(pattern);
    } catch {
      return fail('Filter is not valid JSON', []);
    }
  }
  return isObject(value) ? value : fail('Filter is not an object', []);
};

/**
 * Validates a pattern and expands it. When the `$or`-aware reading fails, ruler (and so
 * EventBridge) retries reading `$or` as an ordinary field name, which keeps old patterns
 * like `{"$or": {"a": ["x"]}}` working; the first error is reported if both readings fail.
 */
const alternativesOf = (pattern: unknown): Alternative[] => {
  const root = parse(pattern);
  // Counted on the text, before either reading: an `$or` later read as a field name counts too.
  if (orCombinations(root) > MAX_OR_COMBINATIONS) {
    throw new InvalidEventPatternError(
      `Event pattern contains more than ${MAX_OR_COMBINATIONS} rule combinations`,
    );
  }
  try {
    return expand(root, true);
  } catch (error) {
    if (!(error instanceof InvalidEventPatternError) || !hasOrKey(root)) throw error;
    try {
      return expand(root, false);
    } catch {
      throw error;
    }
  }
};

// ---------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------

/** One field of an alternative, ready to be looked up in events. */
interface FieldPlan {
  /** Number of dot-separated segments in the name. */
  readonly length: number;
  /**
   * `keys[level * length + j]` is segments `level..j` joined with dots: the event keys that
   * can carry the name from `level` on, since event keys may contain dots themselves.
   */
  readonly keys: readonly string[];
  /** Whether that key also names something on Object.prototype, so must be an own property. */
  readonly own: readonly boolean[];
  readonly test: LeafTest | null;
  readonly existsTrue: boolean;
  readonly existsFalse: boolean;
  /** Whether some leaf value can satisfy the field (anything but a bare `exists: false`). */
  readonly positive: boolean;
}

const planField = (name: string, spec: FieldSpec): FieldPlan => {
  const segments = name.split('.');
  const length = segments.length;
  const keys: string[] = new Array(length * length).fill('');
  const own: boolean[] = new Array(length * length).fill(false);
  for (let level = 0; level < length; level++) {
    for (let j = level; j < length; j++) {
      const key = segments.slice(level, j + 1).join('.');
      keys[level * length + j] = key;
      own[level * length + j] = key in Object.prototype;
    }
  }
  return { length, keys, own, ...spec, positive: spec.existsTrue || spec.test !== null };
};

/** The array elements chosen so far: a persistent list, shared by the branches of the search. */
interface Chosen {
  readonly array: readonly unknown[];
  readonly index: number;
  readonly next: Chosen | null;
}

const chosenIndex = (chosen: Chosen | null, array: readonly unknown[]): number => {
  for (let at = chosen; at !== null; at = at.next) if (at.array === array) return at.index;
  return -1;
};

const isLeaf = (v: unknown): v is Leaf => {
  const type = typeof v;
  return type === 'string' || type === 'number' || type === 'boolean' || v === null;
};

const child = (f: FieldPlan, node: JsonObject, slot: number): unknown => {
  const key = f.keys[slot] as string;
  return f.own[slot] ? (Object.hasOwn(node, key) ? node[key] : undefined) : node[key];
};

/**
 * Whether fields `i..` of `plan` can all be satisfied, given the array elements already
 * chosen. A backtracking search; without arrays in the event it is a plain conjunction.
 */
const matchFrom = (
  plan: readonly FieldPlan[],
  i: number,
  root: JsonObject,
  chosen: Chosen | null,
): boolean => {
  if (i === plan.length) return true;
  const f = plan[i] as FieldPlan;
  if (f.positive && inObject(plan, i, f, root, root, 0, chosen)) return true;
  return f.existsFalse && !leafInObject(f, root, 0, chosen) && matchFrom(plan, i + 1, root, chosen);
};

const inObject = (
  plan: readonly FieldPlan[],
  i: number,
  f: FieldPlan,
  root: JsonObject,
  node: JsonObject,
  level: number,
  chosen: Chosen | null,
): boolean => {
  const last = f.length - 1;
  for (let j = level; j <= last; j++) {
    const v = child(f, node, level * f.length + j);
    if (v === undefined) continue;
    if (j === last ? atLeaf(plan, i, f, root, v, chosen) : below(plan, i, f, root, v, j + 1, chosen))
      return true;
  }
  return false;
};

const below = (
  plan: readonly FieldPlan[],
  i: number,
  f: FieldPlan,
  root: JsonObject,
  v: unknown,
  level: number,
  chosen: Chosen | null,
): boolean => {
  if (typeof v !== 'object' || v === null) return false;
  if (!Array.isArray(v)) return inObject(plan, i, f, root, v as JsonObject, level, chosen);
  const known = chosenIndex(chosen, v);
  if (known >= 0) return below(plan, i, f, root, v[known], level, chosen);
  for (let k = 0; k < v.length; k++) {
    if (below(plan, i, f, root, v[k], level, { array: v, index: k, next: chosen })) return true;
  }
  return false;
};

const atLeaf = (
  plan: readonly FieldPlan[],
  i: number,
  f: FieldPlan,
  root: JsonObject,
  v: unknown,
  chosen: Chosen | null,
): boolean => {
  if (Array.isArray(v)) {
    const known = chosenIndex(chosen, v);
    if (known >= 0) return atLeaf(plan, i, f, root, v[known], chosen);
    for (let k = 0; k < v.length; k++) {
      if (atLeaf(plan, i, f, root, v[k], { array: v, index: k, next: chosen })) return true;
    }
    return false;
  }
  // Objects are not leaves: a pattern field never matches an object-valued event field.
  if (!isLeaf(v)) return false;
  return (f.existsTrue || (f.test as LeafTest)(v)) && matchFrom(plan, i + 1, root, chosen);
};

/** Whether the field has any leaf consistent with the chosen elements (for `exists: false`). */
const leafInObject = (f: FieldPlan, node: JsonObject, level: number, chosen: Chosen | null): boolean => {
  const last = f.length - 1;
  for (let j = level; j <= last; j++) {
    const v = child(f, node, level * f.length + j);
    if (v === undefined) continue;
    if (j === last ? hasLeaf(v, chosen) : leafBelow(f, v, j + 1, chosen)) return true;
  }
  return false;
};

// An array reached here that was not chosen by an earlier field cannot have a chosen array
// inside it either (JSON is a tree), so elements need no recording while looking.
const leafBelow = (f: FieldPlan, v: unknown, level: number, chosen: Chosen | null): boolean => {
  if (typeof v !== 'object' || v === null) return false;
  if (!Array.isArray(v)) return leafInObject(f, v as JsonObject, level, chosen);
  const known = chosenIndex(chosen, v);
  if (known >= 0) return leafBelow(f, v[known], level, chosen);
  return v.some((element) => leafBelow(f, element, level, chosen));
};

const hasLeaf = (v: unknown, chosen: Chosen | null): boolean => {
  if (!Array.isArray(v)) return isLeaf(v);
  const known = chosenIndex(chosen, v);
  if (known >= 0) return hasLeaf(v[known], chosen);
  return v.some((element) => hasLeaf(element, chosen));
};

const planOf = (alternative: Alternative): FieldPlan[] =>
  // Java's String.compareTo and JS's < both order by UTF-16 code unit.
  [...alternative.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, spec]) => planField(name, spec));

// ---------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------

/** Throws InvalidEventPatternError for every pattern EventBridge refuses. */
export const validatePattern = (pattern: unknown): void => {
  alternativesOf(pattern);
};

/**
 * Validates once and returns a predicate for events (parsed JSON objects). All the work
 * that does not depend on the event (sets of values, folded case, parsed CIDRs, wildcard
 * runs, field order, key splits) is done here.
 */
export const compilePattern = (pattern: unknown): ((event: unknown) => boolean) => {
  const plans = alternativesOf(pattern).map(planOf);
  const only = plans.length === 1 ? (plans[0] as FieldPlan[]) : undefined;
  if (only !== undefined) {
    return (event) => isObject(event) && matchFrom(only, 0, event, null);
  }
  return (event) => {
    if (!isObject(event)) return false;
    for (const plan of plans) if (matchFrom(plan, 0, event, null)) return true;
    return false;
  };
};

/** `compilePattern(pattern)(event)`; compile once instead when matching many events. */
export const matches = (pattern: unknown, event: unknown): boolean => compilePattern(pattern)(event);
