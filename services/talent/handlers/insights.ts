import * as z from 'zod';
import { actsForBranch, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, ruleViolation } from '../../../shared/errors.js';
import { ok } from '../../../shared/http/result.js';
import { idParam } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { localDate } from '../../../shared/time.js';
import { ageStructure } from '../domain/age.js';
import { pipelineFunnelOf, STAGES_WITH_STEPS } from '../domain/due.js';
import { withoutEvidence } from '../domain/evidence.js';
import { countsByStatus } from '../domain/tallies.js';
import { evidencedStepsOf } from '../store/evidence.js';
import { ageTallies, peopleAtStages } from '../store.js';
import { AgeStructure, PipelineInsight } from '../views.js';
import { auditRead } from './audit.js';
import { getBranch } from './branches.js';
import { ownBranchManagers } from './outcomes.js';

const scopeQuery = z.strictObject({ branchId: idParam.optional() });

/** A branch's insights for its secretary and the committee; the whole institution for the committee. */
export const scope = async (ctx: ServiceContext, caller: Caller, branchId: string | undefined) => {
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
    summary: 'Age structure (年龄结构) of a branch or the institution: bands, share under 35, gaps (断层)',
    refusals: ['branch-required'],
    outcomes: ownBranchManagers,
    responses: { 200: AgeStructure },
    request: { query: scopeQuery },
    // Counts only, no one named: not an audited read of personal information.
    // Read from the tallies by birth date (one item per birth year), never from every person.
    handler: async ({ query, caller, now }, ctx) => {
      const branchId = await scope(ctx, caller, query.branchId);
      const tallies = await ageTallies(ctx, branchId);
      const body: z.output<typeof AgeStructure> = {
        ...(branchId ? { branchId } : {}),
        ...ageStructure(tallies, localDate(now)),
      };
      return ok(body);
    },
  }),
  route('GET /talent/insights/pipeline', {
    access: ['committee', 'secretary'],
    summary: 'The pipeline funnel (发展党员) per stage, and every step due or overdue, by name',
    refusals: ['branch-required'],
    outcomes: ownBranchManagers,
    responses: { 200: PipelineInsight },
    request: { query: scopeQuery },
    handler: async (req, ctx) => {
      const { query, caller, now } = req;
      const branchId = await scope(ctx, caller, query.branchId);
      // By name only the stages with steps; members and masses, the majority, from the tallies.
      const [people, tallies] = await Promise.all([
        peopleAtStages(ctx, branchId, STAGES_WITH_STEPS),
        ageTallies(ctx, branchId),
      ]);
      const today = localDate(now);
      // The due steps name people: a list of people, audited as one.
      await auditRead(ctx, req, 'people.list', {
        scope: { list: 'pipeline-due', ...(branchId ? { branchId } : {}) },
      });
      // Which completed steps lack evidence: one BatchGet of the people's evidence counts.
      const evidenced = await evidencedStepsOf(
        ctx,
        people.map((p) => p.personId),
      );
      const body: z.output<typeof PipelineInsight> = {
        ...(branchId ? { branchId } : {}),
        asOf: today,
        ...pipelineFunnelOf(people, countsByStatus(tallies), today),
        withoutEvidence: withoutEvidence(people, evidenced),
      };
      return ok(body);
    },
  }),
];
