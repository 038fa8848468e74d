/**
 * Errors are values with a stable `code` a front end can switch on, a `kind` saying what sort
 * of refusal it is, and optional `details`. The domain knows nothing of HTTP: the kind is
 * mapped to a status in one place, `shared/http/errors.ts`. Anything that is not a
 * DomainError is a bug and becomes a 500.
 */
import type { DetailsOf, KindOf, RefusalCode, RefusalKind } from './refusals.js';

export type { RefusalCode, RefusalKind } from './refusals.js';

export class DomainError<C extends RefusalCode = RefusalCode> extends Error {
  override readonly name: string = 'DomainError';
  readonly kind: RefusalKind;
  readonly code: RefusalCode;
  readonly details?: unknown;

  /** Only a listed code, of its listed kind, with details of its listed shape (shared/refusals.ts). */
  constructor(
    kind: KindOf<C>,
    code: C,
    message: string,
    details?: DetailsOf<C>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.kind = kind;
    this.code = code;
    if (details !== undefined) this.details = details;
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

export const badRequest = <C extends RefusalCode<'invalid'>>(
  code: C,
  message: string,
  details?: DetailsOf<C>,
): DomainError => new DomainError('invalid', code, message, details);

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

export const conflict = <C extends RefusalCode<'conflict'>>(
  code: C,
  message: string,
  details?: DetailsOf<C>,
): DomainError => new DomainError('conflict', code, message, details);

/** A business rule refused the command; `code` names the rule. */
export const ruleViolation = <C extends RefusalCode<'rule'>>(
  code: C,
  message: string,
  details?: DetailsOf<C>,
): DomainError => new DomainError('rule', code, message, details);

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
