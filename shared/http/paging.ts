import * as z from 'zod';
import { badRequest } from '../errors.js';

/** Every list takes `limit` and `cursor` and answers `{ items, nextCursor }`. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
};

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

type Key = Record<string, string | number>;

export const encodeCursor = (key: Key | undefined): string | undefined =>
  key === undefined ? undefined : Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

const keySchema = z.record(z.string(), z.union([z.string(), z.number()]));

/**
 * A cursor is an opaque LastEvaluatedKey. A forged or truncated one is the caller's
 * mistake: 400, never a DynamoDB validation error surfacing as a 500. Callers also check
 * that it stays inside the partition they query (see store helpers).
 */
export const decodeCursor = (cursor: string | undefined): Key | undefined => {
  if (cursor === undefined) return undefined;
  try {
    const parsed = keySchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success && Object.keys(parsed.data).length > 0) return parsed.data;
  } catch {
    // fall through to the 400
  }
  throw badRequest('invalid-cursor', 'The cursor is not one this API issued');
};

/** A page of stored things as a page of views: `items` and the cursor, nothing else. */
export const pageView = <T, V>(page: Page<T>, view: (item: T) => V): Page<V> => ({
  items: page.items.map(view),
  ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
});

/** The response schema of a list: `{ items, nextCursor? }` (for descriptions and the docs). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    nextCursor: z.string().optional().meta({ description: 'Pass back as `cursor` for the next page' }),
  });
