/**
 * A small HTTP client for tests: real requests through the local gateway, with tokens from
 * the runtime's own local issuer. `settle()` waits for outboxes and the bus to go quiet.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { localNames } from '../../infra/local/tables.js';
import type { Role } from '../../shared/auth.js';
import { createEventBridgeClient } from '../../shared/aws/clients.js';
import type { Envelope, EventContract } from '../../shared/events/contract.js';
import { buildEnvelope } from '../../shared/events/outbox.js';
import { newId } from '../../shared/ids.js';
import { contractViolations } from './contract.js';
import type { RuntimeInfo } from './runtime-info.js';
import { createMinter, type Minter } from './tokens.js';
import { DELIVERY_BUDGET_MS } from './wait.js';

export interface Identity {
  roles: Role[];
  /** The person the account belongs to; default a new id for every role but `partner`. */
  personId?: string;
  branchId?: string;
  orgId?: string;
}

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
  /** The body as sent (a workbook is not text). */
  bytes: Buffer;
}

export interface RequestOptions {
  token?: string | null;
  /** The request time the gateway hands to the handler (test controls only). */
  now?: Date | string;
  headers?: Record<string, string>;
  /** Send this exact text as the body instead of JSON. */
  raw?: string;
  /** `manual` to see a 303 itself rather than the file its Location names. */
  redirect?: 'follow' | 'manual';
}

let minterPromise: Promise<Minter> | undefined;
let override: RuntimeInfo | undefined;
/** Points every helper here at another runtime (one a test file started itself). */
export const useRuntime = (info: RuntimeInfo | undefined): void => {
  override = info;
  minterPromise = undefined;
};
export const runtime = (): RuntimeInfo => override ?? inject('runtime');

/** Mints for the runtime's own pool (see ./tokens.ts for why tests mint at all). */
export const minter = (): Promise<Minter> => {
  const { issuer, clientId } = runtime().identity;
  minterPromise ??= createMinter({ issuer, audience: clientId });
  return minterPromise;
};

/** A person's account unless the identity is a partner's alone. */
const personOf = (identity: Identity): string | undefined =>
  identity.personId ?? (identity.roles.every((role) => role === 'partner') ? undefined : newId());

/** An ID token for the identity; the account id (`sub`) is never the person id, so code mistaking one for the other fails. */
const signIn = async (identity: Identity) => {
  const personId = personOf(identity);
  const sub = randomUUID();
  const token = await (await minter()).mint({
    roles: identity.roles,
    sub,
    ...(personId ? { personId } : {}),
    ...(identity.branchId ? { branchId: identity.branchId } : {}),
    ...(identity.orgId ? { orgId: identity.orgId } : {}),
  });
  return { sub, personId, token };
};

export const tokenFor = async (identity: Identity): Promise<string> => (await signIn(identity)).token;

