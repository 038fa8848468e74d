/**
 * Retries that never duplicate. A client that may repeat a create (an activity, a resource,
 * a registration, …) sends an `Idempotency-Key` header: a key of its choosing, unique per
 * intended create. The key is claimed, in the create's own transaction, within the caller's
 * scope (the account, the partner, the organisation applying); a repeat with the same key
 * and the same request is answered with what the first created, a repeat with another
 * request is refused. Pure: the store keeps the claims (store/idempotency.ts).
 */
import { createHash } from 'node:crypto';
import { accept, badRequest, type Result, refuse, ruleViolation } from './errors.js';

/** The request header, as the HTTP stack hands headers on (lower case). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** How long a key is kept (DynamoDB TTL erases it some time after): a retry within a day is safe. */
export const IDEMPOTENCY_KEY_SECONDS = 24 * 60 * 60;

/** What the OpenAPI document says about the header on every route that takes it. */
export const IDEMPOTENCY_DOC =
  "A key of the client's choosing, new per intended create (8–128 characters of A–Z a–z 0–9 _ -), kept 24 hours: a repeat with the same key and body answers with what the first created, the same key with another body is 422 idempotency-key-reused. Without it, a retried request may create twice.";

/** The key's shape, for the OpenAPI document as for the check. */
export const IDEMPOTENCY_KEY_PATTERN = '^[A-Za-z0-9_-]{8,128}$';

const keyShape = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/** The client's key, if it sent one; a malformed key is a 400, never silently ignored. */
export const idempotencyKeyOf = (headers: Record<string, string | undefined>): Result<string | undefined> => {
  const key = headers[IDEMPOTENCY_HEADER];
  if (key === undefined) return accept(undefined);
  return keyShape.test(key)
    ? accept(key)
    : refuse(
        badRequest(
          'invalid-idempotency-key',
          'The Idempotency-Key header must be 8–128 characters of A–Z, a–z, 0–9, _ and -',
        ),
      );
};

/** JSON with object keys sorted, so the same request always reads the same. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
};

/**
 * What must be the same for a repeat to be "the same request": the route's target and its
 * validated body. Only this hash is kept, never the body (it may hold phones).
 */
export const fingerprintOf = (request: unknown): string =>
  createHash('sha256').update(canonical(request)).digest('base64url');

/** A key's earlier use, as kept. */
export interface KeyUse {
  fingerprint: string;
  /** The id of what the first request created. */
  entityId: string;
}

/** The entity a repeat is answered with, or 422 when the key was used for another request. */
export const replayOf = (prior: KeyUse, fingerprint: string): Result<string> =>
  prior.fingerprint === fingerprint
    ? accept(prior.entityId)
    : refuse(
        ruleViolation(
          'idempotency-key-reused',
          'This Idempotency-Key was used for a different request; send a new key for a new request',
        ),
      );
