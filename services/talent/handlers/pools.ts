import { z } from 'zod';
import { actsForBranch } from '../../../shared/auth.js';
import { pageQuery } from '../../../shared/http/paging.js';
import { noContent, ok } from '../../../shared/http/result.js';
import { idParam } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { type Person, personView } from '../domain/person.js';
import { getPeople, keys, poolPage, transaction } from '../store.js';
import { managedPerson } from './common.js';

/** 后备干部, 青年人才, 党务工作者. */
export const talentPools = ['reserve-cadre', 'young-talent', 'party-affairs'] as const;

const memberParams = z.strictObject({ pool: z.enum(talentPools), personId: idParam });

export const poolRoutes = [
  route('PUT /talent/pools/{pool}/members/{personId}', {
    access: ['committee', 'secretary'],
    request: { params: memberParams },
    handler: async ({ params, caller, now }, ctx) => {
      const person = await managedPerson(ctx, caller, params.personId);
      await transaction(ctx)
        .put({
          ...keys.pool(person.personId, params.pool),
          kind: 'pool-member',
          pool: params.pool,
          personId: person.personId,
          addedAt: now.toISOString(),
          addedBy: caller.sub,
          gsi1pk: `POOL#${params.pool}`,
          gsi1sk: person.personId,
        })
        .commit();
      return ok({ pool: params.pool, personId: person.personId });
    },
  }),
  route('DELETE /talent/pools/{pool}/members/{personId}', {
    access: ['committee', 'secretary'],
    request: { params: memberParams },
    handler: async ({ params, caller }, ctx) => {
      const person = await managedPerson(ctx, caller, params.personId);
      await transaction(ctx).delete(keys.pool(person.personId, params.pool)).commit();
      return noContent();
    },
  }),
  route('GET /talent/pools/{pool}', {
    access: ['committee', 'secretary'],
    request: {
      params: z.strictObject({ pool: z.enum(talentPools) }),
      query: z.strictObject({ ...pageQuery }),
    },
    handler: async ({ params, query, caller }, ctx) => {
      const page = await poolPage(ctx, params.pool, query);
      const people = await getPeople(ctx, page.items);
      // A secretary sees their own branch's part of a pool.
      const items = page.items
        .map((id) => people.get(id))
        .filter((p): p is Person => p !== undefined && actsForBranch(caller, p.branchId))
        .map((p) => personView(p, caller));
      return ok({ pool: params.pool, items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    },
  }),
];
