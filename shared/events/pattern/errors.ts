/** A step in the path to the offending part of a pattern: an object key or an array index. */
export type PathStep = string | number;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Renders `['detail', 'price', 0, 'numeric']` as `detail.price[0].numeric`. */
export const formatPath = (path: readonly PathStep[]): string => {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (PLAIN_KEY.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
};

/**
 * Thrown for every pattern EventBridge refuses at PutRule (its InvalidEventPatternException).
 * `reason` keeps event-ruler's wording where it has one, so a message seen locally can be
 * searched for; `path` says where in the pattern the problem is.
 */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  readonly reason: string;
  readonly path: string;

  constructor(reason: string, path: readonly PathStep[] = []) {
    const where = formatPath(path);
    super(
      where ? `Event pattern is not valid at ${where}: ${reason}` : `Event pattern is not valid: ${reason}`,
    );
    this.reason = reason;
    this.path = where;
  }
}

// A declaration, not an arrow: TypeScript only narrows after a call to a `never` function
// that is declared with an explicit type.
export function fail(reason: string, path: readonly PathStep[]): never {
  throw new InvalidEventPatternError(reason, path);
}
