/** Access-matrix fixtures for talent's routes: one fresh call per route and persona. */
import type { Fixtures } from './world.js';

export const fixtures: Fixtures = {};
