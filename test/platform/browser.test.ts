/**
 * A browser app on another origin calls the local API as a front end's dev server would. The
 * runtime allows what `npm start` allows (the dev stage's origins, test/global-setup.ts); a
 * real Chromium (the npm-shipped one, test/support/chromium.ts) loads a page from
 * http://localhost:5173, served by a small HTTP server on a free port (the browser resolves
 * that host and port to it, so port 5173 itself may be busy), and the page calls the API with a
 * bearer token and reads the headers a front end needs. The same page from an origin the
 * configuration does not name is refused by the browser itself. The pages are real documents
 * from a real server: Playwright's request interception answers preflights on its own, so none is used.
 *
 * And the docs page signs in as an account of the local pool and authorizes Swagger UI with its token.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/config.js';
import { localCognitoClient } from '../../infra/local/cognito.js';
import { cors } from '../../shared/http/cors.js';
import { newId } from '../../shared/ids.js';
import { runtime, tokenFor } from '../support/api.js';
import { launchChromium } from '../support/chromium.js';
import { contractViolations } from '../support/contract.js';

/** A front end's dev server (Vite's default), which the dev stage's configuration allows. */
const DEV_SERVER = 'http://localhost:5173';
/** Another local port, which no configuration names. */
const STRANGER = 'http://localhost:4200';

const corsHeadersOf = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-')));

const preflight = (path: string, origin: string, headers: Record<string, string> = {}) =>
  fetch(`${runtime().url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,idempotency-key',
      ...headers,
    },
  });

describe('CORS at the local gateway, as the HTTP API configures it', () => {
  it('allows the dev server, as the dev stage does', () => {
    expect(stageConfig('dev').corsOrigins).toContain(DEV_SERVER);
    expect(stageConfig('dev').corsOrigins).not.toContain(STRANGER);
  });

  it('answers a preflight from an allowed origin itself, on any path, with the configured headers', async () => {
    for (const path of ['/talent/branches', '/no/such/route']) {
      const res = await preflight(path, DEV_SERVER);
      expect(res.status, path).toBe(204);
      expect(corsHeadersOf(res), path).toEqual({
        'access-control-allow-origin': DEV_SERVER,
        'access-control-allow-methods': cors.allowMethods.join(','),
        'access-control-allow-headers': cors.allowHeaders.join(','),
        'access-control-max-age': String(cors.maxAgeSeconds),
      });
      expect(await res.text()).toBe('');
    }
  });

  it('gives an origin it does not allow no CORS header at all', async () => {
    const res = await preflight('/talent/branches', STRANGER);
    expect(res.status).toBe(204);
    expect(corsHeadersOf(res)).toEqual({});
    const token = await tokenFor({ roles: ['committee'] });
    const read = await fetch(`${runtime().url}/talent/branches`, {
      headers: { origin: STRANGER, authorization: `Bearer ${token}` },
    });
    expect(read.status).toBe(200);
    expect(corsHeadersOf(read)).toEqual({});
  });

  it('takes an OPTIONS request without Access-Control-Request-Method for a request, which no route has', async () => {
    const res = await fetch(`${runtime().url}/talent/branches`, {
      method: 'OPTIONS',
      headers: { origin: DEV_SERVER },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found' });
  });

  it("sets its own headers on the service's answers and on its own refusals, in place of the service's", async () => {
    const token = await tokenFor({ roles: ['committee'] });
    const read = await fetch(`${runtime().url}/talent/branches`, {
      headers: { origin: DEV_SERVER, authorization: `Bearer ${token}` },
    });
    expect(read.status).toBe(200);
    const expected = {
      'access-control-allow-origin': DEV_SERVER,
      'access-control-expose-headers': cors.exposeHeaders.join(','),
    };
    expect(corsHeadersOf(read)).toEqual(expected);
    // The authorizer's 401: a browser app can read it and send its user to sign in.
    const refused = await fetch(`${runtime().url}/talent/branches`, { headers: { origin: DEV_SERVER } });
    expect(refused.status).toBe(401);
    expect(corsHeadersOf(refused)).toEqual(expected);
  });
});

/** A plain page, as a dev server would serve the front end's. */
const startPageServer = async (): Promise<Server> => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="zh-CN"><head><title>front end</title></head><body></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

interface PageAnswer {
  status: number;
  contentType: string;
  text: string;
  location: string | null;
  requestId: string | null;
}

/** What the page's script can read of its call; a call the browser refuses is `{ refused }`. */
const callFromPage = (page: Page, call: { url: string; method: string; token: string; body?: unknown }) =>
  page.evaluate(async ({ url, method, token, body }): Promise<PageAnswer | { refused: string }> => {
    try {
      const res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return {
        status: res.status,
        contentType: res.headers.get('content-type') ?? '',
        text: await res.text(),
        location: res.headers.get('location'),
        requestId: res.headers.get('x-request-id'),
      };
    } catch (error) {
      return { refused: String(error) };
    }
  }, call);

const keepsContract = (method: string, path: string, answer: PageAnswer) =>
  contractViolations(
    method,
    path,
    answer.status,
    answer.contentType,
    answer.contentType.includes('json') ? JSON.parse(answer.text) : answer.text,
    answer.text,
  );

describe('a browser app on another origin', () => {
  let pages: Server;
  let browser: Browser;
  beforeAll(async () => {
    pages = await startPageServer();
    const { port } = pages.address() as AddressInfo;
    browser = await launchChromium({
      args: [`--host-resolver-rules=MAP localhost:5173 127.0.0.1:${port}`],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
  });

  it('on the dev server creates with a bearer token, reads Location and x-request-id, and reads back', async () => {
    const page = await browser.newPage();
    await page.goto(`${DEV_SERVER}/`);
    // The document's own origin, which its calls send as Origin.
    expect(await page.evaluate(() => (globalThis as unknown as { origin: string }).origin)).toBe(DEV_SERVER);
    const token = await tokenFor({ roles: ['committee'] });
    const name = `浏览器支部 ${newId()}`;

    const created = await callFromPage(page, {
      url: `${runtime().url}/talent/branches`,
      method: 'POST',
      token,
      body: { name },
    });
    if ('refused' in created) throw new Error(`the browser refused the call: ${created.refused}`);
    expect(created.status).toBe(201);
    expect(keepsContract('POST', '/talent/branches', created)).toEqual([]);
    expect(created.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const branch = JSON.parse(created.text) as { branchId: string; name: string };
    expect(branch.name).toBe(name);
    expect(created.location).toBe(`/talent/branches/${branch.branchId}`);

    const read = await callFromPage(page, {
      url: `${runtime().url}${created.location}`,
      method: 'GET',
      token,
    });
    if ('refused' in read) throw new Error(`the browser refused the call: ${read.refused}`);
    expect(read.status).toBe(200);
    expect(keepsContract('GET', created.location as string, read)).toEqual([]);
    expect(JSON.parse(read.text)).toMatchObject({ branchId: branch.branchId, name });
  });

  it('on an origin the configuration does not name is refused by the browser', async () => {
    const { port } = pages.address() as AddressInfo;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const answer = await callFromPage(page, {
      url: `${runtime().url}/talent/branches`,
      method: 'GET',
      token: await tokenFor({ roles: ['committee'] }),
    });
    expect(answer).toEqual({ refused: 'TypeError: Failed to fetch' });
  });
});

/** fetch sends its own Host whatever it is told; node:http sends the one given. */
const postSignIn = (host: string, username: string) =>
  new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      `${runtime().url}/docs/sign-in`,
      { method: 'POST', headers: { host, origin: `http://${host}`, 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ username }));
  });

