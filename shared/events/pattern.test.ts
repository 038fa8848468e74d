import { describe, expect, it } from 'vitest';
import { MATCH_CASES } from './pattern.cases.js';
import {
  compilePattern,
  InvalidEventPatternError,
  MAX_OR_COMBINATIONS,
  matches,
  validatePattern,
} from './pattern.js';

describe('matching (case table)', () => {
  it('has the documented examples and the corners, at least 150 cases', () => {
    expect(MATCH_CASES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(MATCH_CASES.map((c) => c.name)).size).toBe(MATCH_CASES.length);
  });

  it.each(MATCH_CASES)('$name', ({ pattern, event, expected }) => {
    expect(matches(pattern, event)).toBe(expected);
  });
});

interface InvalidCase {
  name: string;
  pattern: unknown;
  reason: RegExp;
  /** Where the error points, as formatted in the message. */
  path?: string;
}

const rangeOr = (n: number) => Array.from({ length: n }, (_, i) => ({ [`f${i}`]: [i] }));

const INVALID: InvalidCase[] = [
  // Shape of the pattern
  { name: 'a pattern that is not JSON', pattern: '{"source": [', reason: /not valid JSON/ },
  { name: 'a pattern that is an array', pattern: [{ source: ['x'] }], reason: /not an object/ },
  { name: 'a pattern that is a string of a number', pattern: '5', reason: /not an object/ },
  { name: 'a pattern that is null', pattern: null, reason: /not an object/ },
  { name: 'an empty pattern', pattern: {}, reason: /Empty objects are not allowed/ },
  {
    name: 'an empty nested object',
    pattern: { detail: {} },
    reason: /Empty objects are not allowed/,
    path: 'detail',
  },
  {
    name: 'a leaf that is a string, not an array',
    pattern: { source: 'aws.ec2' },
    reason: /must be an object or an array/,
    path: 'source',
  },
  {
    name: 'a leaf that is a number',
    pattern: { detail: { price: 5 } },
    reason: /must be an object or an array/,
    path: 'detail.price',
  },
  {
    name: 'a leaf that is null',
    pattern: { source: null },
    reason: /must be an object or an array/,
    path: 'source',
  },
  {
    name: 'an empty value array',
    pattern: { source: [] },
    reason: /Empty arrays are not allowed/,
    path: 'source',
  },
  {
    name: 'an array inside a value array',
    pattern: { source: [['a']] },
    reason: /Match value must be String, number/,
    path: 'source[0]',
  },
  {
    name: 'a non-finite number',
    pattern: { v: [Number.POSITIVE_INFINITY] },
    reason: /Cannot compare number/,
    path: 'v[0]',
  },
  // Operators
  {
    name: 'an unknown operator',
    pattern: { v: [{ contains: 'x' }] },
    reason: /Unrecognized match type contains/,
    path: 'v[0].contains',
  },
  {
    name: 'a mis-cased operator (Prefix)',
    pattern: { v: [{ Prefix: 'x' }] },
    reason: /Unrecognized match type Prefix/,
  },
  {
    name: 'an empty match expression',
    pattern: { v: [{}] },
    reason: /Match expression name not found/,
    path: 'v[0]',
  },
  {
    name: 'two operators in one object',
    pattern: { v: [{ prefix: 'a', suffix: 'b' }] },
    reason: /Only one key allowed/,
  },
  {
    name: 'numeric with a second operator key',
    pattern: { v: [{ numeric: ['>', 1], exists: true }] },
    reason: /Too many elements/,
  },
  {
    name: 'prefix with a number',
    pattern: { v: [{ prefix: 5 }] },
    reason: /prefix match pattern must be a string/,
    path: 'v[0].prefix',
  },
  {
    name: 'suffix with a list',
    pattern: { v: [{ suffix: ['a'] }] },
    reason: /suffix match pattern must be a string/,
  },
  {
    name: 'prefix with an unsupported nested operator',
    pattern: { v: [{ prefix: { wildcard: 'a*' } }] },
    reason: /Unsupported prefix pattern: wildcard/,
  },
  {
    name: 'prefix ignore-case with a number',
    pattern: { v: [{ prefix: { 'equals-ignore-case': 1 } }] },
    reason: /equals-ignore-case match pattern must be a string/,
  },
  {
    name: 'prefix with an empty object',
    pattern: { v: [{ prefix: {} }] },
    reason: /Prefix expression name not found/,
  },
  {
    name: 'equals-ignore-case with a number',
    pattern: { v: [{ 'equals-ignore-case': 5 }] },
    reason: /equals-ignore-case match pattern must be a string/,
  },
  {
    name: 'exactly with a number',
    pattern: { v: [{ exactly: 5 }] },
    reason: /exact match pattern must be a string/,
  },
  {
    name: 'exists with a string',
    pattern: { v: [{ exists: 'true' }] },
    reason: /exists match pattern must be either true or false/,
  },
  {
    name: 'exists with null',
    pattern: { v: [{ exists: null }] },
    reason: /exists match pattern must be either true or false/,
  },
  // Anything-but
  {
    name: 'anything-but mixing strings and numbers',
    pattern: { v: [{ 'anything-but': ['a', 1] }] },
    reason: /mixed type is not supported/,
  },
  {
    name: 'anything-but with an empty list',
    pattern: { v: [{ 'anything-but': [] }] },
    reason: /either all values are number or string/,
  },
  {
    name: 'anything-but with null in the list',
    pattern: { v: [{ 'anything-but': ['a', null] }] },
    reason: /start\|null\|boolean is not supported/,
    path: 'v[0].anything-but[1]',
  },
  {
    name: 'anything-but with a boolean',
    pattern: { v: [{ 'anything-but': true }] },
    reason: /must be an array or single string\/number/,
  },
  {
    name: 'anything-but with an unsupported operator',
    pattern: { v: [{ 'anything-but': { numeric: ['>', 1] } }] },
    reason: /Unsupported anything-but pattern: numeric/,
  },
  {
    name: 'anything-but with exists',
    pattern: { v: [{ 'anything-but': { exists: true } }] },
    reason: /Unsupported anything-but pattern: exists/,
  },
  {
    name: 'anything-but with two nested operators',
    pattern: { v: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
    reason: /Only one key allowed/,
  },
  {
    name: 'anything-but with an empty nested object',
    pattern: { v: [{ 'anything-but': {} }] },
    reason: /Anything-But expression name not found/,
  },
  {
    name: 'anything-but prefix of the empty string',
    pattern: { v: [{ 'anything-but': { prefix: '' } }] },
    reason: /Null prefix\/suffix not allowed/,
  },
  {
    name: 'anything-but suffix with a number',
    pattern: { v: [{ 'anything-but': { suffix: 5 } }] },
    reason: /prefix\/suffix match pattern must be a string/,
  },
  {
    name: 'anything-but prefix with an empty list',
    pattern: { v: [{ 'anything-but': { prefix: [] } }] },
    reason: /Empty arrays are not allowed/,
  },
  {
    name: 'anything-but ignore-case with a number',
    pattern: { v: [{ 'anything-but': { 'equals-ignore-case': [1] } }] },
    reason: /number\|start\|null\|boolean is not supported/,
  },
  {
    name: 'anything-but wildcard with ** inside a list',
    pattern: { v: [{ 'anything-but': { wildcard: ['a*', 'b**'] } }] },
    reason: /Consecutive wildcard/,
    path: 'v[0].anything-but.wildcard[1]',
  },
  // Numeric
  {
    name: 'numeric that is not an array',
    pattern: { v: [{ numeric: 5 }] },
    reason: /Value of numeric must be an array/,
  },
  {
    name: 'numeric with an empty list',
    pattern: { v: [{ numeric: [] }] },
    reason: /Invalid member in numeric match: \]/,
  },
  {
    name: 'numeric starting with a number',
    pattern: { v: [{ numeric: [5, '>'] }] },
    reason: /Invalid member in numeric match: 5/,
  },
  {
    name: 'numeric with an unknown comparator',
    pattern: { v: [{ numeric: ['!=', 5] }] },
    reason: /Unrecognized numeric range operator: !=/,
  },
  {
    name: 'numeric with a missing value',
    pattern: { v: [{ numeric: ['>'] }] },
    reason: /Value of > must be numeric/,
  },
  {
    name: 'numeric with a string operand',
    pattern: { v: [{ numeric: ['=', '5'] }] },
    reason: /Value of equals must be numeric/,
    path: 'v[0].numeric[1]',
  },
  {
    name: 'numeric range with lower above upper',
    pattern: { v: [{ numeric: ['>', 10, '<', 5] }] },
    reason: /Bottom must be less than top/,
  },
  {
    name: 'numeric range with equal bounds',
    pattern: { v: [{ numeric: ['>=', 5, '<=', 5] }] },
    reason: /Bottom must be less than top/,
  },
  {
    name: 'numeric range written upper bound first',
    pattern: { v: [{ numeric: ['<', 10, '>', 0] }] },
    reason: /Too many elements in numeric expression/,
  },
  {
    name: 'numeric = followed by more terms',
    pattern: { v: [{ numeric: ['=', 1, '<', 5] }] },
    reason: /Too many elements in numeric expression/,
  },
  {
    name: 'numeric range with two lower bounds',
    pattern: { v: [{ numeric: ['>', 0, '>', 5] }] },
    reason: /Bad numeric range operator: >/,
  },
  {
    name: 'numeric range with an odd-length list',
    pattern: { v: [{ numeric: ['>', 0, '<'] }] },
    reason: /Value of < must be numeric/,
  },
  {
    name: 'numeric range with a non-operator third term',
    pattern: { v: [{ numeric: ['>', 0, 5, 6] }] },
    reason: /Bad value in numeric range: 5/,
  },
  {
    name: 'numeric with too many comparators',
    pattern: { v: [{ numeric: ['>', 0, '<', 5, '<', 6] }] },
    reason: /Too many terms in numeric range expression/,
  },
  {
    name: 'numeric with a non-finite operand',
    pattern: { v: [{ numeric: ['<', Number.NaN] }] },
    reason: /Cannot compare number/,
  },
  // Wildcard
  {
    name: 'wildcard with consecutive stars',
    pattern: { v: [{ wildcard: 'a**b' }] },
    reason: /Consecutive wildcard characters at position 1/,
  },
  {
    name: 'wildcard escaping an ordinary character',
    pattern: { v: [{ wildcard: 'a\\b*' }] },
    reason: /Invalid escape character at position 1/,
  },
  {
    name: 'wildcard ending in a lone backslash',
    pattern: { v: [{ wildcard: 'abc\\' }] },
    reason: /Invalid escape character at position 3/,
  },
  {
    name: 'wildcard with a number',
    pattern: { v: [{ wildcard: 5 }] },
    reason: /wildcard match pattern must be a string/,
  },
  // CIDR
  { name: 'cidr without a mask', pattern: { v: [{ cidr: '10.0.0.0' }] }, reason: /one '\/' required/ },
  { name: 'cidr with two slashes', pattern: { v: [{ cidr: '10.0.0.0/8/8' }] }, reason: /one '\/' required/ },
  {
    name: 'cidr with a non-integer mask',
    pattern: { v: [{ cidr: '10.0.0.0/x' }] },
    reason: /mask bits must be an integer/,
  },
  {
    name: 'cidr with a negative mask',
    pattern: { v: [{ cidr: '10.0.0.0/-1' }] },
    reason: /mask bits must not be negative/,
  },
  {
    name: 'cidr with an IPv4 mask of 32',
    pattern: { v: [{ cidr: '10.0.0.1/32' }] },
    reason: /IPv4 mask bits must be < 32/,
  },
  {
    name: 'cidr with an IPv6 mask of 128',
    pattern: { v: [{ cidr: '::1/128' }] },
    reason: /IPv6 mask bits must be < 128/,
  },
  {
    name: 'cidr with a host name',
    pattern: { v: [{ cidr: 'example.com/24' }] },
    reason: /Nonstandard IP address: example.com/,
  },
  {
    name: 'cidr with an octet above 255',
    pattern: { v: [{ cidr: '10.0.0.256/24' }] },
    reason: /Invalid IP address: 10.0.0.256/,
  },
  {
    name: 'cidr with a malformed IPv6 address',
    pattern: { v: [{ cidr: '1::2::3/64' }] },
    reason: /Invalid IP address/,
  },
  {
    name: 'cidr with a number',
    pattern: { v: [{ cidr: 10 }] },
    reason: /cidr match pattern must be a string/,
  },
  // $or
  {
    name: '$or with a single branch',
    pattern: { $or: [{ source: ['a'] }] },
    reason: /at least 2 objects/,
    path: '$or',
  },
  { name: '$or with no branches', pattern: { source: ['a'], $or: [] }, reason: /at least 2 objects/ },
  {
    name: '$or with a non-object branch',
    pattern: { $or: [{ source: ['a'] }, 'b'] },
    reason: /Only JSON objects are allowed/,
    path: '$or[1]',
  },
  { name: '$or that is a string', pattern: { $or: 'x' }, reason: /must be an array of objects/ },
  {
    name: '$or with an empty branch',
    pattern: { $or: [{ source: ['a'] }, {}] },
    reason: /Empty objects are not allowed/,
    path: '$or[1]',
  },
  {
    name: '$or with an invalid branch',
    pattern: { $or: [{ source: ['a'] }, { source: 'b' }] },
    reason: /must be an object or an array/,
    path: '$or[1].source',
  },
  {
    name: 'a reserved word as a field name inside $or',
    pattern: { $or: [{ numeric: [1] }, { source: ['b'] }] },
    reason: /reserved word/,
  },
  {
    name: 'too many $or combinations',
    pattern: { $or: rangeOr(11), detail: { $or: rangeOr(10), data: { $or: rangeOr(10) } } },
    reason: /more than 1000 rule combinations/,
  },
];

