import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { type Cursors, invalidCursor, type Position } from '../http/cursor.js';
import type { Page } from '../http/paging.js';

export interface PageQuery {
  /** The access pattern's name: its cursors open on this list only. */
  list: string;
  /** The key condition's partition attribute and value; a cursor must stay inside it. */
  partition: { name: string; value: string };
  limit: number;
  cursor?: string | undefined;
}

/** What paging needs of a ServiceContext: the database and the cursor key. */
export interface Paging {
  db: DynamoDBDocumentClient;
  cursors: Cursors;
}

/**
 * One page of a Query. The cursor opens only on the list that sealed it and must stay in the
 * partition being listed (another branch's page of the same list), so a cursor from
 * elsewhere is a 400 rather than a way to read elsewhere.
 */
export const queryPage = async <T = Record<string, unknown>>(
  { db, cursors }: Paging,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  page: PageQuery,
  map: (item: Record<string, unknown>) => T = (item) => item as T,
): Promise<Page<T>> => {
  const start = page.cursor === undefined ? undefined : await cursors.open(page.list, page.cursor);
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
  const last = out.LastEvaluatedKey as Position | undefined;
  const nextCursor = last ? await cursors.seal(page.list, last) : undefined;
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
