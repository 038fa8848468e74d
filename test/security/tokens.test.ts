/**
 * Tokens through the real gateway. On AWS the HTTP API's JWT authorizer refuses a token
 * that is badly signed, expired, not yet valid, or for another issuer or audience, before
 * any Lambda runs, with API Gateway's own 401 (`{"message":"Unauthorized"}`, which an HTTP
 * API cannot reshape); the local verifier must refuse exactly those. A token the authorizer
 * lets through but which does not name a caller (no groups claim) is refused by the
 * service with our error shape; one whose groups name no role we know is an authenticated
 * caller who may do nothing: 403 on every route that needs a role.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../services/index.js';
import { newId } from '../../shared/ids.js';
import { type Response, request, runtime, tokenFor } from '../support/api.js';
import { emulatorKey } from '../support/tokens.js';

const routes = services.flatMap((s) => s.routes);
const guarded = routes.filter((r) => r.access !== 'public');
const publicReads = routes.filter((r) => r.access === 'public' && r.method === 'GET');

/** Any well-formed id: the role decision comes before any lookup. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, () => newId());

let localKey: { key: Parameters<SignJWT['sign']>[0]; kid: string };
let pool: { issuer: string; clientId: string };
beforeAll(async () => {
  localKey = await emulatorKey();
  pool = runtime().identity;
});

interface Forge {
  claims?: Record<string, unknown>;
  /** Claims to leave out of the otherwise valid set. */
  without?: string[];
  issuer?: string;
  audience?: string;
  issuedAt?: number;
  expiresAt?: number;
  notBefore?: number;
  key?: { key: Parameters<SignJWT['sign']>[0]; kid: string };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An ID token signed like the local pool's (its key unless told otherwise), with one thing changed. */
const forge = async (options: Forge = {}): Promise<string> => {
  const iat = options.issuedAt ?? nowSeconds();
  const claims: Record<string, unknown> = {
    sub: newId(),
    'cognito:groups': ['committee'],
    token_use: 'id',
    iss: options.issuer ?? pool.issuer,
    aud: options.audience ?? pool.clientId,
    iat,
    exp: options.expiresAt ?? iat + 3600,
    ...(options.notBefore !== undefined ? { nbf: options.notBefore } : {}),
    ...options.claims,
  };
  for (const name of options.without ?? []) delete claims[name];
  const key = options.key ?? localKey;
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.key);
};

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (`alg: none`) carrying perfectly valid claims. */
const unsigned = () => {
  const iat = nowSeconds();
  const payload = {
    sub: newId(),
    'cognito:groups': ['committee'],
    token_use: 'id',
    iss: pool.issuer,
    aud: pool.clientId,
    iat,
    exp: iat + 3600,
  };
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
};

const expectGatewayRefusal = (res: Response, what: string) => {
  expect(res.status, what).toBe(401);
  expect(res.body, what).toEqual({ message: 'Unauthorized' });
  expect(res.headers.get('www-authenticate'), what).toBe('Bearer');
};

const expectErrorShape = (res: Response, status: number, code: string, what: string) => {
  expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBe(status);
  expect(res.body.error, what).toMatchObject({ code, message: expect.any(String) });
  expect(Object.keys(res.body), what).toEqual(['error']);
};

// A committee-only read: a token that got through would answer 200.
const probe = 'GET /community/partners';

