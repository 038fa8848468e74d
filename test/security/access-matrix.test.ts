/**
 * The access matrix: every route × every persona, called through the gateway, against the
 * outcomes each route declares in its description. A loosened rule (a role added to a
 * route, a scope check dropped) changes a cell and fails here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../services/index.js';
import { type Outcome, type Persona, personas } from '../../shared/service.js';
import { request } from '../support/api.js';
import { fixtures as activities } from './matrix/activities.js';
import { fixtures as community } from './matrix/community.js';
import { fixtures as notices } from './matrix/notices.js';
import { fixtures as resources } from './matrix/resources.js';
import { fixtures as talent } from './matrix/talent.js';
import { buildWorld, type Fixtures, type World } from './matrix/world.js';

const fixtures: Fixtures = { ...talent, ...activities, ...resources, ...community, ...notices };
const routes = services.flatMap((s) => s.routes);

const agrees = (outcome: Outcome, status: number) =>
  outcome === 'allowed' ? status >= 200 && status < 300 : status === outcome;

let world: World;
beforeAll(async () => {
  world = await buildWorld();
}, 60_000);

describe('access matrix', () => {
  it('has a fixture for every route, and none for a route that does not exist', () => {
    const keys = new Set(routes.map((r) => r.routeKey));
    expect(routes.filter((r) => !fixtures[r.routeKey]).map((r) => r.routeKey)).toEqual([]);
    expect(Object.keys(fixtures).filter((k) => !keys.has(k))).toEqual([]);
  });

  it('every route declares an outcome for every persona', () => {
    const missing = routes.filter((r) => !r.outcomes || personas.some((p) => r.outcomes[p] === undefined));
    expect(missing.map((r) => r.routeKey)).toEqual([]);
  });

  it.each(routes.map((r) => [r.routeKey, r] as const))('%s', async (key, route) => {
    const fixture = fixtures[key];
    if (!fixture) throw new Error(`no fixture for ${key}`);
    const differences: string[] = [];
    for (const persona of personas as readonly Persona[]) {
      const call = await fixture(world, persona);
      const res = await request(
        route.method,
        `${call.path}${call.query ? `?${call.query}` : ''}`,
        call.body,
        {
          token: world.tokens[persona] ?? null,
          ...(call.now ? { now: call.now } : {}),
          ...(call.headers ? { headers: call.headers } : {}),
        },
      );
      const expected = route.outcomes[persona];
      if (!agrees(expected, res.status)) {
        differences.push(`${persona}: expected ${expected}, got ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    expect(differences).toEqual([]);
  });
});
