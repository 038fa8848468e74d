/**
 * Waiting for a condition a test does not own (another process's end, a port let go), with
 * a named budget: a failure says what did not happen and how long it was given.
 */
export const until = async (what: string, budgetMs: number, holds: () => boolean | Promise<boolean>) => {
  const deadline = Date.now() + budgetMs;
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${budgetMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
