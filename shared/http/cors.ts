/**
 * What a browser app on another origin may send and read, declared once: the HTTP API's CORS
 * configuration on AWS and the local stack's answers both come from here.
 */
export const cors = {
  /** Every method a route may have; OPTIONS is the preflight itself. */
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  /** Request headers beyond the CORS-safelisted ones: the token, JSON, and retry-safe creates. */
  allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
  /**
   * Response headers a script may read: where a created thing lives, the id to quote in a
   * support request, and an export's file name.
   */
  exposeHeaders: ['location', 'x-request-id', 'content-disposition'],
  maxAgeSeconds: 3600,
} as const;
