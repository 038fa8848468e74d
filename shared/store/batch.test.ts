/** Bulk writes against DynamoDB Local (the runtime's), on the test-only notes service's table. */
import { BatchGetCommand, BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { runtime } from '../../test/support/api.js';
import { interposed } from '../../test/support/interposed.js';
import { contextOn } from '../../test/support/start.js';
import { newId } from '../ids.js';
import { getInBatches, putRequests, type WriteRequest, writeInBatches } from './batch.js';

const context = () => contextOn(runtime(), 'notes');

const stored = async (partition: string) => {
  const ctx = context();
  const out = await ctx.db.send(
    new QueryCommand({
      TableName: ctx.env.tableName,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': partition },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => i.sk as string).sort();
};

const items = (partition: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ pk: partition, sk: `ITEM#${String(i).padStart(3, '0')}` }));

describe('writeInBatches', () => {
  it('writes more than one call holds, several calls at a time, 25 to a call', async () => {
    const partition = `BATCH#${newId()}`;
    const sizes: number[] = [];
    const ctx = interposed(context(), (command, send) => {
      if (command instanceof BatchWriteCommand)
        sizes.push(Object.values(command.input.RequestItems ?? {})[0]?.length ?? 0);
      return send(command);
    });
    await writeInBatches(ctx, putRequests(items(partition, 60)), { parallel: 3 });
    expect(await stored(partition)).toEqual(items(partition, 60).map((i) => i.sk));
    expect(sizes.sort((a, b) => b - a)).toEqual([25, 25, 10]);
  });

  it('sends again what DynamoDB left unprocessed, until everything is written', async () => {
    const partition = `BATCH#${newId()}`;
    let calls = 0;
    const ctx = interposed(context(), async (command, send) => {
      if (!(command instanceof BatchWriteCommand)) return send(command);
      calls++;
      const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0] as [
        string,
        WriteRequest[],
      ];
      if (calls > 1) return send(command);
      // The first call: DynamoDB takes the first 5 and hands back the rest, as when throttled.
      await send(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, 5) } }));
      return { UnprocessedItems: { [table]: requests.slice(5) } };
    });
    await writeInBatches(ctx, putRequests(items(partition, 12)));
    expect(calls).toBe(2);
    expect(await stored(partition)).toEqual(items(partition, 12).map((i) => i.sk));
  });

  it('deletes as well as puts', async () => {
    const partition = `BATCH#${newId()}`;
    await writeInBatches(context(), putRequests(items(partition, 3)));
    const [first] = items(partition, 1);
    await writeInBatches(context(), [{ DeleteRequest: { Key: first } }]);
    expect(await stored(partition)).toEqual(
      items(partition, 3)
        .slice(1)
        .map((i) => i.sk),
    );
  });
});

describe('getInBatches', () => {
  const keysOf = (partition: string, n: number) => items(partition, n);
  const sks = (found: Record<string, unknown>[]) => found.map((i) => i.sk as string).sort();

  it('reads more keys than one call holds, 100 to a call, and leaves absent keys out', async () => {
    const partition = `BATCH#${newId()}`;
    await writeInBatches(context(), putRequests(items(partition, 150)), { parallel: 3 });
    const sizes: number[] = [];
    const ctx = interposed(context(), (command, send) => {
      if (command instanceof BatchGetCommand)
        sizes.push(Object.values(command.input.RequestItems ?? {})[0]?.Keys?.length ?? 0);
      return send(command);
    });
    const found = await getInBatches(ctx, keysOf(partition, 160), { consistentRead: true });
    expect(sks(found)).toEqual(items(partition, 150).map((i) => i.sk));
    expect(sizes).toEqual([100, 60]);
  });

  it('asks again for what DynamoDB left unprocessed, after a pause', async () => {
    const partition = `BATCH#${newId()}`;
    await writeInBatches(context(), putRequests(items(partition, 10)));
    const pauses: number[] = [];
    let calls = 0;
    const ctx = interposed(context(), async (command, send) => {
      if (!(command instanceof BatchGetCommand)) return send(command);
      calls++;
      if (calls > 1) return send(command);
      const [table, request] = Object.entries(command.input.RequestItems ?? {})[0] as [
        string,
        { Keys: Record<string, unknown>[]; ConsistentRead?: boolean },
      ];
      const first = (await send(
        new BatchGetCommand({ RequestItems: { [table]: { ...request, Keys: request.Keys.slice(0, 4) } } }),
      )) as Record<string, unknown>;
      return { ...first, UnprocessedKeys: { [table]: { ...request, Keys: request.Keys.slice(4) } } };
    });
    const found = await getInBatches(ctx, keysOf(partition, 10), {
      consistentRead: true,
      sleep: async (ms) => {
        pauses.push(ms);
      },
    });
    expect(sks(found)).toEqual(items(partition, 10).map((i) => i.sk));
    expect([calls, pauses.length]).toEqual([2, 1]);
  });

  it('gives up with 503 service-unavailable when DynamoDB keeps every key unprocessed', async () => {
    let calls = 0;
    const ctx = interposed(context(), async (command, send) => {
      if (!(command instanceof BatchGetCommand)) return send(command);
      calls++;
      return { Responses: {}, UnprocessedKeys: command.input.RequestItems };
    });
    const read = getInBatches(ctx, keysOf(`BATCH#${newId()}`, 3), { rounds: 4, sleep: async () => {} });
    await expect(read).rejects.toMatchObject({ kind: 'unavailable', code: 'service-unavailable' });
    expect(calls).toBe(4);
  });
});
