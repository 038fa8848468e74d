/**
 * The seed client's two rules about when to send: never more requests in flight than allowed,
 * whichever phases send them, and a write refused only because another service has not yet
 * learnt of someone is sent again until it has, within a budget. Against a small local server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Answer, createSeedClient, type SeedClient, slots } from './client.js';

let server: Server;
let dataDir: string;
let answer: (count: number) => { status: number; body: unknown };
let requests = 0;
let inFlight = 0;
let mostInFlight = 0;
/** Answers are held until released, so requests pile up as they would behind a busy database. */
let held: (() => void)[] = [];
let holding = false;

const client = async (options: { maxInFlight?: number; catchUpMs?: number } = {}): Promise<SeedClient> =>
  createSeedClient({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dataDir,
    ...options,
  });

beforeEach(async () => {
  requests = 0;
  inFlight = 0;
  mostInFlight = 0;
  held = [];
  holding = false;
  answer = () => ({ status: 200, body: {} });
  dataDir = await mkdtemp(join(tmpdir(), 'seed-client-'));
  await writeFile(
    join(dataDir, 'runtime.json'),
    JSON.stringify({ identity: { issuer: 'http://127.0.0.1:1/local_pool', clientId: 'seed-test' } }),
  );
  server = createServer((req, res) => {
    requests++;
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    const { status, body } = answer(requests);
    const reply = () => {
      inFlight--;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    req.resume().on('end', () => (holding ? held.push(reply) : reply()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

const notKnownYet = (a: Answer) => a.status === 404;
const as = { roles: ['committee' as const], sub: '01J00000000000000000000000' };

describe('slots', () => {
  it('lets `limit` holders in and the next one only when a holder leaves, first come first served', async () => {
    const acquire = slots(2);
    const order: string[] = [];
    const first = await acquire();
    const second = await acquire();
    const third = acquire().then((release) => {
      order.push('third');
      return release;
    });
    const fourth = acquire().then((release) => {
      order.push('fourth');
      return release;
    });
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await settle();
    expect(order).toEqual([]);
    first();
    // Leaving twice frees one place, not two.
    first();
    await settle();
    expect(order).toEqual(['third']);
    second();
    await settle();
    expect(order).toEqual(['third', 'fourth']);
    (await third)();
    (await fourth)();
  });
});

describe('the seed client', () => {
  it('keeps at most maxInFlight requests open, however many are asked for at once', async () => {
    const api = await client({ maxInFlight: 3 });
    holding = true;
    const calls = Array.from({ length: 10 }, () => api.call('GET', '/x', { as }));
    // Each round: wait until as many as allowed are waiting for their answers, then answer them.
    for (let answered = 0; answered < 10; ) {
      while (held.length < Math.min(3, 10 - answered)) await new Promise((resolve) => setImmediate(resolve));
      answered += held.length;
      for (const reply of held.splice(0)) reply();
    }
    await Promise.all(calls);
    expect(requests).toBe(10);
    expect(mostInFlight).toBeLessThanOrEqual(3);
  });

  it('sends a write again while the answer says the platform has not caught up, then takes the real answer', async () => {
    answer = (n) =>
      n < 3 ? { status: 404, body: { error: { code: 'not-found' } } } : { status: 201, body: { id: 'made' } };
    const api = await client();
    const made = await api.call('POST', '/x', { as, body: {}, notYet: notKnownYet });
    expect(made).toEqual({ status: 201, body: { id: 'made' } });
    expect(requests).toBe(3);
  });

  it('gives up on a platform that never catches up, saying what it waited for', async () => {
    answer = () => ({ status: 404, body: { error: { code: 'not-found' } } });
    const api = await client({ catchUpMs: 300 });
    await expect(api.call('POST', '/x', { as, body: {}, notYet: notKnownYet })).rejects.toThrow(
      /POST \/x: the platform had not caught up after 300 ms \(still 404/,
    );
  });

  it('takes a 404 as the answer when the call does not say it may be early', async () => {
    answer = () => ({ status: 404, body: { error: { code: 'not-found' } } });
    const api = await client();
    await expect(api.call('POST', '/x', { as, body: {} })).rejects.toThrow(/answered 404/);
    expect(requests).toBe(1);
  });
});
