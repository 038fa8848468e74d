/**
 * Waiting for a condition a test does not own (another process's end, a port let go, an
 * event's way through the bus), with a named budget: a failure says what it waited for and
 * how long, rather than the runner's bare "timed out" about the whole test.
 *
 * A budget is only heard if the test's own timeout is longer than the waits it contains:
 * `timeoutFor` adds them up (the runner's default is one delivery's wait, see
 * vitest.config.ts), so a wait that fails names itself first.
 */
export const until = async (
  /** What is waited for; a function may say how far it got. */
  what: string | (() => string),
  budgetMs: number,
  holds: () => boolean | Promise<boolean>,
) => {
  const deadline = Date.now() + budgetMs;
  while (!(await holds())) {
    if (Date.now() > deadline) {
      throw new Error(`waited ${seconds(budgetMs)} for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const seconds = (ms: number) => `${(ms / 1000).toLocaleString('en')} s`;

/**
 * A test's own requests through the gateway, a few dozen at most: what the runner's 20 s
 * timeout was for before it counted waits, and what held for tests that wait on nothing.
 */
export const REQUESTS_BUDGET_MS = 20_000;

/**
 * An event's way through the local bus to its consumers (people reaching every roster copy,
 * a notice an inbox, the platform going quiet). Files run one at a time, but the bus runs 8
 * deliveries at once (MAX_CONCURRENT_DELIVERIES in infra/local/bus.ts), first come first
 * served, so a test's event queues behind whatever the files before it left on the bus,
 * on a machine that may run a second suite and other work beside this one.
 */
export const DELIVERY_BUDGET_MS = 60_000;

/** `n` waits for deliveries, each with its budget. */
export const deliveries = (n: number): number => n * DELIVERY_BUDGET_MS;

/** A test's timeout from the waits it contains (their budgets) and its own requests. */
export const timeoutFor = (...waits: number[]): number =>
  waits.reduce((sum, wait) => sum + wait, REQUESTS_BUDGET_MS);
