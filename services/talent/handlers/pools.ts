import * as z from 'zod';
import { actorOf, actsForBranch, hasRole } from '../../../shared/auth.js';
import { pageQuery } from '../../../shared/http/paging.js';
import { noContent, ok } from '../../../shared/http/result.js';
import { idParam } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { toLocalIso } from '../../../shared/time.js';
import { type Person, talentPools } from '../domain/person.js';
import { getPeople, keys, poolPage, transaction } from '../store.js';
import { PoolMembership, PoolPage, personSummary } from '../views.js';
import { auditRead, auditWrite } from './audit.js';
import { managedPerson } from './common.js';
import { allManagers, personManagers } from './outcomes.js';

export { talentPools };

const memberParams = z.strictObject({ pool: z.enum(talentPools), personId: idParam });

export const poolRoutes = [
  route('PUT /talent/pools/{pool}/members/{personId}', {
    access: ['committee', 'secretary'],
    summary: 'Put a person in a talent pool (人才库: 后备干部, 青年人才, 党务工作者)',
    outcomes: personManagers,
    refusals: ['own-record'],
    responses: { 200: PoolMembership },
    request: { params: memberParams },
    handler: async (req, ctx) => {
      const { params, caller, now } = req;
      const person = await managedPerson(ctx, caller, params.personId);
      const tx = transaction(ctx).put({
        ...keys.pool(person.personId, params.pool),
        kind: 'pool-member',
        pool: params.pool,
        personId: person.personId,
        addedAt: toLocalIso(now),
        addedBy: actorOf(caller),
        gsi1pk: `POOL#${params.pool}`,
        gsi1sk: person.personId,
      });
      auditWrite(tx, req, 'pool.add', person.personId);
      await tx.commit();
      return ok({ pool: params.pool, personId: person.personId } satisfies z.output<typeof PoolMembership>);
    },
  }),
  route('DELETE /talent/pools/{pool}/members/{personId}', {
    access: ['committee', 'secretary'],
    summary: 'Take a person out of a talent pool',
    outcomes: personManagers,
    refusals: ['own-record'],
    responses: { 204: 'empty' },
    request: { params: memberParams },
    handler: async (req, ctx) => {
      const { params, caller } = req;
      const person = await managedPerson(ctx, caller, params.personId);
      const tx = transaction(ctx).delete(keys.pool(person.personId, params.pool));
      auditWrite(tx, req, 'pool.remove', person.personId);
      await tx.commit();
      return noContent();
    },
  }),
  route('GET /talent/pools/{pool}', {
    access: ['committee', 'secretary'],
    summary: "A talent pool's members, contact details masked; a secretary sees their own branch's part",
    outcomes: allManagers,
    responses: { 200: PoolPage },
    request: {
      params: z.strictObject({ pool: z.enum(talentPools) }),
      query: z.strictObject({ ...pageQuery }),
    },
    handler: async (req, ctx) => {
      const { params, query, caller } = req;
      const page = await poolPage(ctx, params.pool, query);
      const people = await getPeople(ctx, page.items);
      // A secretary sees their own branch's part of a pool.
      const items = page.items
        .map((id) => people.get(id))
        .filter((p): p is Person => p !== undefined && actsForBranch(caller, p.branchId))
        .map(personSummary);
      await auditRead(ctx, req, 'people.list', {
        scope: {
          list: 'pool',
          pool: params.pool,
          // A secretary's page is their branch's part of the pool.
          ...(!hasRole(caller, 'committee') && caller.branchId ? { branchId: caller.branchId } : {}),
        },
      });
      const body: z.output<typeof PoolPage> = {
        pool: params.pool,
        items,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
      return ok(body);
    },
  }),
];
