/**
 * The local stand-in for the Cognito user pool and the HTTP API's JWT authorizer: issues
 * Cognito-shaped tokens for any role, verifies them, and hands out the claims in the form
 * API Gateway passes to a Lambda (every value a string, arrays as "[a b]").
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { ulid } from 'ulid';
import { isRole, type Role, roles } from '../../shared/auth.js';

export const LOCAL_ISSUER = 'https://auth.local.dangjian';
export const LOCAL_AUDIENCE = 'dangjian-local';
const ALGORITHM = 'RS256';

export interface IssueTokenInput {
  /** One or more; a secretary is usually also a member. */
  roles: Role[];
  /** Default: a new ULID. */
  sub?: string;
  branchId?: string;
  orgId?: string;
  /** Default 12 h. */
  expiresInSeconds?: number;
  /** Default now. A date in the past makes expired tokens without waiting. */
  issuedAt?: Date;
}

export type VerifyResult = { ok: true; claims: Record<string, string> } | { ok: false; reason: string };

export interface LocalIssuer {
  issuer: string;
  audience: string;
  /** Public keys, for `/.well-known/jwks.json`. */
  jwks: JSONWebKeySet;
  issueToken(input: IssueTokenInput): Promise<string>;
  /** `currentDate` lets a test clock judge expiry; default now. */
  verify(authorizationHeader: string | undefined, options?: { currentDate?: Date }): Promise<VerifyResult>;
}

const DEFAULT_LIFETIME_SECONDS = 12 * 60 * 60;

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

// Only the public members, so the JWKS never leaks the private key whatever the key type.
const publicJwk = (jwk: JWK): JWK => {
  const { kty, n, e, crv, x, y, kid, alg } = jwk;
  const pub: JWK = { kty, kid, alg, use: 'sig' };
  if (n !== undefined) pub.n = n;
  if (e !== undefined) pub.e = e;
  if (crv !== undefined) pub.crv = crv;
  if (x !== undefined) pub.x = x;
  if (y !== undefined) pub.y = y;
  return pub;
};

const newPrivateJwk = async (): Promise<JWK> => {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: ALGORITHM, kid: await calculateJwkThumbprint(jwk) };
};

/**
 * The signing key of `<dataDir>/auth/`, made on first use. The local runtime and the
 * token CLI may both get here first on a fresh data dir, so the key is published with
 * link(), which fails if another process already published one; the loser reads that one.
 */
const loadOrCreateKey = async (dataDir: string): Promise<JWK> => {
  const dir = join(dataDir, 'auth');
  const keyPath = join(dir, 'private-key.jwk.json');
  try {
    return JSON.parse(await readFile(keyPath, 'utf8')) as JWK;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dir, { recursive: true });
  const jwk = await newPrivateJwk();
  const tmp = `${keyPath}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(jwk, null, 2), { mode: 0o600 });
  try {
    await link(tmp, keyPath);
    return jwk;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return JSON.parse(await readFile(keyPath, 'utf8')) as JWK;
  } finally {
    await rm(tmp, { force: true });
  }
};

const writeJwks = async (dataDir: string, jwks: JSONWebKeySet): Promise<void> => {
  const path = join(dataDir, 'auth', 'jwks.json');
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(jwks, null, 2)}\n`);
  await rename(tmp, path);
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

export const createLocalIssuer = async (opts: { dataDir?: string } = {}): Promise<LocalIssuer> => {
  const privateJwk = opts.dataDir === undefined ? await newPrivateJwk() : await loadOrCreateKey(opts.dataDir);
  const kid = privateJwk.kid;
  if (kid === undefined) throw new Error('local signing key has no kid');
  const privateKey = await importJWK(privateJwk, ALGORITHM);
  const jwks: JSONWebKeySet = { keys: [publicJwk(privateJwk)] };
  if (opts.dataDir !== undefined) await writeJwks(opts.dataDir, jwks);
  const keySet = createLocalJWKSet(jwks);

  const issueToken = async (input: IssueTokenInput): Promise<string> => {
    if (input.roles.length === 0) throw new Error('issueToken: at least one role is required');
    for (const role of input.roles) {
      if (!isRole(role)) throw new Error(`issueToken: unknown role "${role}" (expected ${roles.join(', ')})`);
    }
    const lifetime = input.expiresInSeconds ?? DEFAULT_LIFETIME_SECONDS;
    if (!Number.isInteger(lifetime) || lifetime <= 0) {
      throw new Error('issueToken: expiresInSeconds must be a positive integer');
    }
    const sub = input.sub ?? ulid();
    const iat = Math.floor((input.issuedAt ?? new Date()).getTime() / 1000);
    // A Cognito access token, plus the custom attributes (added on AWS by the pre-token
    // generation trigger) and `aud`, which Cognito access tokens lack but the local
    // verifier checks the way the authorizer checks client_id.
    const claims: JWTPayload & Record<string, unknown> = {
      sub,
      username: sub,
      'cognito:groups': [...new Set(input.roles)],
      ...(input.branchId !== undefined ? { 'custom:branchId': input.branchId } : {}),
      ...(input.orgId !== undefined ? { 'custom:orgId': input.orgId } : {}),
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      client_id: LOCAL_AUDIENCE,
      auth_time: iat,
      jti: randomUUID(),
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetime)
      .sign(privateKey);
  };

  const verify = async (
    authorizationHeader: string | undefined,
    options: { currentDate?: Date } = {},
  ): Promise<VerifyResult> => {
    if (authorizationHeader === undefined || authorizationHeader.trim() === '') {
      return { ok: false, reason: 'missing Authorization header' };
    }
    const match = /^Bearer +(\S+)$/i.exec(authorizationHeader.trim());
    if (!match?.[1]) return { ok: false, reason: 'Authorization header is not "Bearer <token>"' };
    try {
      const { payload } = await jwtVerify(match[1], keySet, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: [ALGORITHM],
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 0,
        ...(options.currentDate ? { currentDate: options.currentDate } : {}),
      });
      return { ok: true, claims: toApiGatewayClaims(payload) };
    } catch (err) {
      return { ok: false, reason: reasonFor(err) };
    }
  };

  return { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, jwks, issueToken, verify };
};
