import { badRequest, DomainError, type RefusalKind, serviceUnavailable } from '../errors.js';

/** The one place a refusal becomes an HTTP status. */
const statuses: Record<RefusalKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  rule: 422,
  throttled: 429,
  internal: 500,
  unavailable: 503,
};

export const statusOfKind = (kind: RefusalKind): number => statuses[kind];

export const statusOf = (error: DomainError): number => statuses[error.kind];

interface MiddyHttpError {
  statusCode: number;
  message: string;
  cause?: { package?: string };
}

const isMiddyHttpError = (error: unknown): error is MiddyHttpError =>
  error instanceof Error && typeof (error as Partial<MiddyHttpError>).statusCode === 'number';

// Errors the AWS SDK raises when it cannot reach the service at all (DynamoDB Local
// stopped, a network partition): the request cannot succeed now, but may in a moment.
const unreachable = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'TimeoutError',
  'EHOSTUNREACH',
]);
const throttled = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

const isUnavailable = (error: unknown): boolean => {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const { code, name } = current as Error & { code?: string };
    if ((code && unreachable.has(code)) || unreachable.has(name)) return true;
    current = current.cause;
  }
  return false;
};

/**
 * Maps anything a handler threw onto the one documented error shape. DomainErrors carry their
 * kind; middy's parser errors and SDK reachability errors are translated; everything
 * else is a bug and becomes an opaque 500 (the message is never shown).
 */
export const toDomainError = (error: unknown): DomainError | undefined => {
  if (error instanceof DomainError) return error;
  if (isMiddyHttpError(error) && error.cause?.package === '@middy/http-json-body-parser') {
    return error.statusCode === 415
      ? new DomainError(
          'unsupported-media-type',
          'unsupported-media-type',
          'Send the body as application/json',
        )
      : badRequest('invalid-json', 'The body is not valid JSON');
  }
  if (error instanceof Error && throttled.has(error.name)) {
    return new DomainError('throttled', 'throttled', 'Too many requests; slow down and retry');
  }
  if (isUnavailable(error)) return serviceUnavailable();
  return undefined;
};
