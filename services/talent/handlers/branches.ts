import * as z from 'zod';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, notFound, ruleViolation } from '../../../shared/errors.js';
import { pageOf, pageQuery } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, nonEmpty } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { getItem, queryPage } from '../../../shared/store/query.js';
import { keys, peopleOfBranch, strip, transaction } from '../store.js';
import { Branch as BranchSchema } from '../views.js';
import { itemVersionGuard, versionOf } from './common.js';
import { committeeOnly, everyoneSignedIn } from './outcomes.js';

export interface PartyGroup {
  id: string;
  name: string;
  leaderId?: string;
}

/** 党支部 with its 党小组; `version` is the optimistic precondition of corrections (older branches count as 1). */
export type Branch = z.output<typeof BranchSchema>;

const branchOf = (item: Record<string, unknown>): Branch => ({
  ...strip<Branch>(item),
  version: versionOf(item),
});

const branchItem = (branch: Branch) => ({
  ...keys.branch(branch.branchId),
  kind: 'branch',
  gsi1pk: 'BRANCHES',
  gsi1sk: branch.branchId,
  ...branch,
});

export const getBranch = async (ctx: ServiceContext, branchId: string): Promise<Branch | undefined> => {
  const item = await getItem(ctx, keys.branch(branchId));
  return item ? branchOf(item) : undefined;
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

const partyGroupsBody = z
  .array(z.strictObject({ id: idParam.optional(), name: nonEmpty(100), leaderId: idParam.optional() }))
  .max(50);

/** A new branch's groups are all new: their ids are the service's to give, never the caller's. */
const branchBody = z.strictObject({
  name: nonEmpty(100),
  secretaryId: idParam.optional(),
  partyGroups: z
    .array(z.strictObject({ name: nonEmpty(100), leaderId: idParam.optional() }))
    .max(50)
    .default([]),
});

/** PATCH: `partyGroups` is the full new list; a group keeps its `id`, a group without one is new. */
const branchPatchBody = z.strictObject({
  version: z.number().int().positive(),
  name: nonEmpty(100).optional(),
  secretaryId: idParam.nullable().optional(),
  partyGroups: partyGroupsBody.optional(),
});

/** A party group as sent, with its id (a new one when none was sent). */
const toPartyGroup = (g: z.output<typeof partyGroupsBody>[number]): PartyGroup => ({
  id: g.id ?? newId(),
  name: g.name,
  ...(g.leaderId ? { leaderId: g.leaderId } : {}),
});

const requireUniqueGroups = (groups: readonly PartyGroup[]) => {
  if (new Set(groups.map((g) => g.id)).size !== groups.length) {
    throw conflict('duplicate-party-group', 'party group ids must be unique within the branch');
  }
};

const versionConflict = (branchId: string) =>
  conflict('version-conflict', `branch ${branchId} changed meanwhile; read it again`);

/**
 * The new party groups of a branch. A group sent with an id must already be in the branch: an
 * id names an existing group, so a mistyped one is refused rather than silently replacing it.
 */
const nextPartyGroups = (
  current: readonly PartyGroup[],
  sent: z.output<typeof partyGroupsBody>,
): PartyGroup[] => {
  const known = new Set(current.map((g) => g.id));
  const groups = sent.map((g) => {
    if (g.id !== undefined && !known.has(g.id)) {
      throw ruleViolation('unknown-party-group', `party group ${g.id} is not in this branch`);
    }
    return toPartyGroup(g);
  });
  requireUniqueGroups(groups);
  return groups;
};

/**
 * A party group still holding people cannot go: they would point at a group that no longer
 * exists. Read through the branch's people (gsi1, one Query of a branch-sized partition);
 * talent keeps no index by party group, and a branch is small.
 */
const requireEmpty = async (ctx: ServiceContext, branchId: string, removed: readonly PartyGroup[]) => {
  if (removed.length === 0) return;
  const people = await peopleOfBranch(ctx, branchId);
  for (const group of removed) {
    const members = people.filter((p) => p.partyGroupId === group.id);
    if (members.length > 0) {
      throw conflict(
        'party-group-in-use',
        `party group "${group.name}" (${group.id}) still has ${members.length} ${members.length === 1 ? 'person' : 'people'}; move them first`,
        { partyGroupId: group.id, name: group.name, people: members.length },
      );
    }
  }
};

export const branchRoutes = [
  route('POST /talent/branches', {
    access: ['committee'],
    summary: 'Create a branch (党支部) with its party groups (党小组)',
    outcomes: committeeOnly,
    responses: { 201: BranchSchema },
    request: { body: branchBody },
    handler: async ({ body, now }, ctx) => {
      const branchId = newId();
      const branch: Branch = {
        branchId,
        name: body.name,
        ...(body.secretaryId ? { secretaryId: body.secretaryId } : {}),
        partyGroups: body.partyGroups.map(toPartyGroup),
        version: 1,
        createdAt: now.toISOString(),
      };
      requireUniqueGroups(branch.partyGroups);
      await transaction(ctx)
        .create(branchItem(branch), () => conflict('branch-exists', `branch ${branchId} already exists`))
        .commit();
      return created(branch, `/talent/branches/${branchId}`);
    },
  }),
  route('GET /talent/branches', {
    access: ['committee', 'secretary', 'member', 'partner'],
    summary: 'The branches (党支部) of the institution',
    outcomes: everyoneSignedIn,
    responses: { 200: pageOf(BranchSchema) },
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
          branchOf,
        ),
      ),
  }),
  route('GET /talent/branches/{branchId}', {
    access: ['committee', 'secretary', 'member', 'partner'],
    summary: 'One branch with its party groups',
    outcomes: everyoneSignedIn,
    responses: { 200: BranchSchema },
    request: { params: z.strictObject({ branchId: idParam }) },
    handler: async ({ params }, ctx) => {
      const branch = await getBranch(ctx, params.branchId);
      if (!branch) throw notFound('Branch');
      return ok(branch);
    },
  }),
  route('PATCH /talent/branches/{branchId}', {
    access: ['committee'],
    summary: 'Correct a branch (optimistic: send the version read); `partyGroups` is the full new list',
    outcomes: committeeOnly,
    responses: { 200: BranchSchema },
    request: { params: z.strictObject({ branchId: idParam }), body: branchPatchBody },
    handler: async ({ params, body, now }, ctx) => {
      const current = await getBranch(ctx, params.branchId);
      if (!current) throw notFound('Branch');
      if (body.version !== current.version) {
        throw conflict(
          'version-conflict',
          `branch is at version ${current.version}, not ${body.version}; read it again`,
        );
      }
      const { version: _v, ...changes } = body;
      if (Object.keys(changes).length === 0) return ok(current);
      const next: Branch = { ...current };
      if (body.name !== undefined) next.name = body.name;
      if (body.secretaryId === null) delete next.secretaryId;
      else if (body.secretaryId !== undefined) next.secretaryId = body.secretaryId;
      if (body.partyGroups !== undefined) {
        next.partyGroups = nextPartyGroups(current.partyGroups, body.partyGroups);
        const kept = new Set(next.partyGroups.map((g) => g.id));
        await requireEmpty(
          ctx,
          current.branchId,
          current.partyGroups.filter((g) => !kept.has(g.id)),
        );
      }
      next.version = current.version + 1;
      next.updatedAt = now.toISOString();
      await transaction(ctx)
        .put(branchItem(next), {
          ...itemVersionGuard(current.version),
          onConditionFailed: () => versionConflict(current.branchId),
        })
        .commit();
      return ok(next);
    },
  }),
];
