import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalIssuer,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  type LocalIssuer,
  toApiGatewayClaims,
} from './auth.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

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

describe('local issuer', () => {
  let dataDir: string;
  let issuer: LocalIssuer;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'auth-local-'));
    issuer = await createLocalIssuer({ dataDir });
  });

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Signs a token with the issuer's own key, to get past the signature check. */
  const signWithIssuerKey = async (build: (jwt: SignJWT, now: number) => SignJWT) => {
    const jwk = JSON.parse(await readFile(join(dataDir, 'auth', 'private-key.jwk.json'), 'utf8')) as JWK;
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ sub: 'someone', 'cognito:groups': ['committee'] })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid as string })
      .setIssuedAt(now);
    return build(jwt, now).sign(await importJWK(jwk, 'RS256'));
  };

  it('issues a token whose claims verify and come out as API Gateway strings', async () => {
    const token = await issuer.issueToken({
      roles: ['secretary', 'member'],
      branchId: '01JBRANCH0000000000000000A',
    });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: issuer.jwks.keys[0]?.kid });

    const result = await issuer.verify(`Bearer ${token}`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { claims } = result;
    expect(claims['cognito:groups']).toBe('[secretary member]');
    expect(claims['custom:branchId']).toBe('01JBRANCH0000000000000000A');
    expect(claims['custom:orgId']).toBeUndefined();
    expect(claims.sub).toMatch(ULID);
    expect(claims.token_use).toBe('access');
    expect(claims.client_id).toBe(LOCAL_AUDIENCE);
    expect(claims.iss).toBe(LOCAL_ISSUER);
    expect(claims.aud).toBe(LOCAL_AUDIENCE);
    expect(claims.exp).toMatch(/^\d{10}$/);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(12 * 60 * 60);
    for (const value of Object.values(claims)) expect(typeof value).toBe('string');
  });

  it('takes sub, org and lifetime from the caller', async () => {
    const issuedAt = new Date();
    const token = await issuer.issueToken({
      roles: ['partner'],
      sub: 'partner-1',
      orgId: 'org-9',
      expiresInSeconds: 60,
      issuedAt,
    });
    const result = await issuer.verify(`Bearer ${token}`);
    expect(result).toMatchObject({
      ok: true,
      claims: {
        sub: 'partner-1',
        'cognito:groups': '[partner]',
        'custom:orgId': 'org-9',
        iat: String(Math.floor(issuedAt.getTime() / 1000)),
        exp: String(Math.floor(issuedAt.getTime() / 1000) + 60),
      },
    });
  });

  it('refuses unknown roles and empty role lists', async () => {
    await expect(issuer.issueToken({ roles: [] })).rejects.toThrow(/role/);
    await expect(issuer.issueToken({ roles: ['admin' as never] })).rejects.toThrow(/unknown role "admin"/);
  });

  it.each([
    ['missing header', undefined, /missing/],
    ['empty header', '', /missing/],
    ['not Bearer', 'Basic dXNlcjpwYXNz', /Bearer/],
    ['Bearer without token', 'Bearer ', /Bearer/],
    ['garbage', 'Bearer not.a.jwt', /malformed|invalid/],
  ])('refuses %s', async (_name, header, reason) => {
    const result = await issuer.verify(header);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('refuses an expired token (no clock tolerance)', async () => {
    const token = await issuer.issueToken({
      roles: ['member'],
      issuedAt: new Date(Date.now() - 2 * 60 * 60 * 1000),
      expiresInSeconds: 60 * 60,
    });
    expect(await issuer.verify(`Bearer ${token}`)).toEqual({ ok: false, reason: 'token expired' });

    const justExpired = await issuer.issueToken({
      roles: ['member'],
      issuedAt: new Date(Date.now() - 61_000),
      expiresInSeconds: 60,
    });
    expect(await issuer.verify(`Bearer ${justExpired}`)).toEqual({ ok: false, reason: 'token expired' });
  });

  it('judges expiry against the given clock', async () => {
    const token = await issuer.issueToken({ roles: ['member'], expiresInSeconds: 60 });
    const later = new Date(Date.now() + 10 * 60 * 1000);
    expect(await issuer.verify(`Bearer ${token}`, { currentDate: later })).toEqual({
      ok: false,
      reason: 'token expired',
    });
  });

  it('accepts a hand-made token with the right issuer, audience and key', async () => {
    const token = await signWithIssuerKey((jwt, now) =>
      jwt
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setExpirationTime(now + 600),
    );
    expect(await issuer.verify(`Bearer ${token}`)).toMatchObject({ ok: true });
  });

  it('refuses a token from another issuer', async () => {
    const token = await signWithIssuerKey((jwt, now) =>
      jwt
        .setIssuer('https://evil.example')
        .setAudience(LOCAL_AUDIENCE)
        .setExpirationTime(now + 600),
    );
    expect(await issuer.verify(`Bearer ${token}`)).toEqual({
      ok: false,
      reason: expect.stringMatching(/"iss"/),
    });
  });

  it('refuses a token for another audience', async () => {
    const token = await signWithIssuerKey((jwt, now) =>
      jwt
        .setIssuer(LOCAL_ISSUER)
        .setAudience('someone-else')
        .setExpirationTime(now + 600),
    );
    expect(await issuer.verify(`Bearer ${token}`)).toEqual({
      ok: false,
      reason: expect.stringMatching(/"aud"/),
    });
  });

  it('refuses a token that never expires', async () => {
    const token = await signWithIssuerKey((jwt) => jwt.setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE));
    expect(await issuer.verify(`Bearer ${token}`)).toEqual({
      ok: false,
      reason: expect.stringMatching(/"exp"/),
    });
  });

  it('refuses a token signed by a different key', async () => {
    const stranger = await createLocalIssuer({});
    const token = await stranger.issueToken({ roles: ['committee'] });
    expect(await issuer.verify(`Bearer ${token}`)).toEqual({
      ok: false,
      reason: 'token not signed by a known key',
    });
  });

  it('refuses a token whose payload was altered', async () => {
    const token = await issuer.issueToken({ roles: ['member'] });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    claims['cognito:groups'] = ['committee'];
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    expect(await issuer.verify(`Bearer ${forged}`)).toEqual({
      ok: false,
      reason: 'signature verification failed',
    });
  });

  it('keeps its key in the data dir: a second issuer verifies the first one’s tokens', async () => {
    const token = await issuer.issueToken({ roles: ['committee'] });
    const again = await createLocalIssuer({ dataDir });
    expect(again.jwks).toEqual(issuer.jwks);
    expect(await again.verify(`Bearer ${token}`)).toMatchObject({
      ok: true,
      claims: { 'cognito:groups': '[committee]' },
    });

    const jwksOnDisk = JSON.parse(await readFile(join(dataDir, 'auth', 'jwks.json'), 'utf8')) as unknown;
    expect(jwksOnDisk).toEqual(issuer.jwks);
    expect((await stat(join(dataDir, 'auth', 'private-key.jwk.json'))).mode & 0o077).toBe(0);
  });

  it('publishes only public key material', () => {
    const [key] = issuer.jwks.keys;
    expect(key).toBeDefined();
    expect(Object.keys(key as object).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('agrees on one key when several processes create it at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'auth-race-'));
    try {
      const issuers = await Promise.all([1, 2, 3, 4].map(() => createLocalIssuer({ dataDir: dir })));
      const kids = new Set(issuers.map((i) => i.jwks.keys[0]?.kid));
      expect(kids.size).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