export const request = async <T = any>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<Response<T>> => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.now)
    headers['x-dangjian-now'] = typeof options.now === 'string' ? options.now : options.now.toISOString();
  let payload: string | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${runtime().url}${path}`, {
    method,
    headers,
    redirect: options.redirect ?? 'follow',
    ...(payload !== undefined ? { body: payload } : {}),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let parsed: unknown = text;
  const contentType = res.headers.get('content-type') ?? '';
  if (contentType.includes('json') && text.length > 0) parsed = JSON.parse(text);
  // Every answer a test receives is also checked against the API's published contract.
  const violations = contractViolations(method, path, res.status, contentType, parsed, text);
  if (violations.length > 0) throw new Error(`Contract broken:\n${violations.join('\n')}`);
  return { status: res.status, body: parsed as T, headers: res.headers, text, bytes };
};

/** A signed-in caller: `const alice = await as({ roles: ['member'] }); await alice.get('/x')`. */
export const as = async (identity: Identity) => {
  const { sub, personId, token } = await signIn(identity);
  const call =
    (method: string) =>
    <T = any>(path: string, body?: unknown, options: RequestOptions = {}) =>
      request<T>(method, path, body, { token, ...options });
  return {
    /** The account id (the token's `sub`). */
    sub,
    /** The person the account belongs to; undefined for a partner's account. */
    personId: personId as string,
    token,
    identity: { ...identity, ...(personId ? { personId } : {}) },
    get: <T = any>(path: string, options: RequestOptions = {}) =>
      request<T>('GET', path, undefined, { token, ...options }),
    post: call('POST'),
    put: call('PUT'),
    patch: call('PATCH'),
    delete: <T = any>(path: string, options: RequestOptions = {}) =>
      request<T>('DELETE', path, undefined, { token, ...options }),
  };
};

/**
 * A test control that answers once the platform is quiet, within one delivery's budget:
 * past it, the failure names what it waited for.
 */
const controlWaiting = async (path: string, what: string, body?: unknown): Promise<void> => {
  const res = await fetch(`${runtime().url}${path}`, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(DELIVERY_BUDGET_MS),
  }).catch((error: unknown) => {
    if ((error as Error).name !== 'TimeoutError') throw error;
    throw new Error(`waited ${DELIVERY_BUDGET_MS / 1000} s for ${what}`);
  });
  if (!res.ok) throw new Error(`${path} failed: ${res.status} ${await res.text()}`);
};

/** Waits until every outbox is relayed and every delivery (and what it caused) is done. */
export const settle = (): Promise<void> =>
  controlWaiting('/__local/settle', 'the platform to settle (every outbox relayed, every delivery done)');

/**
 * Runs the named schedules (`<service>.<name>`) once with `at` as their "now" (the tests'
 * clock; the test runtime has no timers), and waits until what the runs caused is done.
 * Named, because the files share one database: a daily sweep over everyone runs only in
 * the test that means it.
 */
export const tick = (at: Date, schedules: readonly [string, ...string[]]): Promise<void> =>
  controlWaiting('/__local/tick', `${schedules.join(', ')} at ${at.toISOString()} and what they caused`, {
    at: at.toISOString(),
    schedules,
  });

/** Direct access to a service's table, for assertions about what was (not) written. */
export const tableClient = (): DynamoDBDocumentClient => {
  // One per database, not one per call: a wait that reads every 100 ms would otherwise open
  // new connections to the DynamoDB Local the deliveries it waits for are writing to.
  const endpoint = runtime().dynamodbEndpoint;
  let client = tableClients.get(endpoint);
  if (!client) {
    client = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: 'eu-west-1',
        endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    tableClients.set(endpoint, client);
  }
  return client;
};
const tableClients = new Map<string, DynamoDBDocumentClient>();

/**
 * Puts a dangjian event on the runtime's real bus, as another service's relay would
 * (EventBridge PutEvents over the bus server), for testing a consumer on its own.
 * Returns the envelope, so a test can deliver the very same event again.
 */
const busClient = () =>
  createEventBridgeClient({
    region: 'eu-west-1',
    endpoints: { eventbridge: runtime().busEndpoint },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const putOnBus = async <Data>(contract: EventContract<string, Data>, envelopes: Envelope<Data>[]) => {
  const out = await busClient().send(
    new PutEventsCommand({
      Entries: envelopes.map((envelope) => ({
        EventBusName: localNames('local').bus,
        Source: contract.source,
        DetailType: contract.name,
        Detail: JSON.stringify(envelope),
      })),
    }),
  );
  if (out.FailedEntryCount) throw new Error(`PutEvents refused the event: ${JSON.stringify(out.Entries)}`);
};

export const publish = async <Data>(
  contract: EventContract<string, Data>,
  data: Data,
  options: { envelope?: Envelope<Data>; occurredAt?: Date } = {},
): Promise<Envelope<Data>> => {
  const envelope = options.envelope ?? buildEnvelope(contract, data, options.occurredAt ?? new Date());
  await putOnBus(contract, [envelope]);
  return envelope;
};

/** PutEvents' most entries in one call. */
const PUT_EVENTS_MAX = 10;

/**
 * Many events of one contract, ten to a PutEvents call and one call at a time, as a relay
 * sends a busy outbox: a hundred calls at once would test how a loaded machine answers a
 * burst of connections, not the consumer.
 */
export const publishAll = async <Data>(contract: EventContract<string, Data>, data: readonly Data[]) => {
  const envelopes = data.map((d) => buildEnvelope(contract, d, new Date()));
  for (let i = 0; i < envelopes.length; i += PUT_EVENTS_MAX) {
    await putOnBus(contract, envelopes.slice(i, i + PUT_EVENTS_MAX));
  }
  return envelopes;
};
