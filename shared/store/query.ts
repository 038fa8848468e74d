import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { badRequest } from '../errors.js';
import { decodeCursor, encodeCursor, type Page } from '../http/paging.js';

const invalidCursor = () => badRequest('invalid-cursor', 'The cursor does not belong to this list');

export interface PageQuery {
  /** The key condition's partition attribute and value; a cursor must stay inside it. */
  partition: { name: string; value: string };
  limit: number;
  cursor?: string | undefined;
}

/**
 * One page of a Query. The cursor is checked against the partition being listed, so a
 * cursor from another list (or a forged one) is a 400 rather than a way to read elsewhere.
 */
export const queryPage = async <T = Record<string, unknown>>(
  db: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  page: PageQuery,
  map: (item: Record<string, unknown>) => T = (item) => item as T,
): Promise<Page<T>> => {
  const start = decodeCursor(page.cursor);
  if (start && start[page.partition.name] !== page.partition.value) throw invalidCursor();
  let out: QueryCommandOutput;
  try {
    out = await db.send(
      new QueryCommand({ ...input, Limit: page.limit, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
  } catch (error) {
    if (start && error instanceof Error && error.name === 'ValidationException') throw invalidCursor();
    throw error;
  }
  const nextCursor = encodeCursor(out.LastEvaluatedKey as Record<string, string> | undefined);
  return { items: (out.Items ?? []).map(map), ...(nextCursor ? { nextCursor } : {}) };
};

/** Where a service's own table is: the parts of a ServiceContext the store helpers need. */
export interface OwnTable {
  db: DynamoDBDocumentClient;
  env: { tableName: string };
}

/**
 * Every item of a Query on the service's own table, following pages to the end. Only for
 * sets the domain bounds (one person's items, one event's registrations): lists that grow
 * without bound are paged to the caller with `queryPage` instead.
 */
export const queryAll = async <T = Record<string, unknown>>(
  ctx: OwnTable,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<T[]> => {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out: QueryCommandOutput = await ctx.db.send(
      new QueryCommand({
        TableName: ctx.env.tableName,
        ...input,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
};

/** One item of the service's own table, read consistently (it decides what the caller may do next). */
export const getItem = async <T = Record<string, unknown>>(
  ctx: OwnTable,
  key: Record<string, string>,
): Promise<T | undefined> =>
  (await ctx.db.send(new GetCommand({ TableName: ctx.env.tableName, Key: key, ConsistentRead: true })))
    .Item as T | undefined;
