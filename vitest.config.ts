import { defineConfig } from 'vitest/config';
import { DELIVERY_BUDGET_MS, timeoutFor } from './test/support/wait.js';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'cdk.out/**', '.data/**', 'test/e2e/**'],
    globalSetup: ['test/global-setup.ts'],
    // A test's own requests and one wait on the bus (most tests begin by registering their
    // people, seedRoster, or wait for a notice or settle() once), so that wait's named budget
    // runs out before the runner's bare timeout; a test that waits more says so with
    // timeoutFor(...) beside it. Hooks the same: a beforeAll registers its people.
    testTimeout: timeoutFor(DELIVERY_BUDGET_MS),
    hookTimeout: timeoutFor(DELIVERY_BUDGET_MS),
    pool: 'forks',
  },
});
