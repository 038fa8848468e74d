/** What the browser tests share: the running platform, its tokens, and Debian's Chromium. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { elsewhereHint, runtimeTarget } from '../../infra/local/seed/target.js';
import type { Role } from '../../shared/auth.js';
import { createMinter, type Minter } from '../support/tokens.js';

// Found as `npm run seed` finds it, so the PORT that aimed the seed aims the tests too.
const target = runtimeTarget();
export const baseUrl = target.url;
const dataDir = target.dataDir;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails with what to do when the platform or the browser is missing, not with a timeout. */
export const requirePlatform = async (): Promise<void> => {
  try {
    const res = await fetch(`${baseUrl}/health`);
    if (!res.ok) throw new Error(`health answered ${res.status}`);
  } catch (error) {
    const hint = await elsewhereHint(target);
    throw new Error(
      `the platform does not answer at ${baseUrl}/health (${(error as Error).message}): start it with \`npm start\` ` +
        '(and give both the same PORT and DANGJIAN_DATA_DIR, or DANGJIAN_URL if it runs elsewhere)' +
        (hint ? `; ${hint}` : ''),
    );
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it with \`sudo apt-get install chromium\` (see README)`,
    );
  }
};

/** Debian's Chromium, never a downloaded one; no sandbox, as it runs as root in containers. */
export const launch = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });

let minter: Promise<Minter> | undefined;
/** Minted for the running platform's pool, which its runtime.json names. */
const minterOf = async (): Promise<Minter> => {
  const { identity } = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
  return createMinter({ issuer: identity.issuer, audience: identity.clientId });
};
export const tokenFor = async (identity: { roles: Role[]; personId?: string; branchId?: string }) => {
  minter ??= minterOf();
  return (await minter).mint({
    roles: identity.roles,
    ...(identity.personId ? { personId: identity.personId } : {}),
    ...(identity.branchId ? { branchId: identity.branchId } : {}),
  });
};

export const api = async <T = any>(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T,
  };
};
