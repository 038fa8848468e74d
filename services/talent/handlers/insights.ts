import { z } from 'zod';
import { actsForBranch, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, ruleViolation } from '../../../shared/errors.js';
import { ok } from '../../../shared/http/result.js';
import { idParam } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { localDate } from '../../../shared/time.js';
import { ageStructure } from '../domain/age.js';
import { pipelineFunnel } from '../domain/due.js';
import { allPeople } from '../store.js';
import { getBranch } from './branches.js';

const scopeQuery = z.strictObject({ branchId: idParam.optional() });

/** A branch's insights for its secretary and the committee; the whole institution for the committee. */
const scope = async (ctx: ServiceContext, caller: Caller, branchId: string | undefined) => {
  if (branchId === undefined) {
    if (hasRole(caller, 'committee')) return undefined;
    if (!caller.branchId) throw ruleViolation('branch-required', 'name the branch (branchId)');
    branchId = caller.branchId;
  }
  if (!actsForBranch(caller, branchId) || !(await getBranch(ctx, branchId))) throw notFound('Branch');
  return branchId;
};

export const insightRoutes = [
  route('GET /talent/insights/age-structure', {
    access: ['committee', 'secretary'],
    request: { query: scopeQuery },
    handler: async ({ query, caller, now }, ctx) => {
      const branchId = await scope(ctx, caller, query.branchId);
      const people = await allPeople(ctx, branchId);
      return ok({ ...(branchId ? { branchId } : {}), ...ageStructure(people, localDate(now)) });
    },
  }),
  route('GET /talent/insights/pipeline', {
    access: ['committee', 'secretary'],
    request: { query: scopeQuery },
    handler: async ({ query, caller, now }, ctx) => {
      const branchId = await scope(ctx, caller, query.branchId);
      const people = await allPeople(ctx, branchId);
      const today = localDate(now);
      return ok({ ...(branchId ? { branchId } : {}), asOf: today, ...pipelineFunnel(people, today) });
    },
  }),
];
