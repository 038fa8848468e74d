/**
 * The value side of a pattern: one field's list of alternatives (`["a", {"prefix": "b"}]`)
 * validated and compiled into a single test on the event's leaf values.
 *
 * Ruler compares the JSON text of a value, strings with their quotes, which is where the
 * type rules below come from: a string operator (`prefix`, `wildcard`, ...) can only ever
 * match a string, `numeric` only a number, and an `anything-but` of strings is satisfied by
 * any number, boolean or null, because none of those can equal a quoted string.
 */
import { fail, type PathStep } from './errors.js';
import { type IpBytes, inRange, ipBytes, parseCidr, sameAddress } from './ip.js';
import { ignoreCaseTest, parseWildcard, type StringTest, wildcardTest } from './strings.js';

/** What a field can hold at a leaf once arrays are flattened away. */
export type Leaf = string | number | boolean | null;
export type LeafTest = (value: Leaf) => boolean;

/** One field's compiled alternatives. */
export interface FieldSpec {
  /** Alternatives answered from the value; null when the list only has `exists`. */
  readonly test: LeafTest | null;
  /** `{"exists": true}`: any leaf at all will do. */
  readonly existsTrue: boolean;
  /** `{"exists": false}`: satisfied when no (array-consistent) leaf exists. */
  readonly existsFalse: boolean;
}

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: Json): v is string => typeof v === 'string';
/** Only a finite JSON number is comparable; `numeric` never matches strings, however numeric they look. */
const isNumber = (v: Leaf): v is number => Number.isFinite(v);

/**
 * A number in a pattern. JSON cannot spell NaN or Infinity, but a JS object can, and
 * `1e400` parses to Infinity: ruler cannot compare those, so neither do we.
 */
const finite = (v: number, path: readonly PathStep[]): number =>
  Number.isFinite(v) ? v : fail(`Cannot compare number: ${v}`, path);

const ofStrings =
  (test: StringTest): LeafTest =>
  (v) =>
    typeof v === 'string' && test(v);

const anyOf = (tests: readonly LeafTest[]): LeafTest | null => {
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0] as LeafTest;
  if (tests.length === 2) {
    const [a, b] = tests as [LeafTest, LeafTest];
    return (v) => a(v) || b(v);
  }
  return (v) => {
    for (const test of tests) if (test(v)) return true;
    return false;
  };
};

const anyString = (tests: readonly StringTest[]): StringTest => {
  if (tests.length === 1) return tests[0] as StringTest;
  return (v) => {
    for (const test of tests) if (test(v)) return true;
    return false;
  };
};

const stringSetTest = (values: readonly string[]): StringTest => {
  if (values.length === 1) {
    const only = values[0];
    return (v) => v === only;
  }
  const set = new Set(values);
  return (v) => set.has(v);
};

// ---------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------

/** `prefix` / `suffix`: a string, or `{"equals-ignore-case": string}` for the folded form. */
const affix = (operator: 'prefix' | 'suffix', operand: Json, path: PathStep[]): LeafTest => {
  if (isObject(operand)) {
    const keys = Object.keys(operand);
    const inner = keys[0];
    const label = operator === 'prefix' ? 'Prefix' : 'Suffix';
    if (inner === undefined) return fail(`${label} expression name not found`, path);
    if (inner !== 'equals-ignore-case')
      return fail(`Unsupported ${operator} pattern: ${inner}`, [...path, inner]);
    const text = operand[inner];
    if (!isString(text)) return fail('equals-ignore-case match pattern must be a string', [...path, inner]);
    if (keys.length > 1) return fail('Only one key allowed in match expression', path);
    return ofStrings(ignoreCaseTest(text, operator === 'prefix' ? 'start' : 'end'));
  }
  // An empty operand is legal: it compiles to the bare opening (or closing) quote, which
  // every string has and no other JSON value does, so it means "is a string".
  if (!isString(operand)) return fail(`${operator} match pattern must be a string`, path);
  return operator === 'prefix'
    ? ofStrings((v) => v.startsWith(operand))
    : ofStrings((v) => v.endsWith(operand));
};

