import type { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../shared/context.js';
import { phonesOf } from './store.js';

/** A DynamoDB that answers BatchGet from `answer`, counting the calls. */
const fakeContext = (answer: (keys: Record<string, string>[]) => { found: number; unprocessed: number }) => {
  const calls: number[] = [];
  const db = {
    send: async (command: BatchGetCommand) => {
      const keys = command.input.RequestItems?.table?.Keys as Record<string, string>[];
      calls.push(keys.length);
      const { found, unprocessed } = answer(keys);
      return {
        Responses: {
          table: keys.slice(0, found).map((k) => ({ ...k, phones: ['13912345678'] })),
        },
        UnprocessedKeys: unprocessed ? { table: { Keys: keys.slice(found, found + unprocessed) } } : {},
      };
    },
  };
  return { ctx: { db, env: { tableName: 'table' } } as unknown as ServiceContext, calls };
};

describe('phonesOf', () => {
  it('asks again for the keys DynamoDB left unprocessed', async () => {
    const { ctx, calls } = fakeContext((keys) => ({ found: 1, unprocessed: keys.length - 1 }));
    const phones = await phonesOf(ctx, 'E1', ['R1', 'R2', 'R3']);
    expect([...phones.keys()]).toEqual(['R1', 'R2', 'R3']);
    expect(calls).toEqual([3, 2, 1]);
  });

  it('answers 503 rather than a list silently missing phones when keys stay unprocessed', async () => {
    const { ctx, calls } = fakeContext((keys) => ({ found: 0, unprocessed: keys.length }));
    await expect(phonesOf(ctx, 'E1', ['R1', 'R2'])).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'service-unavailable',
    });
    // getInBatches' bound (shared/store/batch.ts), not a loop until the Lambda times out.
    expect(calls).toHaveLength(8);
  });
});
