/** Single writes in groups of this many at once: a 500-person notice is 20 rounds, never one transaction. */
const BATCH = 25;

/** Applies `write` to every item, a round of BATCH at a time (a retry redoes only what is idempotent). */
export const inBatches = async <T>(items: readonly T[], write: (item: T) => Promise<unknown>) => {
  for (let i = 0; i < items.length; i += BATCH) await Promise.all(items.slice(i, i + BATCH).map(write));
};
