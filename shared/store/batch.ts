/**
 * Batch reads and writes on a service's own table, with what DynamoDB leaves unprocessed
 * (throttling) asked again after a jittered, growing pause, as AWS asks.
 *
 * Many puts and deletes with BatchWriteItem: 25 to a call (DynamoDB's limit), `parallel`
 * calls at a time, and what DynamoDB leaves unprocessed (throttled) sent again after a
 * growing pause, as AWS asks. Not atomic and publishes nothing: for backfills, bulk loads
 * and projections a subscription rebuilds from committed state (each write standing alone),
 * never for a request's own record (those are transactions with their outbox).
 */
import { BatchGetCommand, BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { jitteredDelay, pause } from '../backoff.js';
import { serviceUnavailable } from '../errors.js';
import type { OwnTable } from './query.js';

export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** DynamoDB's limit on one BatchWriteItem call. */
const BATCH = 25;

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
        if (round > 0) await pause(jitteredDelay(round, 1_000));
        const out = await ctx.db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = out.UnprocessedItems?.[table] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
};

export const putRequests = (items: readonly Record<string, unknown>[]): WriteRequest[] =>
  items.map((Item) => ({ PutRequest: { Item } }));

/** DynamoDB's limit on one BatchGetItem call. */
const GET_BATCH = 100;

export interface BatchGetOptions {
  consistentRead?: boolean;
  /** Calls per chunk before giving up on keys DynamoDB keeps leaving unprocessed. */
  rounds?: number;
  /** Injected for tests: the pause between rounds. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The items under `keys` (absent ones are simply missing), 100 keys to a call. Keys still
 * unprocessed after `rounds` calls are a 503 `service-unavailable`: a request gets an answer
 * well within its time, never a list that silently lacks items nor a loop until the Lambda
 * times out.
 */
export const getInBatches = async (
  ctx: OwnTable,
  keys: readonly Record<string, unknown>[],
  { consistentRead = false, rounds = 8, sleep = pause }: BatchGetOptions = {},
): Promise<Record<string, unknown>[]> => {
  const table = ctx.env.tableName;
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += GET_BATCH) {
    let pending = keys.slice(start, start + GET_BATCH);
    for (let round = 0; pending.length > 0; round++) {
      if (round === rounds) throw serviceUnavailable('Not everything could be read; try again');
      if (round > 0) await sleep(jitteredDelay(round, 200));
      const out = await ctx.db.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: consistentRead } } }),
      );
      found.push(...(out.Responses?.[table] ?? []));
      pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return found;
};
