import * as z from 'zod';
import { isSelf } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, notFound, ownRecord, ruleViolation } from '../../../shared/errors.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { pageOf, pageQuery } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, singleLine, versionField } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { getItem } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { versionConflict } from '../../../shared/store/version.js';
import { toLocalIso } from '../../../shared/time.js';
import type { Person } from '../domain/person.js';
import {
  allBranchItems,
  branchesPage,
  getPerson,
  itemVersionCondition,
  keys,
  peopleOfBranch,
  strip,
  transaction,
  versionOf,
} from '../store.js';
import { Branch as BranchSchema } from '../views.js';
import type { Audited } from './audit.js';
import { changeRoles, nextVersion } from './common.js';
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
  // Branches written before the flag existed are working branches.
  retiredMembers: item.retiredMembers === true,
  version: versionOf(item),
});

export const branchItem = (branch: Branch) => ({
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

/** Every branch (a few dozen: the institution's 党支部), for an import resolving names. */
export const allBranches = async (ctx: ServiceContext): Promise<Branch[]> =>
  (await allBranchItems(ctx)).map(branchOf);

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
  .array(z.strictObject({ id: idParam.optional(), name: singleLine(100), leaderId: idParam.optional() }))
  .max(50);

/**
 * A new branch's groups are all new: their ids are the service's to give, never the caller's.
 * It has no people yet, so no secretary: one is named from its people (PATCH).
 */
const branchBody = z.strictObject({
  name: singleLine(100).meta({ example: '机关第一党支部' }),
  partyGroups: z
    .array(z.strictObject({ name: singleLine(100), leaderId: idParam.optional() }))
    .max(50)
    .default([]),
  /** 离退休党支部: retirements move members here (domain/lifecycle.ts `retirementPlacement`). */
  retiredMembers: z.boolean().default(false),
});

/** PATCH: `partyGroups` is the full new list; a group keeps its `id`, a group without one is new. */
const branchPatchBody = z.strictObject({
  version: versionField,
  name: singleLine(100).optional(),
  secretaryId: idParam.nullable().optional(),
  partyGroups: partyGroupsBody.optional(),
  retiredMembers: z.boolean().optional(),
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

/** How refusals name a branch: a person's write may change the branch they were secretary of too. */
const theBranch = (branchId: string) => `Branch ${branchId}`;

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

/**
 * The secretary's role moves with the branch's `secretaryId`, in the branch's own write: the
 * person named gets `secretaryOf`, the one replaced loses it, and each is announced
 * (PersonUpdated, `roles`), which their sign-in accounts follow.
 */
const nameSecretary = async (
  ctx: ServiceContext,
  tx: Transaction,
  req: Audited,
  branch: Branch,
  secretaryId: string | undefined,
) => {
  const incoming = secretaryId === undefined ? undefined : await getPerson(ctx, secretaryId);
  if (secretaryId !== undefined) {
    if (isSelf(req.caller, secretaryId)) throw ownRecord('Nobody names themselves secretary');
    if (!incoming || incoming.departure || incoming.branchId !== branch.branchId) {
      throw ruleViolation('secretary-not-in-branch', `the secretary is named from the branch's own people`);
    }
  }
  const outgoing = branch.secretaryId === undefined ? undefined : await getPerson(ctx, branch.secretaryId);
  if (outgoing?.secretaryOf === branch.branchId) {
    const { secretaryOf: _s, ...rest } = outgoing;
    changeRoles(tx, req, outgoing, nextVersion(rest, req.now));
  }
  if (incoming)
    changeRoles(tx, req, incoming, nextVersion(incoming, req.now, { secretaryOf: branch.branchId }));
};

/** The branch a departing or moving secretary leaves is left without one, in the same write. */
export const leaveSecretaryship = async (ctx: ServiceContext, tx: Transaction, person: Person, now: Date) => {
  if (person.secretaryOf === undefined) return;
  const branch = await getBranch(ctx, person.secretaryOf);
  if (branch?.secretaryId !== person.personId) return;
  const { secretaryId: _s, ...unnamed } = branch;
  tx.put(
    branchItem({ ...unnamed, version: branch.version + 1, updatedAt: toLocalIso(now) }),
    itemVersionCondition(branch.version, theBranch(branch.branchId)),
  );
};

export const branchRoutes = [
  route('POST /talent/branches', {
    access: ['committee'],
    summary:
      'Create a branch (党支部) with its party groups (党小组); `retiredMembers` marks a retired members’ branch (离退休党支部). A repeat with the same Idempotency-Key answers 201 with the branch as it stands now',
    refusals: ['branch-exists', 'duplicate-party-group'],
    outcomes: committeeOnly,
    responses: { 201: BranchSchema },
    request: { body: branchBody },
    idempotent: true,
    handler: async (request, ctx) => {
      const { body, now, caller } = request;
      const branchId = newId();
      const branch: Branch = {
        branchId,
        name: body.name,
        partyGroups: body.partyGroups.map(toPartyGroup),
        retiredMembers: body.retiredMembers,
        version: 1,
        createdAt: toLocalIso(now),
      };
      requireUniqueGroups(branch.partyGroups);
      return createOnce(ctx, request, {
        scope: accountScope('branch', caller),
        entityId: branchId,
        replay: async (id) => {
          const first = await getBranch(ctx, id);
          if (!first) throw notFound('Branch');
          return created(first, `/talent/branches/${id}`);
        },
        create: async ({ claim, commit }) => {
          await commit(
            claim(transaction(ctx)).create(branchItem(branch), () =>
              conflict('branch-exists', `branch ${branchId} already exists`),
            ),
          );
          return created(branch, `/talent/branches/${branchId}`);
        },
      });
    },
  }),
  route('GET /talent/branches', {
    access: ['committee', 'secretary', 'member', 'partner'],
    summary: 'The branches (党支部) of the institution',
    outcomes: everyoneSignedIn,
    responses: { 200: pageOf(BranchSchema) },
    request: { query: z.strictObject({ ...pageQuery }) },
    handler: async ({ query }, ctx) => ok(await branchesPage(ctx, query, branchOf)),
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
    summary:
      'Correct a branch (optimistic: send the version read); `partyGroups` is the full new list; `secretaryId` names its secretary (支部书记) from its people, whose account joins group secretary; `retiredMembers` marks or unmarks a retired members’ branch (离退休党支部)',
    outcomes: committeeOnly,
    refusals: [
      'own-record',
      'version-conflict',
      'duplicate-party-group',
      'party-group-in-use',
      'unknown-party-group',
      'secretary-not-in-branch',
    ],
    responses: { 200: BranchSchema },
    request: { params: z.strictObject({ branchId: idParam }), body: branchPatchBody },
    handler: async (req, ctx) => {
      const { params, body, now } = req;
      const current = await getBranch(ctx, params.branchId);
      if (!current) throw notFound('Branch');
      if (body.version !== current.version) {
        throw versionConflict(theBranch(current.branchId), { version: current.version });
      }
      const { version: _v, ...changes } = body;
      if (Object.keys(changes).length === 0) return ok(current);
      const next: Branch = { ...current };
      if (body.name !== undefined) next.name = body.name;
      if (body.retiredMembers !== undefined) next.retiredMembers = body.retiredMembers;
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
      next.updatedAt = toLocalIso(now);
      const tx = transaction(ctx).put(
        branchItem(next),
        itemVersionCondition(current.version, theBranch(current.branchId)),
      );
      if (next.secretaryId !== current.secretaryId) {
        await nameSecretary(ctx, tx, req, current, next.secretaryId);
      }
      await tx.commit();
      return ok(next);
    },
  }),
];
