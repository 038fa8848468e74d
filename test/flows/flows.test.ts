/** The cross-service flows on the shared runtime (see scenarios.ts). */
import { describe, it } from 'vitest';
import { flows } from './scenarios.js';

describe('across services, over the bus', () => {
  it.each(flows)('%s', async (_name, flow) => {
    await flow();
  });
});
