import {
  type DynamoDBDocumentClient,
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
