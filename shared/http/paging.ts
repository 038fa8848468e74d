import * as z from 'zod';

/** Every list takes `limit` and `cursor` and answers `{ items, nextCursor }`. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
};

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

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