describe('the gateway refuses tokens the JWT authorizer refuses', () => {
  const other = async () => {
    const { privateKey } = await generateKeyPair('RS256');
    return { key: privateKey, kid: localKey.kid };
  };
  const now = () => nowSeconds();
  const cases: [string, () => Promise<string>][] = [
    ['expired', () => forge({ issuedAt: now() - 7200, expiresAt: now() - 60 })],
    [
      'expired a second ago (no clock tolerance)',
      () => forge({ issuedAt: now() - 60, expiresAt: now() - 1 }),
    ],
    ['not yet valid (nbf in the future)', () => forge({ notBefore: now() + 600 })],
    ['signed by another key with the same kid', async () => forge({ key: await other() })],
    [
      'signed by a key the issuer does not publish',
      async () => forge({ key: { ...(await other()), kid: 'x' } }),
    ],
    ['from another issuer', () => forge({ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/other' })],
    ['for another audience', () => forge({ audience: 'another-app-client' })],
    ['without exp', () => forge({ without: ['exp'] })],
    ['without sub', () => forge({ without: ['sub'] })],
    ['alg: none', async () => unsigned()],
    [
      'alg: none with the signature of a real token',
      async () => {
        const real = await forge();
        return `${base64url({ alg: 'none', typ: 'JWT' })}.${real.split('.')[1]}.${real.split('.')[2]}`;
      },
    ],
    [
      'with its payload changed after signing',
      async () => {
        const [header, , signature] = (await forge({ claims: { 'cognito:groups': ['member'] } })).split('.');
        return `${header}.${base64url({ sub: newId(), 'cognito:groups': ['committee'] })}.${signature}`;
      },
    ],
    ['malformed: not a JWT', async () => 'not-a-token'],
    ['malformed: two parts', async () => 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0'],
    ['malformed: bad base64 and JSON', async () => '!!!.@@@.###'],
    ['malformed: empty parts', async () => '..'],
  ];

  it.each(cases)('%s → 401', async (what, make) => {
    const [method, path] = probe.split(' ') as [string, string];
    expectGatewayRefusal(await request(method, path, undefined, { token: await make() }), what);
  });

  it('refuses a missing header, another scheme, and a bearer with nothing after it', async () => {
    const token = await tokenFor({ roles: ['committee'] });
    for (const authorization of [undefined, `Basic ${token}`, 'Bearer', 'Bearer ', `Bearer ${token} extra`]) {
      const res = await request('GET', '/community/partners', undefined, {
        headers: authorization === undefined ? {} : { authorization },
      });
      expectGatewayRefusal(res, String(authorization).slice(0, 20));
    }
  });

  it('lets through the same token when it is valid (the cases above fail for their one defect)', async () => {
    const res = await request('GET', '/community/partners', undefined, { token: await forge() });
    expect(res.status, res.text).toBe(200);
    // The lower-case scheme is accepted, as by API Gateway.
    const lower = await request('GET', '/community/partners', undefined, {
      headers: { authorization: `bearer ${await forge()}` },
    });
    expect(lower.status, lower.text).toBe(200);
  });
});

describe('tokens the authorizer accepts but which name no caller', () => {
  it.each([
    ['no cognito:groups claim', { without: ['cognito:groups'] }],
    ['groups not in array form', { claims: { 'cognito:groups': 'committee' } }],
    // API Gateway takes an access token (client_id instead of aud), but it names no account.
    ['an access token', { without: ['aud'], claims: { token_use: 'access', client_id: '<client>' } }],
    ['no token_use', { without: ['token_use'] }],
  ] as const)('%s → 401 from the service, in the error shape', async (what, options) => {
    const claims = Object.fromEntries(
      Object.entries((options as Forge).claims ?? {}).map(([k, v]) => [
        k,
        v === '<client>' ? pool.clientId : v,
      ]),
    );
    const token = await forge({ ...(options as Forge), claims });
    for (const route of guarded.slice(0, 8)) {
      const res = await request(route.method, concrete(route.path), undefined, { token });
      expectErrorShape(res, 401, 'unauthenticated', `${what} on ${route.routeKey}`);
    }
  });
});

describe('a valid token whose groups hold only an unknown role', () => {
  const tokens = async () => [
    await forge({ claims: { 'cognito:groups': ['auditor'] } }),
    await forge({ claims: { 'cognito:groups': [] } }),
    await forge({
      claims: { 'cognito:groups': ['auditor'], 'custom:branchId': newId(), 'custom:orgId': newId() },
    }),
  ];

  it('is refused with 403 on every route that needs a role, before the body is read', async () => {
    const failures: string[] = [];
    for (const token of await tokens()) {
      await Promise.all(
        guarded.map(async (route) => {
          const res = await request(route.method, concrete(route.path), undefined, {
            token,
            // Broken JSON: a 400 would mean the body was read before the role was checked.
            ...(route.method === 'GET' || route.method === 'DELETE'
              ? {}
              : { raw: '{"broken":', headers: { 'content-type': 'application/json' } }),
          });
          if (res.status !== 403 || res.body?.error?.code !== 'forbidden')
            failures.push(`${route.routeKey}: ${res.status} ${res.text.slice(0, 120)}`);
        }),
      );
    }
    expect(failures).toEqual([]);
  });

  const samePage = (body: { nextCursor?: unknown } | undefined) =>
    body?.nextCursor === undefined ? body : { ...body, nextCursor: 'a cursor' };

  it('reads public routes as an anonymous caller does', async () => {
    const [token] = await tokens();
    for (const route of publicReads) {
      const path = concrete(route.path);
      const anonymous = await request('GET', path, undefined, { token: null });
      const unknown = await request('GET', path, undefined, { token: token as string });
      expect(unknown.status, route.routeKey).toBe(anonymous.status);
      // A cursor is sealed afresh (a new IV) each time: the same page, not the same bytes.
      expect(samePage(unknown.body), route.routeKey).toEqual(samePage(anonymous.body));
    }
  });

  it('applies on public routes like an anonymous caller: a bad body is a 400 either way', async () => {
    const [token] = await tokens();
    const send = (t: string | null) =>
      request('POST', '/community/partners/applications', undefined, {
        token: t,
        raw: '{"unknown":1}',
        headers: { 'content-type': 'application/json' },
      });
    const anonymous = await send(null);
    const unknown = await send(token as string);
    expect(anonymous.status).toBe(400);
    expect(unknown.status).toBe(anonymous.status);
    expect(unknown.body.error.code).toBe(anonymous.body.error.code);
  });
});

describe('public routes do not look at the token at all (no authorizer on them, as on AWS)', () => {
  it('answers an expired or forged token as it answers no token', async () => {
    const expired = await forge({ issuedAt: nowSeconds() - 7200, expiresAt: nowSeconds() - 60 });
    for (const route of publicReads) {
      const path = concrete(route.path);
      const anonymous = await request('GET', path, undefined, { token: null });
      for (const token of [expired, unsigned(), 'garbage']) {
        const res = await request('GET', path, undefined, { token });
        expect(res.status, route.routeKey).toBe(anonymous.status);
      }
    }
  });
});
