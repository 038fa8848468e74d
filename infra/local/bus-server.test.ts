import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { busFaultRoutes } from '../../test/support/controls.js';
import { type EventBridgeEvent, LocalBus } from './bus.js';
import { type BusServer, startBusServer } from './bus-server.js';
import { DeadLetterStore } from './dead-letters.js';

const BUS = 'dangjian-local';
const THING = { source: ['dangjian.test'], 'detail-type': ['Thing'] };

let dataDir: string;
let bus: LocalBus;
let server: BusServer;
let client: EventBridgeClient;
let received: EventBridgeEvent[];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dangjian-bus-server-'));
  bus = new LocalBus({
    name: BUS,
    region: 'eu-west-1',
    account: '123456789012',
    deadLetters: new DeadLetterStore(dataDir),
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  });
  received = [];
  bus.subscribe({
    name: 'test.things',
    pattern: THING,
    deliver: async (event) => {
      received.push(event);
    },
  });
  // The fault switches are the tests' own, added as a test runtime adds them.
  server = await startBusServer(bus, { extra: busFaultRoutes(bus) });
  client = new EventBridgeClient({
    endpoint: server.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  await server.close();
  await bus.close();
  await rm(dataDir, { recursive: true, force: true });
});

function entry(detailType: string, detail: unknown): PutEventsRequestEntry {
  return {
    Source: 'dangjian.test',
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    EventBusName: BUS,
  };
}

// Admin answers are JSON of several shapes; tests assert on them with matchers.
type AdminBody = any;

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: AdminBody }> {
  const response = await fetch(`${server.endpoint}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('bus server with the real EventBridgeClient', () => {
  it('accepts PutEvents; the subscriber receives the matching entries only', async () => {
    const time = new Date('2025-06-01T08:00:00Z');
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { ...entry('Thing', { n: 1 }), Time: time, Resources: ['arn:aws:s3:::b/k'] },
          entry('Other', { n: 2 }),
          entry('Thing', { n: 3 }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toHaveLength(3);
    expect(result.Entries?.every((e) => typeof e.EventId === 'string')).toBe(true);

    expect((await admin('GET', '/idle')).status).toBe(200);
    expect(received.map((e) => e.detail)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(received[0]).toMatchObject({
      id: result.Entries?.[0]?.EventId,
      time: '2025-06-01T08:00:00Z',
      resources: ['arn:aws:s3:::b/k'],
      region: 'eu-west-1',
      account: '123456789012',
    });
  });

  it('reports failed entries the SDK way', async () => {
    const result = await client.send(
      new PutEventsCommand({ Entries: [entry('Thing', { ok: 1 }), { ...entry('Thing', {}), Detail: '[]' }] }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[1]).toEqual({
      ErrorCode: 'MalformedDetail',
      ErrorMessage: 'Detail is malformed.',
    });
  });

  it('refuses more than 10 entries with a ValidationException the SDK understands', async () => {
    const entries = Array.from({ length: 11 }, (_, n) => entry('Thing', { n }));
    const error = await client.send(new PutEventsCommand({ Entries: entries })).catch((err: unknown) => err);
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(/less than or equal to 10/);
  });

  it('with refusePutEvents, every entry fails and nothing is delivered', async () => {
    expect(await admin('PUT', '/faults', { refusePutEvents: true })).toEqual({
      status: 200,
      body: { refusePutEvents: true, duplicateDeliveries: false },
    });
    const result = await client.send(
      new PutEventsCommand({
        Entries: [entry('Thing', { n: 1 }), entry('Thing', { n: 2 }), entry('Thing', { n: 3 })],
      }),
    );
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries?.map((e) => e.ErrorCode)).toEqual([
      'InternalFailure',
      'InternalFailure',
      'InternalFailure',
    ]);
    await admin('GET', '/idle');
    expect(received).toEqual([]);

    await admin('PUT', '/faults', { refusePutEvents: false });
    expect(
      (await client.send(new PutEventsCommand({ Entries: [entry('Thing', {})] }))).FailedEntryCount,
    ).toBe(0);
  });

  it('answers an unknown operation with an AWS JSON error', async () => {
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListRules' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('bus server admin routes', () => {
  it('GET /stats and PUT /faults (duplicateDeliveries)', async () => {
    await admin('PUT', '/faults', { duplicateDeliveries: true });
    await client.send(new PutEventsCommand({ Entries: [entry('Thing', {})] }));
    await admin('GET', '/idle');
    expect(received).toHaveLength(2);
    const stats = await admin('GET', '/stats');
    expect(stats).toMatchObject({ status: 200, body: { accepted: 1, delivered: 2, inFlight: 0 } });
  });

  it('PUT /faults refuses unknown switches and non-booleans', async () => {
    expect(await admin('PUT', '/faults', { dropEverything: true })).toMatchObject({
      status: 400,
      body: { error: { code: 'ValidationError' } },
    });
    expect((await admin('PUT', '/faults', { refusePutEvents: 'yes' })).status).toBe(400);
    expect(bus.faults).toEqual({ refusePutEvents: false, duplicateDeliveries: false });
  });

  it('GET /dead-letters lists, POST /dead-letters/redrive redrives', async () => {
    let fixed = false;
    let applied = 0;
    bus.subscribe({
      name: 'test.broken',
      pattern: THING,
      deliver: async () => {
        if (!fixed) throw new Error('broken target');
        applied++;
      },
    });
    await client.send(new PutEventsCommand({ Entries: [entry('Thing', { n: 1 })] }));
    await admin('GET', '/idle');

    const listed = await admin('GET', '/dead-letters');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({
      target: 'test.broken',
      attempts: 2,
      error: { message: 'broken target' },
    });

    expect(await admin('POST', '/dead-letters/redrive', { id: '01JZZZZZZZZZZZZZZZZZZZZZZZ' })).toMatchObject({
      status: 404,
      body: { error: { code: 'NotFound' } },
    });

    fixed = true;
    const id = listed.body.items[0].id;
    expect(await admin('POST', '/dead-letters/redrive', { id })).toMatchObject({
      status: 200,
      body: { redriven: [id] },
    });
    await admin('GET', '/idle');
    expect(applied).toBe(1);
    expect((await admin('GET', '/dead-letters')).body.items).toEqual([]);
  });

  it('answers unknown routes with 404 JSON', async () => {
    expect(await admin('GET', '/nope')).toMatchObject({ status: 404, body: { error: { code: 'NotFound' } } });
    expect((await admin('DELETE', '/stats')).status).toBe(405);
  });
});
