/**
 * The docs page's local sign-in: the accounts of the local pool, and an ID token for the one
 * a developer picks, by the same sign-in `npm run token` makes (infra/local/sign-in.ts), so
 * Swagger UI's "Try it out" calls the API as that account. Only the local runtime serves it:
 * the local pool's accounts need no password on this machine anyway (the invitations and
 * chosen passwords lie in the data folder). It answers only the runtime's own pages on a
 * loopback name, never another origin's script (a page the CORS configuration allows
 * included) nor a host name rebound to 127.0.0.1.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { roles } from '../../shared/auth.js';
import { type LocalCognitoInfo, localCognitoClient } from './cognito.js';
import type { ExtraRoutes } from './gateway.js';
import { SignInRefused, signIn } from './sign-in.js';

export interface DocsAccount {
  username: string;
  name?: string;
  personId?: string;
  groups: string[];
  enabled: boolean;
}

const MAX_BODY_BYTES = 1024;
const USERNAME = /^[\w.@+-]{1,128}$/;
const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

const answer = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

/** The runtime's own page on a loopback name; a cross-origin fetch names another Origin. */
const fromOwnPage = (req: IncomingMessage): boolean => {
  const host = req.headers.host ?? '';
  if (!LOOPBACK_HOST.test(host)) return false;
  const origin = req.headers.origin;
  return origin === undefined || origin === `http://${host}`;
};

const attribute = (user: UserType, name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;

const groupsByUser = async (client: CognitoIdentityProviderClient, userPoolId: string) => {
  const groups = new Map<string, string[]>();
  for (const group of roles) {
    let next: string | undefined;
    do {
      const out = await client.send(
        new ListUsersInGroupCommand({ UserPoolId: userPoolId, GroupName: group, NextToken: next }),
      );
      for (const user of out.Users ?? []) {
        const username = user.Username as string;
        groups.set(username, [...(groups.get(username) ?? []), group]);
      }
      next = out.NextToken;
    } while (next);
  }
  return groups;
};

/** Every account of the local pool: the committee's first, then by role and name. */
export const localAccounts = async (pool: LocalCognitoInfo): Promise<DocsAccount[]> => {
  const client = localCognitoClient(pool.endpoint);
  const users: UserType[] = [];
  let token: string | undefined;
  do {
    const out = await client.send(
      new ListUsersCommand({ UserPoolId: pool.userPoolId, PaginationToken: token }),
    );
    users.push(...(out.Users ?? []));
    token = out.PaginationToken;
  } while (token);
  const groups = await groupsByUser(client, pool.userPoolId);
  const rank = (account: DocsAccount) => {
    const first = roles.findIndex((role) => account.groups.includes(role));
    return first === -1 ? roles.length : first;
  };
  return users
    .map((user): DocsAccount => {
      const username = user.Username as string;
      const name = attribute(user, 'name');
      const personId = attribute(user, 'custom:personId');
      return {
        username,
        ...(name ? { name } : {}),
        ...(personId ? { personId } : {}),
        groups: groups.get(username) ?? [],
        enabled: user.Enabled !== false,
      };
    })
    .sort((a, b) => rank(a) - rank(b) || (a.name ?? a.username).localeCompare(b.name ?? b.username, 'zh-CN'));
};

const readJson = (req: IncomingMessage): Promise<unknown> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });

/** `GET /docs/accounts` and `POST /docs/sign-in` `{ username }` → `{ username, token, expiresAt }`. */
export const docsSignIn =
  (pool: LocalCognitoInfo, dataDir: string): ExtraRoutes =>
  async (req, res, url) => {
    const listing = req.method === 'GET' && url.pathname === '/docs/accounts';
    const signingIn = req.method === 'POST' && url.pathname === '/docs/sign-in';
    if (!listing && !signingIn) return false;
    if (!fromOwnPage(req)) {
      answer(res, 403, { message: 'only the docs page of this runtime may sign in here' });
      return true;
    }
    if (listing) {
      answer(res, 200, { accounts: await localAccounts(pool) });
      return true;
    }
    // JSON only: a form of another site cannot post it without a preflight.
    if (!req.headers['content-type']?.startsWith('application/json')) {
      answer(res, 415, { message: 'send { "username": "…" } as application/json' });
      return true;
    }
    const body = (await readJson(req)) as { username?: unknown } | undefined;
    const username = body?.username;
    if (typeof username !== 'string' || !USERNAME.test(username)) {
      answer(res, 400, { message: 'send { "username": "…" }, an account of the local pool' });
      return true;
    }
    try {
      const token = await signIn(pool, dataDir, username);
      const expiresAt = new Date(Number(decodeJwt(token).exp) * 1000).toISOString();
      answer(res, 200, { username, token, expiresAt });
    } catch (error) {
      if (!(error instanceof SignInRefused)) throw error;
      answer(res, 409, { message: error.message });
    }
    return true;
  };
