import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTVerifyGetKey, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJwtAuthorizer, type JwtAuthorizer, toApiGatewayClaims } from './auth.js';

describe('toApiGatewayClaims', () => {
  it('turns every claim into the string API Gateway would pass', () => {
    expect(
      toApiGatewayClaims({
        sub: 'abc',
        'cognito:groups': ['secretary', 'member'],
        exp: 1767225600,
        ratio: 1.5,
        email_verified: true,
        disabled: false,
        empty: [],
        nested: { a: 1, b: ['x'] },
        nothing: null,
        skipped: undefined,
      }),
    ).toEqual({
      sub: 'abc',
      'cognito:groups': '[secretary member]',
      exp: '1767225600',
      ratio: '1.5',
      email_verified: 'true',
      disabled: 'false',
      empty: '[]',
      nested: '{"a":1,"b":["x"]}',
      nothing: 'null',
    });
  });
});

type Key = Parameters<SignJWT['sign']>[0];

describe('the JWT authorizer', () => {
  const issuer = 'http://localhost:9229/local_pool';
  const audience = 'web-client';
  let authorizer: JwtAuthorizer;
  let sign: (claims: Record<string, unknown>, key?: Key) => Promise<string>;
  let foreignKey: Key;

  beforeAll(async () => {
    const pool = await generateKeyPair('RS256', { extractable: true });
    foreignKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pool.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const keys: JWTVerifyGetKey = createLocalJWKSet({ keys: [jwk] });
    authorizer = createJwtAuthorizer({ issuer, audience, keys });
    sign = (claims, key = pool.privateKey) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ sub: 'a1', iss: issuer, iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .sign(key);
    };
  });

  it('takes an ID token of the pool for the client, and hands the claims on as API Gateway strings', async () => {
    const verdict = await authorizer.verify(
      `Bearer ${await sign({ aud: audience, token_use: 'id', 'cognito:groups': ['member'] })}`,
    );
    expect(verdict).toMatchObject({
      ok: true,
      claims: { sub: 'a1', token_use: 'id', 'cognito:groups': '[member]' },
    });
  });

  it('takes an access token by its client_id, as API Gateway does', async () => {
    const verdict = await authorizer.verify(
      `Bearer ${await sign({ client_id: audience, token_use: 'access' })}`,
    );
    expect(verdict.ok).toBe(true);
  });

  it.each([
    ['another client (aud)', { aud: 'other' }],
    ['another client (client_id)', { client_id: 'other' }],
    ['neither aud nor client_id', {}],
    ['another issuer', { aud: audience, iss: 'http://localhost:9229/other_pool' }],
    ['expired a second ago', { aud: audience, exp: Math.floor(Date.now() / 1000) - 1 }],
    ['no exp', { aud: audience, exp: undefined }],
  ])('refuses a token for %s', async (_what, claims) => {
    const verdict = await authorizer.verify(`Bearer ${await sign(claims)}`);
    expect(verdict.ok).toBe(false);
  });

  it('refuses a token signed by another key, and what is no bearer token', async () => {
    expect((await authorizer.verify(`Bearer ${await sign({ aud: audience }, foreignKey)}`)).ok).toBe(false);
    for (const header of [undefined, '', 'Basic x', 'Bearer', 'Bearer a.b.c']) {
      expect((await authorizer.verify(header)).ok, String(header)).toBe(false);
    }
  });

  it('judges expiry against the given clock', async () => {
    const token = await sign({ aud: audience });
    const later = new Date(Date.now() + 2 * 3600_000);
    expect((await authorizer.verify(`Bearer ${token}`, { currentDate: later })).ok).toBe(false);
  });
});
