/**
 * The local HTTP API's JWT authorizer: checks a bearer token exactly as API Gateway's JWT
 * authorizer is configured on AWS (the user pool's issuer and JWKS, the web client's id as
 * audience), and hands the claims on in the form API Gateway passes them to a Lambda
 * (every value a string, arrays as "[a b]"). Locally the pool is the Cognito emulator's
 * (infra/local/cognito.ts).
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';

export type VerifyResult = { ok: true; claims: Record<string, string> } | { ok: false; reason: string };

export interface JwtAuthorizer {
  issuer: string;
  audience: string;
  /** `currentDate` lets a test clock judge expiry; default now. */
  verify(authorizationHeader: string | undefined, options?: { currentDate?: Date }): Promise<VerifyResult>;
}

const flattenValue = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(flattenValue).join(' ')}]`;
  return JSON.stringify(value);
};

/**
 * Claims as the HTTP API JWT authorizer hands them to the Lambda
 * (`requestContext.authorizer.jwt.claims`): strings only, arrays as "[a b]".
 */
export const toApiGatewayClaims = (payload: Record<string, unknown>): Record<string, string> => {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value !== undefined) claims[name] = flattenValue(value);
  }
  return claims;
};

const reasonFor = (err: unknown): string => {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `claim "${err.claim}" rejected: ${err.reason}`;
  if (err instanceof errors.JWKSNoMatchingKey) return 'token not signed by a known key';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return 'malformed token';
  if (err instanceof errors.JOSEError) return `invalid token (${err.code})`;
  return 'invalid token';
};

/**
 * API Gateway takes a token whose `aud` names the client (an ID token) or, with no `aud`,
 * whose `client_id` does (an access token); the services then take ID tokens only.
 */
const forAudience = (payload: Record<string, unknown>, audience: string): boolean => {
  const { aud } = payload;
  if (aud === undefined) return payload.client_id === audience;
  return Array.isArray(aud) ? aud.includes(audience) : aud === audience;
};

export const createJwtAuthorizer = (options: {
  issuer: string;
  audience: string;
  /** The pool's JWKS address, or the keys themselves (tests). */
  keys: string | JWTVerifyGetKey;
}): JwtAuthorizer => {
  const { issuer, audience } = options;
  const keys = typeof options.keys === 'string' ? createRemoteJWKSet(new URL(options.keys)) : options.keys;
  const verify = async (
    authorizationHeader: string | undefined,
    verifyOptions: { currentDate?: Date } = {},
  ): Promise<VerifyResult> => {
    if (authorizationHeader === undefined || authorizationHeader.trim() === '') {
      return { ok: false, reason: 'missing Authorization header' };
    }
    const match = /^Bearer +(\S+)$/i.exec(authorizationHeader.trim());
    if (!match?.[1]) return { ok: false, reason: 'Authorization header is not "Bearer <token>"' };
    try {
      const { payload } = await jwtVerify(match[1], keys, {
        issuer,
        algorithms: ['RS256'],
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 0,
        ...(verifyOptions.currentDate ? { currentDate: verifyOptions.currentDate } : {}),
      });
      if (!forAudience(payload, audience)) return { ok: false, reason: 'token is for another client' };
      return { ok: true, claims: toApiGatewayClaims(payload) };
    } catch (err) {
      return { ok: false, reason: reasonFor(err) };
    }
  };
  return { issuer, audience, verify };
};