describe('validation', () => {
  it.each(INVALID)('refuses $name', ({ pattern, reason, path }) => {
    let caught: unknown;
    try {
      validatePattern(pattern);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    const error = caught as InvalidEventPatternError;
    expect(error.reason).toMatch(reason);
    if (path !== undefined) {
      expect(error.path).toBe(path);
      expect(error.message).toContain(path);
    }
    // compilePattern and matches validate the same way.
    expect(() => compilePattern(pattern)).toThrow(InvalidEventPatternError);
    expect(() => matches(pattern, {})).toThrow(InvalidEventPatternError);
  });

  it('accepts exactly 1000 combinations', () => {
    const pattern = { $or: rangeOr(10), detail: { $or: rangeOr(10), data: { $or: rangeOr(10) } } };
    expect(MAX_OR_COMBINATIONS).toBe(1000);
    expect(() => validatePattern(pattern)).not.toThrow();
    expect(matches(pattern, { f3: 3, detail: { f7: 7, data: { f0: 0 } } })).toBe(true);
    expect(matches(pattern, { f3: 3, detail: { f7: 7, data: { f0: 1 } } })).toBe(false);
  });

  it('counts nested $or arrays as a product, as EventBridge does', () => {
    // Each branch expands to 3 x 3 x 3 = 27 alternatives, 54 in all, but the product EventBridge
    // counts is 2 x 27 x 27 = 1458.
    const inner = { $or: rangeOr(3), x: { $or: rangeOr(3), y: { $or: rangeOr(3) } } };
    expect(() => validatePattern({ $or: [inner, inner] })).toThrow(/more than 1000 rule combinations/);
  });

  it.each([
    ['the README sample', { detail: { state: ['initializing', 'running'] } }],
    ['an empty prefix', { v: [{ prefix: '' }] }],
    ['an empty suffix', { v: [{ suffix: '' }] }],
    ['an empty wildcard', { v: [{ wildcard: '' }] }],
    ['escaped stars and backslashes', { v: [{ wildcard: '\\*\\\\*' }] }],
    ['a CIDR with host bits set', { v: [{ cidr: '10.0.0.5/24' }] }],
    ['a CIDR with a signed mask', { v: [{ cidr: '10.0.0.0/+8' }] }],
    ['numbers beyond 5e9', { v: [{ numeric: ['>', -6e9, '<', 6e9] }] }],
    ['reserved words outside $or', { prefix: ['x'], numeric: { exists: [{ exists: true }] } }],
    ['$or as an ordinary field, legacy form', { $or: { a: ['x'] } }],
    ['a list of every kind of value', { v: ['a', 1, true, false, null, { exists: true }, { prefix: 'b' }] }],
    ['a pattern given as a JSON string', '{"source": ["aws.ec2"]}'],
  ])('accepts %s', (_name, pattern) => {
    expect(() => validatePattern(pattern)).not.toThrow();
  });

  it('says what is wrong and where', () => {
    expect(() => validatePattern({ detail: { price: [{ numeric: ['>', 'ten'] }] } })).toThrow(
      'Event pattern is not valid at detail.price[0].numeric[1]: Value of > must be numeric',
    );
  });
});

describe('compilePattern', () => {
  it('returns a reusable predicate', () => {
    const isDues = compilePattern({
      source: ['dangjian.dues'],
      detail: { amount: [{ numeric: ['>', 100] }] },
    });
    expect(isDues({ source: 'dangjian.dues', detail: { amount: 150 } })).toBe(true);
    expect(isDues({ source: 'dangjian.dues', detail: { amount: 50 } })).toBe(false);
    expect(isDues({ source: 'dangjian.study', detail: { amount: 150 } })).toBe(false);
  });

  it('does not depend on the pattern object after compiling', () => {
    const pattern = { source: ['a'] };
    const predicate = compilePattern(pattern);
    pattern.source[0] = 'b';
    expect(predicate({ source: 'a' })).toBe(true);
  });
});
