/**
 * The consumer wrapper and the publisher against DynamoDB Local (the runtime's), on the
 * test-only notes service's table.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { NoteCreated, notesService } from '../../test/notes/service.js';
import { runtime } from '../../test/support/api.js';
import { contextOn } from '../../test/support/start.js';
import { newId } from '../ids.js';
import { Transaction } from '../store/transaction.js';
import { createSubscriptionHandler, EventRejected } from './consumer.js';
import type { BusEvent } from './contract.js';

const context = () => contextOn(runtime(), 'notes');

const busEvent = (detail: unknown): BusEvent => ({
  version: '0',
  id: newId(),
  'detail-type': 'NoteCreated',
  source: 'dangjian.notes',
  account: '000000000000',
  time: '2026-11-26T00:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

const envelope = (data: unknown) => ({
  eventId: newId(),
  occurredAt: '2026-11-26T08:00:00+08:00',
  version: 1,
  data,
});

describe('the consumer wrapper', () => {
  it('applies an event once, however often and however concurrently it arrives', async () => {
    const ctx = context();
    // A private subscription on the real table, counting into its own item.
    const name = `count-${newId().toLowerCase()}`;
    const service = {
      ...notesService,
      subscriptions: [
        {
          name,
          pattern: {},
          contract: NoteCreated,
          handler: async (_e: unknown, tx: Transaction) => {
            tx.update(
              { pk: `COUNTER#${name}`, sk: 'COUNTER' },
              { expression: 'ADD #c :one', names: { '#c': 'count' }, values: { ':one': 1 } },
            );
          },
        },
      ],
    };
    const handle = createSubscriptionHandler(service as never, name, ctx);
    const event = busEvent(envelope({ noteId: 'n1', ownerId: 'p1', title: 't' }));
    await Promise.all([handle(event), handle(event), handle(event)]);
    await handle({ ...event, id: newId() }); // EventBridge may redeliver under a new id: detail.eventId decides
    const other = busEvent(envelope({ noteId: 'n2', ownerId: 'p1', title: 't' }));
    await handle(other);
    const { Item } = await ctx.db.send(
      new GetCommand({
        TableName: ctx.env.tableName,
        Key: { pk: `COUNTER#${name}`, sk: 'COUNTER' },
        ConsistentRead: true,
      }),
    );
    expect(Item?.count).toBe(2);
  });

  it('rejects an event that breaks the envelope or the contract, and applies nothing', async () => {
    const ctx = context();
    const handle = createSubscriptionHandler(notesService, 'count-notes', ctx);
    await expect(handle(busEvent({ noteId: 'n1' }))).rejects.toBeInstanceOf(EventRejected);
    const bad = busEvent(envelope({ noteId: 'n1', ownerId: 'p1' }));
    await expect(handle(bad)).rejects.toThrow(/does not match its contract/);
    const marker = await ctx.db.send(
      new GetCommand({
        TableName: ctx.env.tableName,
        Key: { pk: `SEEN#count-notes#${(bad.detail as { eventId: string }).eventId}`, sk: 'SEEN' },
      }),
    );
    expect(marker.Item).toBeUndefined();
  });
});

describe('the publisher', () => {
  it('refuses data that breaks its own contract before anything is written', () => {
    const tx = new Transaction({ db: context().db, tableName: 'x', table: notesService.table });
    expect(() =>
      tx.publish(NoteCreated, { noteId: 'n', ownerId: 'p' } as never, { key: 'n', occurredAt: new Date() }),
    ).toThrow(/does not match its contract/);
    expect(tx.size).toBe(0);
  });

  it('adds an outbox item keyed by aggregate and ordered by event id', () => {
    const tx = new Transaction({ db: context().db, tableName: 'x', table: notesService.table });
    const at = new Date('2026-11-26T00:00:00Z');
    const first = tx.publish(
      NoteCreated,
      { noteId: 'n', ownerId: 'p', title: 'a' },
      { key: 'n', occurredAt: at },
    );
    const second = tx.publish(
      NoteCreated,
      { noteId: 'n', ownerId: 'p', title: 'b' },
      { key: 'n', occurredAt: at },
    );
    expect(tx.size).toBe(2);
    expect(first).toMatchObject({ version: 1, occurredAt: '2026-11-26T00:00:00.000Z', data: { title: 'a' } });
    expect(first.eventId < second.eventId).toBe(true);
    expect(tx.published).toEqual([first, second]);
  });
});
