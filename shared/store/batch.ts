/**
 * Many puts and deletes with BatchWriteItem: 25 to a call (DynamoDB's limit), `parallel`
 * calls at a time, and what DynamoDB leaves unprocessed (throttled) sent again after a
 * growing pause, as AWS asks. Not atomic and publishes nothing: for backfills and bulk
 * loads, never for a request's own writes (those are transactions with their outbox).
 */
import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { OwnTable } from './query.js';

export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** DynamoDB's limit on one BatchWriteItem call. */
const BATCH = 25;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const writeInBatches = async (
  ctx: OwnTable,
  requests: readonly WriteRequest[],
  { parallel = 1 }: { parallel?: number } = {},
): Promise<void> => {
  const table = ctx.env.tableName;
  let next = 0;
  const worker = async () => {
    for (let start = next; start < requests.length; start = next) {
      next += BATCH;
      let pending = requests.slice(start, start + BATCH);
      for (let round = 0; pending.length > 0; round++) {
        if (round > 0) await pause(Math.min(1_000, 25 * 2 ** round));
        const out = await ctx.db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = out.UnprocessedItems?.[table] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
};

export const putRequests = (items: readonly Record<string, unknown>[]): WriteRequest[] =>
  items.map((Item) => ({ PutRequest: { Item } }));
