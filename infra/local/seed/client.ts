/**
 * The seed's way into the platform: real HTTP requests through the gateway, and nothing else.
 * Its callers are minted for the runtime's own pool (test/support/tokens.ts): the seed acts
 * as the committee, secretaries and members before their accounts exist. Every answer is checked against the
 * statuses the caller expects; anything else stops the seed with the request and the body.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role } from '../../../shared/auth.js';
import { createMinter } from '../../../test/support/tokens.js';
import type { LocalCognitoInfo } from '../cognito.js';

const RETRIES = 20;

export interface Identity {
  roles: Role[];
  sub: string;
  branchId?: string;
  orgId?: string;
}

export interface Answer<T = any> {
  status: number;
  body: T;
}

/** An answer the seed did not expect: the platform refused, or the seed is wrong. */
export class UnexpectedAnswer extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.name = 'UnexpectedAnswer';
  }
}

export interface CallOptions {
  as?: Identity;
  /** A token signed in for real (the bootstrap committee account), instead of `as`. */
  token?: string;
  body?: unknown;
  /** Statuses that are a normal outcome here (409 of a rerun, say); default 200 and 201. */
  expect?: readonly number[];
  /**
   * Send again after a 503. Default: all but POST, whose write may have happened behind the
   * 503; a POST that is safe to repeat (its conflict answer says "done already") opts in,
   * the others go through `createOnce`.
   */
  retryUnavailable?: boolean;
  /**
   * An answer that means the platform has not caught up yet, rather than a refusal: another
   * service's copy of the register, fed by events, does not know a person registered a
   * moment ago. Nothing was written; the same request goes again until `catchUpMs` has passed.
   */
  notYet?: (answer: Answer) => boolean;
  /** More headers: an Idempotency-Key, so a write resent after a lost answer is answered as the first. */
  headers?: Record<string, string>;
}

export interface SeedClient {
  /** The local pool the runtime checks tokens against. */
  identity: LocalCognitoInfo;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
  /** Every item of a list route, following `nextCursor`. */
  all<T = any>(path: string, as: Identity): Promise<T[]>;
  /** The base URL, for presigned URLs the API hands out (they point elsewhere). */
  url: string;
}

export const createSeedClient = async (options: {
  url: string;
  dataDir: string;
  /** Sent as the test clock header; only a runtime with test controls listens to it. */
  now?: Date;
  /**
   * At most this many requests in flight, whichever phases send them: phases run side by
   * side, and the database behind them takes one write at a time anyway. Default 8.
   */
  maxInFlight?: number;
  /**
   * How long a `notYet` answer is asked again before the seed gives up (default 180 s): the
   * bus delivers a few events at a time, as Lambda's concurrency would, so after a year of
   * meetings an announcement's inbox entries wait behind their notices.
   */
  catchUpMs?: number;
}): Promise<SeedClient> => {
  // The running runtime says which pool it checks tokens against.
  const { identity } = JSON.parse(await readFile(join(options.dataDir, 'runtime.json'), 'utf8')) as {
    identity: LocalCognitoInfo;
  };
  const minter = await createMinter({ issuer: identity.issuer, audience: identity.clientId });
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (who: Identity) => {
    const key = JSON.stringify(who);
    let token = tokens.get(key);
    if (!token) {
      token = minter.mint({
        roles: who.roles,
        // A person's account names its person; a partner's names its organisation.
        ...(who.roles.every((role) => role === 'partner') ? {} : { personId: who.sub }),
        ...(who.branchId ? { branchId: who.branchId } : {}),
        ...(who.orgId ? { orgId: who.orgId } : {}),
      });
      tokens.set(key, token);
    }
    return token;
  };
  const base = options.url.replace(/\/$/, '');
  const slot = slots(options.maxInFlight ?? 8);
  const catchUpMs = options.catchUpMs ?? 180_000;

  /** One request, holding a slot until its answer is read: a body still arriving is still in flight. */
  const send = async (url: string, init: RequestInit): Promise<Answer> => {
    const release = await slot();
    try {
      const res = await fetch(url, init);
      const text = await res.text();
      const json = (res.headers.get('content-type') ?? '').includes('json') && text !== '';
      return { status: res.status, body: json ? JSON.parse(text) : text };
    } finally {
      release();
    }
  };

  const call = async <T>(method: string, path: string, opts: CallOptions = {}): Promise<Answer<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    else if (opts.as) headers.authorization = `Bearer ${await tokenOf(opts.as)}`;
    if (options.now) headers['x-dangjian-now'] = options.now.toISOString();
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let answer: Answer;
    const caughtUpBy = Date.now() + catchUpMs;
    // Throttled (429, API Gateway's limits as `npm start` applies them) or a dependency briefly
    // unavailable (503, DynamoDB Local on a busy machine): sent again after a pause, as the
    // answers ask.
    const retryUnavailable = opts.retryUnavailable ?? method !== 'POST';
    for (let retries = 0; ; ) {
      answer = await send(`${base}${path}`, {
        method,
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
      if (opts.notYet?.(answer)) {
        if (Date.now() > caughtUpBy) {
          throw new Error(
            `${method} ${path}: the platform had not caught up after ${catchUpMs} ms (still ${answer.status}: ${JSON.stringify(answer.body)})`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      const retry = answer.status === 429 || (answer.status === 503 && retryUnavailable);
      if (!retry || ++retries >= RETRIES || (opts.expect ?? []).includes(answer.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 100 * retries));
    }
    if (!(opts.expect ?? [200, 201]).includes(answer.status)) {
      throw new UnexpectedAnswer(method, path, answer.status, answer.body);
    }
    return answer as Answer<T>;
  };

  const all = async <T>(path: string, as: Identity): Promise<T[]> => {
    const items: T[] = [];
    const join = path.includes('?') ? '&' : '?';
    let cursor: string | undefined;
    do {
      const page = await call<{ items: T[]; nextCursor?: string }>(
        'GET',
        `${path}${join}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { as },
      );
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  };

  return { call, all, url: base, identity };
};

/**
 * Creates something once although a 503 may hide a create that happened: after a 503 it
 * looks (`find`, by the natural key) before it posts again.
 */
export const createOnce = async <T>(
  api: SeedClient,
  path: string,
  options: { as?: Identity; body: unknown; expect?: readonly number[]; notYet?: CallOptions['notYet'] },
  find: () => Promise<T | undefined>,
): Promise<Answer<T>> => {
  const expected = options.expect ?? [201];
  for (let attempt = 1; ; attempt++) {
    const answer = await api.call<T>('POST', path, {
      ...options,
      // After a 503 a conflict may be the earlier attempt's own write, landed meanwhile.
      expect: [...expected, 503, ...(attempt > 1 ? [409] : [])],
      retryUnavailable: false,
    });
    if (expected.includes(answer.status)) return answer;
    const found = await find();
    if (found !== undefined) return { status: 200, body: found };
    if (answer.status !== 503 || attempt >= RETRIES)
      throw new UnexpectedAnswer('POST', path, answer.status, answer.body);
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
};

/**
 * A counting semaphore: `acquire()` resolves with a release function once fewer than `limit`
 * holders are in, first come first served.
 */
export const slots = (limit: number): (() => Promise<() => void>) => {
  let free = Math.max(1, limit);
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return async () => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };
};

/** Runs `work` over `items`, at most `limit` at a time, in order of start. */
export const eachLimited = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
};
