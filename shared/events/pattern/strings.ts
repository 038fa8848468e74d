/** String operators: wildcard, and the per-character case folding of the ignore-case family. */

export type StringTest = (value: string) => boolean;

/**
 * Splits a wildcard operand into the literal runs between its `*`s, or returns the reason
 * ruler refuses it. `\*` is a literal star and `\\` a literal backslash; any other escape,
 * a trailing backslash and two wildcards in a row are errors (ruler's WildcardParser).
 */
export const parseWildcard = (operand: string): string[] | string => {
  const runs: string[] = [];
  let run = '';
  for (let i = 0; i < operand.length; i++) {
    const c = operand[i];
    if (c === '*') {
      if (operand[i + 1] === '*') return `Consecutive wildcard characters at position ${i}`;
      runs.push(run);
      run = '';
    } else if (c === '\\') {
      const next = operand[i + 1];
      if (next !== '*' && next !== '\\') return `Invalid escape character at position ${i}`;
      run += next;
      i++;
    } else {
      run += c;
    }
  }
  runs.push(run);
  return runs;
};

/**
 * A matcher for parsed wildcard runs. Each interior run is found with one leftmost
 * indexOf after the previous one: for `*`-only globs the leftmost placement never loses a
 * match, so this is linear where a backtracking regex can go exponential.
 */
export const wildcardTest = (runs: readonly string[]): StringTest => {
  const first = runs[0] ?? '';
  if (runs.length === 1) return (value) => value === first;
  const last = runs[runs.length - 1] ?? '';
  const middle = runs.slice(1, -1).filter((run) => run !== '');
  const minLength = first.length + last.length + middle.reduce((n, run) => n + run.length, 0);
  if (middle.length === 0) {
    return (value) => value.length >= minLength && value.startsWith(first) && value.endsWith(last);
  }
  return (value) => {
    if (value.length < minLength || !value.startsWith(first) || !value.endsWith(last)) return false;
    const end = value.length - last.length;
    let from = first.length;
    for (const run of middle) {
      const at = value.indexOf(run, from);
      if (at < 0 || at + run.length > end) return false;
      from = at + run.length;
    }
    return true;
  };
};

/**
 * Ruler's ignore-case comparison is not `a.toLowerCase() === b.toLowerCase()`: each UTF-16
 * unit of the operand accepts its own lower- and upper-case forms, taken on the unit alone
 * (so `ß` accepts `SS`, and the relation is not symmetric). A lone surrogate encodes to
 * `?` in Java, which is all that half of a non-BMP operand character can then match.
 */
const alternativesOf = (unit: string): string[] => {
  const code = unit.charCodeAt(0);
  if (code >= 0xd800 && code <= 0xdfff) return ['?'];
  const lower = unit.toLowerCase();
  const upper = unit.toUpperCase();
  return lower === upper ? [lower] : [lower, upper];
};

export type Anchor = 'whole' | 'start' | 'end';

/** Offsets of `value` the operand's alternatives can reach, walking forwards or backwards. */
const reach = (value: string, alternatives: readonly string[][], backwards: boolean): number[] => {
  let offsets = [backwards ? value.length : 0];
  const steps = backwards ? [...alternatives].reverse() : alternatives;
  for (const step of steps) {
    const next = new Set<number>();
    for (const offset of offsets) {
      for (const alt of step) {
        const start = backwards ? offset - alt.length : offset;
        if (start >= 0 && value.startsWith(alt, start)) next.add(backwards ? start : offset + alt.length);
      }
    }
    if (next.size === 0) return [];
    offsets = [...next];
  }
  return offsets;
};

/**
 * Compiles an ignore-case operand once. When every alternative is a single UTF-16 unit (all
 * but a handful of characters), matching is a length check and one comparison per unit
 * against precomputed lower/upper strings; otherwise it walks the reachable offsets.
 */
export const ignoreCaseTest = (operand: string, anchor: Anchor): StringTest => {
  const alternatives = Array.from({ length: operand.length }, (_, i) => alternativesOf(operand[i] as string));
  const n = alternatives.length;
  if (alternatives.every((alts) => alts.every((alt) => alt.length === 1))) {
    const lower = alternatives.map((alts) => (alts[0] as string).charCodeAt(0));
    const upper = alternatives.map((alts) => (alts[alts.length - 1] as string).charCodeAt(0));
    const unitsMatch = (value: string, offset: number): boolean => {
      for (let i = 0; i < n; i++) {
        const c = value.charCodeAt(offset + i);
        if (c !== lower[i] && c !== upper[i]) return false;
      }
      return true;
    };
    if (anchor === 'whole') return (value) => value.length === n && unitsMatch(value, 0);
    if (anchor === 'start') return (value) => value.length >= n && unitsMatch(value, 0);
    return (value) => value.length >= n && unitsMatch(value, value.length - n);
  }
  if (anchor === 'whole') return (value) => reach(value, alternatives, false).includes(value.length);
  return (value) => reach(value, alternatives, anchor === 'end').length > 0;
};
