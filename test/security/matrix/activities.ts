/** Access-matrix fixtures for activities's routes: one fresh call per route and persona. */
import type { Fixtures } from './world.js';

export const fixtures: Fixtures = {};