describe('the docs page, locally', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  /** An account of the local pool as the committee's are made: invited, its password not yet chosen. */
  const committeeAccount = async () => {
    const { endpoint, userPoolId } = runtime().identity;
    const client = localCognitoClient(endpoint);
    const username = `docs-${newId().toLowerCase()}`;
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        UserAttributes: [
          { Name: 'email', Value: `${username}@example.cn` },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: '文档试用' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: 'committee' }),
    );
    return username;
  };

  it('signs in as a local account and authorizes Swagger UI, whose "Try it out" then calls as it', async () => {
    const username = await committeeAccount();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${runtime().url}/docs`);

    const account = page.locator(`#local-sign-in-account option[value="${username}"]`);
    await account.waitFor({ state: 'attached', timeout: 30_000 });
    expect(await account.textContent()).toBe(`文档试用 (${username}) · committee`);
    await page.selectOption('#local-sign-in-account', username);
    await page.click('#local-sign-in button[type=submit]');
    await page
      .locator('#local-sign-in-status', { hasText: `signed in as ${username}` })
      .waitFor({ timeout: 30_000 });

    const operation = page.locator('.opblock-get', {
      has: page.locator('.opblock-summary-path[data-path="/talent/branches"]'),
    });
    await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    const sent = page.waitForRequest(
      (request) => request.method() === 'GET' && new URL(request.url()).pathname === '/talent/branches',
    );
    await operation.locator('.execute').click();
    const request = await sent;
    const token = request.headers().authorization?.replace(/^Bearer /, '') ?? '';
    expect(decodeJwt(token)['cognito:username']).toBe(username);
    expect(decodeJwt(token)['cognito:groups']).toEqual(['committee']);
    expect((await request.response())?.status()).toBe(200);
    expect(errors).toEqual([]);
  }, 60_000);

  it("signs in for the runtime's own pages only", async () => {
    const username = await committeeAccount();
    const signIn = (headers: Record<string, string>) =>
      fetch(`${runtime().url}/docs/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ username }),
      });
    // A page the CORS configuration allows may call the API, not mint itself a token.
    expect((await signIn({ origin: DEV_SERVER })).status).toBe(403);
    // A name rebound to this machine is not the runtime's own page either.
    const { port } = new URL(runtime().url);
    expect(await postSignIn(`rebound.example:${port}`, username)).toBe(403);
    expect((await fetch(`${runtime().url}/docs/accounts`, { headers: { origin: DEV_SERVER } })).status).toBe(
      403,
    );
    const own = await signIn({ origin: runtime().url });
    expect(own.status).toBe(200);
    expect(decodeJwt(((await own.json()) as { token: string }).token)['cognito:username']).toBe(username);
  });
});
