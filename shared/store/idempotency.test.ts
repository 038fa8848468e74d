import { describe, expect, it } from 'vitest';
import type { ServiceContext } from '../context.js';
import { commitClaimed } from './idempotency.js';
import type { Transaction } from './transaction.js';

const claim = {
  scope: 'registration#PARTNER#P1',
  key: 'key-12345678',
  fingerprint: 'f',
  entityId: 'R1',
  now: new Date(),
};
const failing = (error: unknown) => ({ commit: async () => Promise.reject(error) }) as unknown as Transaction;
const database = (answer: (command: { constructor: { name: string } }) => Promise<unknown>) => {
  const sent: string[] = [];
  const ctx = {
    db: {
      send: (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return answer(command);
      },
    },
    env: { tableName: 'table' },
  } as unknown as ServiceContext;
  return { ctx, sent };
};

describe('commitClaimed', () => {
  it('passes on a definite refusal from DynamoDB (a 4xx) without fencing', async () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    const { ctx, sent } = database(async () => ({}));
    await expect(commitClaimed(ctx, failing(throttled), claim)).rejects.toBe(throttled);
    expect(sent).toEqual([]);
  });

  it('fences a lost answer: 503 service-unavailable once the fence holds, so the write can never land', async () => {
    const { ctx, sent } = database(async () => ({}));
    const lost = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    await expect(commitClaimed(ctx, failing(lost), claim)).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'service-unavailable',
      message: expect.stringContaining('retry with the same Idempotency-Key'),
    });
    expect(sent).toEqual(['UpdateCommand']);
  });

  it('says the outcome is unknown, never "nothing was written", when the fence cannot be written', async () => {
    const { ctx, sent } = database(async () => Promise.reject(new Error('unreachable')));
    const lost = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    await expect(commitClaimed(ctx, failing(lost), claim)).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'outcome-unknown',
    });
    expect(sent.length).toBeGreaterThan(1);
  });
});
