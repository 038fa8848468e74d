import { z } from 'zod';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, notFound, ruleViolation } from '../../../shared/errors.js';
import { pageQuery } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, nonEmpty } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { queryPage } from '../../../shared/store/query.js';
import { getItem, keys, strip, transaction } from '../store.js';

export interface PartyGroup {
  id: string;
  name: string;
  leaderId?: string;
}

/** 党支部 with its 党小组. */
export interface Branch {
  branchId: string;
  name: string;
  secretaryId?: string;
  partyGroups: PartyGroup[];
  createdAt: string;
}

export const getBranch = async (ctx: ServiceContext, branchId: string): Promise<Branch | undefined> => {
  const item = await getItem(ctx, keys.branch(branchId));
  return item ? strip<Branch>(item) : undefined;
};

/** A branch (and party group) a person is placed in must exist: a 422 naming which. */
export const requireBranch = async (
  ctx: ServiceContext,
  branchId: string | undefined,
  partyGroupId: string | undefined,
): Promise<void> => {
  if (branchId === undefined) {
    if (partyGroupId !== undefined) {
      throw ruleViolation('unknown-party-group', `party group ${partyGroupId} needs a branch`);
    }
    return;
  }
  const branch = await getBranch(ctx, branchId);
  if (!branch) throw ruleViolation('unknown-branch', `branch ${branchId} does not exist`);
  if (partyGroupId !== undefined && !branch.partyGroups.some((g) => g.id === partyGroupId)) {
    throw ruleViolation('unknown-party-group', `party group ${partyGroupId} is not in branch ${branchId}`);
  }
};

const branchBody = z.strictObject({
  name: nonEmpty(100),
  secretaryId: idParam.optional(),
  partyGroups: z
    .array(z.strictObject({ id: idParam.optional(), name: nonEmpty(100), leaderId: idParam.optional() }))
    .max(50)
    .default([]),
});

export const branchRoutes = [
  route('POST /talent/branches', {
    access: ['committee'],
    request: { body: branchBody },
    handler: async ({ body, now }, ctx) => {
      const branchId = newId();
      const branch: Branch = {
        branchId,
        name: body.name,
        ...(body.secretaryId ? { secretaryId: body.secretaryId } : {}),
        partyGroups: body.partyGroups.map((g) => ({
          id: g.id ?? newId(),
          name: g.name,
          ...(g.leaderId ? { leaderId: g.leaderId } : {}),
        })),
        createdAt: now.toISOString(),
      };
      if (new Set(branch.partyGroups.map((g) => g.id)).size !== branch.partyGroups.length) {
        throw conflict('duplicate-party-group', 'party group ids must be unique within the branch');
      }
      await transaction(ctx)
        .create(
          { ...keys.branch(branchId), kind: 'branch', gsi1pk: 'BRANCHES', gsi1sk: branchId, ...branch },
          () => conflict('branch-exists', `branch ${branchId} already exists`),
        )
        .commit();
      return created(branch, `/talent/branches/${branchId}`);
    },
  }),
  route('GET /talent/branches', {
    access: ['committee', 'secretary', 'member', 'partner'],
    request: { query: z.strictObject({ ...pageQuery }) },
    handler: async ({ query }, ctx) =>
      ok(
        await queryPage(
          ctx.db,
          {
            TableName: ctx.env.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: { ':p': 'BRANCHES' },
          },
          { partition: { name: 'gsi1pk', value: 'BRANCHES' }, limit: query.limit, cursor: query.cursor },
          (item) => strip<Branch>(item),
        ),
      ),
  }),
  route('GET /talent/branches/{branchId}', {
    access: ['committee', 'secretary', 'member', 'partner'],
    request: { params: z.strictObject({ branchId: idParam }) },
    handler: async ({ params }, ctx) => {
      const branch = await getBranch(ctx, params.branchId);
      if (!branch) throw notFound('Branch');
      return ok(branch);
    },
  }),
];
