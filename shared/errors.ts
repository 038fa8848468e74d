/**
 * Errors are values with a stable `code` a front end can switch on, a `kind` saying what sort
 * of refusal it is, and optional `details`. The domain knows nothing of HTTP: the kind is
 * mapped to a status in one place, `shared/http/errors.ts`. Anything that is not a
 * DomainError is a bug and becomes a 500.
 */
export type RefusalKind =
  /** The request itself is malformed (400). */
  | 'invalid'
  /** No valid token (401). */
  | 'unauthenticated'
  /** The caller's role or person may not do this at all (403). */
  | 'forbidden'
  /** Absent, or outside the caller's scope: the two look the same (404). */
  | 'not-found'
  /** The state changed or already exists: read again, or it is done (409). */
  | 'conflict'
  /** The body is larger than the route accepts (413). */
  | 'too-large'
  /** The body is not JSON (415). */
  | 'unsupported-media-type'
  /** A business rule refused the command; the code names the rule (422). */
  | 'rule'
  /** Too many requests (429). */
  | 'throttled'
  /** A bug; the message never says more than the request id (500). */
  | 'internal'
  /** A dependency is unavailable; the same request may succeed shortly (503). */
  | 'unavailable';

export class DomainError extends Error {
  override readonly name: string = 'DomainError';

  constructor(
    readonly kind: RefusalKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: string; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** One bad field, named by its path (`body.birthDate`, `query.limit`). */
export interface FieldIssue {
  field: string;
  message: string;
}

export const validationFailed = (issues: FieldIssue[], message = 'The request is not valid'): DomainError =>
  new DomainError('invalid', 'validation-failed', message, { fields: issues });

export const badRequest = (code: string, message: string, details?: unknown): DomainError =>
  new DomainError('invalid', code, message, details);

export const unauthenticated = (message = 'A valid bearer token is required'): DomainError =>
  new DomainError('unauthenticated', 'unauthenticated', message);

export const forbidden = (message = 'You are not allowed to do this'): DomainError =>
  new DomainError('forbidden', 'forbidden', message);

/**
 * The signed-in account names no person of the register (none linked, or the person is gone):
 * it may do nothing "as itself", and nothing is written for the id it carries.
 */
export const noPerson = (message = 'Your account is not linked to a person of the register'): DomainError =>
  new DomainError('forbidden', 'no-person', message);

/**
 * Separation of duties: nobody acts as manager on their own record, role or membership,
 * whatever their role allows them on everyone else's.
 */
export const ownRecord = (message = 'Nobody manages their own record'): DomainError =>
  new DomainError('forbidden', 'own-record', message);

/** Also used for things that exist but the caller may not see: 404 leaks nothing. */
export const notFound = (what: string): DomainError =>
  new DomainError('not-found', 'not-found', `${what} not found`);

export const conflict = (code: string, message: string, details?: unknown): DomainError =>
  new DomainError('conflict', code, message, details);

/** A business rule refused the command; `code` names the rule. */
export const ruleViolation = (code: string, message: string, details?: unknown): DomainError =>
  new DomainError('rule', code, message, details);

export const payloadTooLarge = (limitBytes: number): DomainError =>
  new DomainError('too-large', 'payload-too-large', `The body is larger than ${limitBytes} bytes`);

export const serviceUnavailable = (message = 'A dependency is unavailable; try again shortly'): DomainError =>
  new DomainError('unavailable', 'service-unavailable', message);

export const isDomainError = (value: unknown): value is DomainError => value instanceof DomainError;

/**
 * How pure domain functions report a refusal: as a value, never by throwing, so a rule can be
 * tested and composed without catching. A handler turns a refusal into its answer with
 * `unwrap`.
 */
export type Result<T, E = DomainError> = { ok: true; value: T } | { ok: false; error: E };
export const accept = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const refuse = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** The accepted value, or the refusal thrown for the HTTP stack (or consumer) to answer. */
export const unwrap = <T>(result: Result<T>): T => {
  if (!result.ok) throw result.error;
  return result.value;
};
