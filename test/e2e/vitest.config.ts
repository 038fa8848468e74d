/**
 * `npm run test:e2e`: a real browser (Debian's Chromium) against the platform already
 * running (`npm start`), not the throwaway runtime of `npm test`: DANGJIAN_URL (default
 * http://127.0.0.1:3000) and DANGJIAN_DATA_DIR (default .data, for the local issuer's keys).
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
