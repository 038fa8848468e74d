/** Bulk writes against DynamoDB Local (the runtime's), on the test-only notes service's table. */
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { runtime } from '../../test/support/api.js';
import { interposed } from '../../test/support/interposed.js';
import { contextOn } from '../../test/support/start.js';
import { newId } from '../ids.js';
import { putRequests, type WriteRequest, writeInBatches } from './batch.js';

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