const wildcard = (operand: Json, path: PathStep[]): StringTest => {
  if (!isString(operand)) return fail('wildcard match pattern must be a string', path);
  const runs = parseWildcard(operand);
  return typeof runs === 'string' ? fail(runs, path) : wildcardTest(runs);
};

const cidr = (operand: Json, path: PathStep[]): LeafTest => {
  if (!isString(operand)) return fail('cidr match pattern must be a string', path);
  const range = parseCidr(operand);
  if (typeof range === 'string') return fail(range, path);
  return ofStrings((v) => {
    const address = ipBytes(v);
    return address !== undefined && inRange(range, address);
  });
};

const NUMERIC_NAMES: Record<string, string> = { '=': 'equals', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const token = (v: Json): string => (Array.isArray(v) ? '[' : isObject(v) ? '{' : String(v));

/**
 * `numeric` is a small grammar, not a list of pairs: one comparison, or a lower bound
 * (`>`/`>=`) followed by an upper bound (`<`/`<=`). `=`, `<` and `<=` end the expression,
 * so a range must be written bottom first, and its bottom must be below its top.
 */
const numeric = (operand: Json, path: PathStep[]): LeafTest => {
  if (!Array.isArray(operand)) return fail('Value of numeric must be an array.', path);
  const operatorAt = (i: number, wanted: readonly string[], message: string): string => {
    const op = operand[i];
    if (!isString(op)) return fail(`${message}: ${token(op)}`, [...path, i]);
    if (!wanted.includes(op)) {
      const what = i === 0 ? 'Unrecognized numeric range operator' : 'Bad numeric range operator';
      return fail(`${what}: ${op}`, [...path, i]);
    }
    return op;
  };
  const numberAt = (i: number, op: string): number => {
    const v = operand[i];
    if (typeof v !== 'number') return fail(`Value of ${NUMERIC_NAMES[op]} must be numeric`, [...path, i]);
    return finite(v, [...path, i]);
  };
  if (operand.length === 0) return fail('Invalid member in numeric match: ]', path);
  const first = operatorAt(0, ['=', '<', '<=', '>', '>='], 'Invalid member in numeric match');
  const x = numberAt(1, first);
  if (operand.length > 2 && first !== '>' && first !== '>=') {
    return fail('Too many elements in numeric expression', [...path, 2]);
  }
  if (operand.length === 2) {
    switch (first) {
      case '=':
        return (v) => isNumber(v) && v === x;
      case '<':
        return (v) => isNumber(v) && v < x;
      case '<=':
        return (v) => isNumber(v) && v <= x;
      case '>':
        return (v) => isNumber(v) && v > x;
      default:
        return (v) => isNumber(v) && v >= x;
    }
  }
  const second = operatorAt(2, ['<', '<='], 'Bad value in numeric range');
  const y = numberAt(3, second);
  if (operand.length > 4) return fail('Too many terms in numeric range expression', [...path, 4]);
  if (!(x < y)) return fail('Bottom must be less than top', path);
  const openLow = first === '>';
  const openHigh = second === '<';
  if (openLow && openHigh) return (v) => isNumber(v) && v > x && v < y;
  if (openLow) return (v) => isNumber(v) && v > x && v <= y;
  if (openHigh) return (v) => isNumber(v) && v >= x && v < y;
  return (v) => isNumber(v) && v >= x && v <= y;
};

const ANYTHING_BUT_NESTED = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
const SCALAR_ONLY = 'Value of anything-but must be an array or single string/number value.';

/** The nested form: `{"anything-but": {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": s | [s, ...]}}`. */
const anythingButNested = (operand: Record<string, Json>, path: PathStep[]): LeafTest => {
  const keys = Object.keys(operand);
  const inner = keys[0];
  if (inner === undefined) return fail('Anything-But expression name not found', path);
  const innerPath = [...path, inner];
  if (!(ANYTHING_BUT_NESTED as readonly string[]).includes(inner)) {
    return fail(`Unsupported anything-but pattern: ${inner}`, innerPath);
  }
  const value = operand[inner];
  const list = Array.isArray(value) ? value : [value];
  // Ruler accepts an empty nested list and then fails evaluating it; refusing it is the
  // only answer that does not turn "anything but nothing" into "every event".
  if (list.length === 0) return fail('Empty arrays are not allowed', innerPath);
  const texts = list.map((item, i) => {
    const at = Array.isArray(value) ? [...innerPath, i] : innerPath;
    if (typeof item === 'boolean' || item === null) return fail(SCALAR_ONLY, at);
    if (!isString(item)) {
      if (inner === 'equals-ignore-case') {
        return fail(
          'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
          at,
        );
      }
      return fail(
        inner === 'wildcard'
          ? 'wildcard match pattern must be a string'
          : 'prefix/suffix match pattern must be a string',
        at,
      );
    }
    if ((inner === 'prefix' || inner === 'suffix') && item === '')
      return fail('Null prefix/suffix not allowed', at);
    return { item, at };
  });
  if (keys.length > 1) return fail('Only one key allowed in match expression', path);
  let excluded: StringTest;
  switch (inner) {
    case 'prefix':
      excluded = anyString(
        texts.map(
          ({ item }) =>
            (v: string) =>
              v.startsWith(item),
        ),
      );
      break;
    case 'suffix':
      excluded = anyString(
        texts.map(
          ({ item }) =>
            (v: string) =>
              v.endsWith(item),
        ),
      );
      break;
    case 'equals-ignore-case':
      excluded = anyString(texts.map(({ item }) => ignoreCaseTest(item, 'whole')));
      break;
    default:
      excluded = anyString(texts.map(({ item, at }) => wildcard(item, at)));
  }
  // Only a string can be excluded: numbers, booleans and null always get through.
  return (v) => typeof v !== 'string' || !excluded(v);
};

/** `anything-but` with a string, a number, a list of one type, or one nested operator. */
const anythingBut = (operand: Json, path: PathStep[]): LeafTest => {
  if (isObject(operand)) return anythingButNested(operand, path);
  if (Array.isArray(operand)) {
    operand.forEach((item, i) => {
      if (typeof item !== 'string' && typeof item !== 'number') {
        fail('Inside anything but list, start|null|boolean is not supported.', [...path, i]);
      }
    });
    const strings = operand.filter(isString);
    const numbers = operand.filter((item): item is number => typeof item === 'number');
    const hasStrings = strings.length > 0;
    if (hasStrings === numbers.length > 0) {
      return fail(
        'Inside anything but list, either all values are number or string, mixed type is not supported',
        path,
      );
    }
    numbers.forEach((n) => {
      finite(n, path);
    });
    if (hasStrings) {
      const excluded = stringSetTest(strings);
      return (v) => typeof v !== 'string' || !excluded(v);
    }
    const set = new Set(numbers);
    return (v) => typeof v !== 'number' || !set.has(v);
  }
  if (isString(operand)) return (v) => v !== operand;
  if (typeof operand === 'number') {
    const n = finite(operand, path);
    return (v) => v !== n;
  }
  return fail(SCALAR_ONLY, path);
};

interface Collected {
  strings: string[];
  numbers: number[];
  literals: (boolean | null)[];
  ips: IpBytes[];
  tests: LeafTest[];
  existsTrue: boolean;
  existsFalse: boolean;
}

const OPERATORS = new Set([
  'exactly',
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);

/** One `{operator: operand}` object from a field's list. */
const matchExpression = (expression: Record<string, Json>, path: PathStep[], into: Collected): void => {
  const keys = Object.keys(expression);
  const operator = keys[0];
  if (operator === undefined) fail('Match expression name not found', path);
  // Ruler dispatches on the first key (operators are case-sensitive: `Prefix` is unknown)
  // and reads its operand before noticing a second key, so operand errors win.
  if (!OPERATORS.has(operator)) fail(`Unrecognized match type ${operator}`, [...path, operator]);
  const operand = expression[operator];
  const at = [...path, operator];
  switch (operator) {
    case 'exactly':
      // Ruler's explicit spelling of an exact string: no IP-address reading, unlike a bare string.
      if (!isString(operand)) fail('exact match pattern must be a string', at);
      into.tests.push((v) => v === operand);
      break;
    case 'prefix':
    case 'suffix':
      into.tests.push(affix(operator, operand, at));
      break;
    case 'equals-ignore-case':
      if (!isString(operand)) fail('equals-ignore-case match pattern must be a string', at);
      into.tests.push(ofStrings(ignoreCaseTest(operand, 'whole')));
      break;
    case 'wildcard':
      into.tests.push(ofStrings(wildcard(operand, at)));
      break;
    case 'anything-but':
      into.tests.push(anythingBut(operand, at));
      break;
    case 'numeric':
      into.tests.push(numeric(operand, at));
      break;
    case 'cidr':
      into.tests.push(cidr(operand, at));
      break;
    default:
      if (typeof operand !== 'boolean') fail('exists match pattern must be either true or false.', at);
      if (operand) into.existsTrue = true;
      else into.existsFalse = true;
  }
  if (keys.length > 1) {
    // Ruler reaches a different guard for these two and words it after the numeric case.
    const reason =
      operator === 'numeric' || operator === 'anything-but'
        ? 'Too many elements in numeric expression'
        : 'Only one key allowed in match expression';
    fail(reason, [...path, keys[1] as string]);
  }
};

/**
 * Validates and compiles one field's list of alternatives. Any alternative matching is
 * enough; exact values are gathered into sets so a long list costs one lookup.
 */
export const compileValueList = (values: Json, path: PathStep[]): FieldSpec => {
  if (!Array.isArray(values)) return fail('must be an object or an array', path);
  if (values.length === 0) return fail('Empty arrays are not allowed', path);
  const into: Collected = {
    strings: [],
    numbers: [],
    literals: [],
    ips: [],
    tests: [],
    existsTrue: false,
    existsFalse: false,
  };
  values.forEach((value, i) => {
    const at = [...path, i];
    if (isString(value)) {
      // Ruler turns a string that is an IP literal into an address range, so the pattern
      // "10.0.0.1" also matches "010.0.0.001", and "::1" matches "0:0:0:0:0:0:0:1".
      const address = ipBytes(value);
      if (address === undefined) into.strings.push(value);
      else into.ips.push(address);
    } else if (typeof value === 'number') into.numbers.push(finite(value, at));
    else if (typeof value === 'boolean' || value === null) into.literals.push(value);
    else if (isObject(value)) matchExpression(value, at, into);
    else fail('Match value must be String, number, true, false, or null', at);
  });
  const tests: LeafTest[] = [];
  if (into.strings.length > 0) tests.push(ofStrings(stringSetTest(into.strings)));
  if (into.numbers.length === 1) {
    // Numbers compare by value, never by spelling: 300 matches 3.0e2 and 300.0.
    const only = into.numbers[0];
    tests.push((v) => v === only);
  } else if (into.numbers.length > 1) {
    const set = new Set(into.numbers);
    tests.push((v) => typeof v === 'number' && set.has(v));
  }
  for (const literal of into.literals) tests.push((v) => v === literal);
  if (into.ips.length > 0) {
    const ips = into.ips;
    tests.push(
      ofStrings((v) => {
        const address = ipBytes(v);
        return address !== undefined && ips.some((ip) => sameAddress(ip, address));
      }),
    );
  }
  tests.push(...into.tests);
  return { test: anyOf(tests), existsTrue: into.existsTrue, existsFalse: into.existsFalse };
};
