/**
 * `npm run test:e2e`: a real browser (Debian's Chromium) against the platform already
 * running (`npm start`), not the throwaway runtime of `npm test`. It is found as the seed
 * finds it (infra/local/seed/target.ts): PORT (default 3000) or DANGJIAN_URL, and
 * DANGJIAN_DATA_DIR (default .data, for the local issuer's keys).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
