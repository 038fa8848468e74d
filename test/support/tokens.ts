/**
 * The one place that mints tokens with whatever claims it is given: for tests (and the
 * benchmark) whose callers are personas the register need not hold, such as the access
 * matrix's secretaries and partners, a stranger, an expired or a foreign token. Everyone
 * else signs in through the Cognito emulator (`npm run token`).
 *
 * A minted token is a Cognito ID token in every claim, signed with the key the emulator
 * itself signs with (the one `cognito-local` ships), for the runtime's own pool and client,
 * so the gateway checks it exactly as it checks the emulator's tokens.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { importJWK, type JWK, SignJWT } from 'jose';
import { isRole, type Role, roles } from '../../shared/auth.js';

export interface MintInput {
  /** One or more; a secretary is usually also a member. */
  roles: Role[];
  /** The account id (Cognito's `sub`). Default: a new UUID, as Cognito's are. */
  sub?: string;
  /** `custom:personId`. */
  personId?: string;
  branchId?: string;
  orgId?: string;
  /** Default 1 h, the pool's ID token lifetime. */
  expiresInSeconds?: number;
  /** Default now. A date in the past makes expired tokens without waiting. */
  issuedAt?: Date;
}

export interface Minter {
  mint(input: MintInput): Promise<string>;
}

/** The emulator's signing key and its key id. */
export const emulatorKey = async () => {
  const path = createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  const { jwk } = JSON.parse(await readFile(path, 'utf8')) as { jwk: JWK };
  return { key: await importJWK(jwk, 'RS256'), kid: 'CognitoLocal' };
};

export const createMinter = async (pool: { issuer: string; audience: string }): Promise<Minter> => {
  const { key, kid } = await emulatorKey();
  const mint = async (input: MintInput): Promise<string> => {
    if (input.roles.length === 0) throw new Error('mint: at least one role is required');
    for (const role of input.roles) {
      if (!isRole(role)) throw new Error(`mint: unknown role "${role}" (expected ${roles.join(', ')})`);
    }
    const lifetime = input.expiresInSeconds ?? 3600;
    const iat = Math.floor((input.issuedAt ?? new Date()).getTime() / 1000);
    const sub = input.sub ?? randomUUID();
    return new SignJWT({
      sub,
      'cognito:username': input.personId ?? sub,
      'cognito:groups': [...new Set(input.roles)],
      ...(input.personId !== undefined ? { 'custom:personId': input.personId } : {}),
      ...(input.branchId !== undefined ? { 'custom:branchId': input.branchId } : {}),
      ...(input.orgId !== undefined ? { 'custom:orgId': input.orgId } : {}),
      token_use: 'id',
      auth_time: iat,
      event_id: randomUUID(),
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(pool.issuer)
      .setAudience(pool.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetime)
      .sign(key);
  };
  return { mint };
};
