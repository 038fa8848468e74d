/** The relay handler against the runtime's real bus server, speaking EventBridge's protocol. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBus } from '../../infra/local/bus.js';
import { type BusServer, startBusServer } from '../../infra/local/bus-server.js';
import { DeadLetterStore } from '../../infra/local/dead-letters.js';
import { createEventBridgeClient } from '../aws/clients.js';
import type { BusEvent } from './contract.js';
import { createRelayHandler } from './relay.js';

let dataDir: string;
let bus: LocalBus;
let server: BusServer;
let received: BusEvent[];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dangjian-relay-'));
  bus = new LocalBus({
    name: 'dangjian-test',
    deadLetters: new DeadLetterStore(dataDir),
    retry: { maxAttempts: 1 },
  });
  received = [];
  bus.subscribe({
    name: 'test.all',
    pattern: { source: [{ prefix: 'dangjian.' }] },
    deliver: async (event) => {
      received.push(event as BusEvent);
    },
  });
  server = await startBusServer(bus);
});

afterEach(async () => {
  await server.close().catch(() => undefined);
  await bus.close();
  await rm(dataDir, { recursive: true, force: true });
});

const relay = () =>
  createRelayHandler({
    eventBridge: createEventBridgeClient({
      region: 'eu-west-1',
      endpoints: { eventbridge: server.endpoint },
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
    busName: 'dangjian-test',
    log: new Logger({ logLevel: 'SILENT' }),
    attempts: 2,
    backoffMs: 1,
  });

const record = (
  n: number,
  kind = 'outbox',
  eventName: DynamoDBRecord['eventName'] = 'INSERT',
): DynamoDBRecord => ({
  eventName,
  dynamodb: {
    SequenceNumber: String(1000 + n),
    NewImage: {
      kind: { S: kind },
      source: { S: 'dangjian.notes' },
      detailType: { S: 'NoteCreated' },
      detail: {
        S: JSON.stringify({ eventId: `E${n}`, occurredAt: '2026-11-26T00:00:00Z', version: 1, data: { n } }),
      },
    },
  },
});

describe('the outbox relay', () => {
  it('puts every outbox record on the bus in order, in batches of ten, and skips everything else', async () => {
    const records = [
      ...Array.from({ length: 23 }, (_, i) => record(i)),
      record(90, 'person'),
      record(91, 'outbox', 'REMOVE'),
    ];
    expect(await relay()({ Records: records })).toEqual({ batchItemFailures: [] });
    await bus.idle();
    expect(received.map((e) => (e.detail as { eventId: string }).eventId)).toEqual(
      Array.from({ length: 23 }, (_, i) => `E${i}`),
    );
    expect(received[0]).toMatchObject({ source: 'dangjian.notes', 'detail-type': 'NoteCreated' });
  });

  it('hands the first refused record back to the stream when the bus keeps refusing', async () => {
    bus.faults.refusePutEvents = true;
    const result = await relay()({ Records: [record(1), record(2), record(3)] });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '1001' }] });
    await bus.idle();
    expect(received).toEqual([]);

    bus.faults.refusePutEvents = false;
    expect(await relay()({ Records: [record(1), record(2), record(3)] })).toEqual({ batchItemFailures: [] });
    await bus.idle();
    expect(received).toHaveLength(3);
  });

  it('reports the batch as failed when the bus cannot be reached at all', async () => {
    await server.close();
    const result = await relay()({ Records: [record(7)] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1007' }]);
  });
});
