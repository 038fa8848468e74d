/**
 * Errors are values with a stable `code` a front end can switch on, an HTTP `status`, and
 * optional `details`. Domain rules return or throw these; the HTTP stack maps them once
 * (see http/respond.ts). Anything that is not a DomainError is a bug and becomes a 500.
 */
export class DomainError extends Error {
  override readonly name: string = 'DomainError';

  constructor(
    readonly status: number,
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
  new DomainError(400, 'validation-failed', message, { fields: issues });

export const badRequest = (code: string, message: string, details?: unknown): DomainError =>
  new DomainError(400, code, message, details);

export const unauthenticated = (message = 'A valid bearer token is required'): DomainError =>
  new DomainError(401, 'unauthenticated', message);

export const forbidden = (message = 'You are not allowed to do this'): DomainError =>
  new DomainError(403, 'forbidden', message);

/**
 * The signed-in account names no person of the register (none linked, or the person is gone):
 * it may do nothing "as itself", and nothing is written for the id it carries.
 */
export const noPerson = (message = 'Your account is not linked to a person of the register'): DomainError =>
  new DomainError(403, 'no-person', message);

/**
 * Separation of duties: nobody acts as manager on their own record, role or membership,
 * whatever their role allows them on everyone else's.
 */
export const ownRecord = (message = 'Nobody manages their own record'): DomainError =>
  new DomainError(403, 'own-record', message);

/** Also used for things that exist but the caller may not see: 404 leaks nothing. */
export const notFound = (what: string): DomainError => new DomainError(404, 'not-found', `${what} not found`);

export const conflict = (code: string, message: string, details?: unknown): DomainError =>
  new DomainError(409, code, message, details);

/** A business rule refused the command; `code` names the rule. */
export const ruleViolation = (code: string, message: string, details?: unknown): DomainError =>
  new DomainError(422, code, message, details);

export const payloadTooLarge = (limitBytes: number): DomainError =>
  new DomainError(413, 'payload-too-large', `The body is larger than ${limitBytes} bytes`);

export const serviceUnavailable = (message = 'A dependency is unavailable; try again shortly'): DomainError =>
  new DomainError(503, 'service-unavailable', message);

export const isDomainError = (value: unknown): value is DomainError => value instanceof DomainError;

/** For pure domain functions that report a refusal as a value instead of throwing. */
export type Result<T, E = DomainError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** Unwraps a Result at the edge (a handler), throwing the refusal for the HTTP stack to map. */
export const unwrap = <T>(result: Result<T, DomainError>): T => {
  if (!result.ok) throw result.error;
  return result.value;
};
