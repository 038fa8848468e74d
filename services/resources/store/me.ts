/**
 * A member's own agenda in resources: the study assigned to them and the results of their
 * attempts. Access patterns (pk / sk; every read a Query or a BatchGetItem, never a Scan):
 *   ASSIGNMENT#<id> / ASSIGNEE#BRANCH#<branchId>   one per branch an assignment names, in its
 *                                                  own transaction, and
 *   ASSIGNMENT#<id> / ASSIGNEE#PERSON#<personId>   one per person it names, after its commit
 *     gsi1 ASSIGNED#BRANCH#<branchId> / <dueOn>#<assignmentId>   a branch's assignments by due date   Query
 *     gsi1 ASSIGNED#PERSON#<personId> / <dueOn>#<assignmentId>   a person's named assignments         Query
 *   STUDY#<personId> / RESOURCE#<id>   (../store.ts) whether the person completed the study   BatchGetItem
 *   ATTEMPT#<id> / ATTEMPT on gsi1 ATTEMPTS#<assessmentId> / <personId>#…   one person's attempts   Query
 * A completion changes no listing: the study record says it, read for the page's resources.
 */
import type { ServiceContext } from '../../../shared/context.js';
import { invalidCursor } from '../../../shared/http/cursor.js';
import { getInBatches, putRequests, writeInBatches } from '../../../shared/store/batch.js';
import { queryAll } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import type { Attempt } from '../domain/assessment.js';
import type { Assignment } from '../domain/study.js';
import { attemptOf, readListsBeyond } from '../store.js';

/** What a listing of an assignment holds: enough to show it without reading the assignment. */
export type AssignedStudy = Pick<
  Assignment,
  'assignmentId' | 'resourceId' | 'title' | 'dueOn' | 'assignedAt'
>;

const branchAssignments = (branchId: string) => `ASSIGNED#BRANCH#${branchId}`;
const personAssignments = (personId: string) => `ASSIGNED#PERSON#${personId}`;
const dueOrder = (a: Pick<Assignment, 'dueOn' | 'assignmentId'>) => `${a.dueOn}#${a.assignmentId}`;

const listingOf = (assignment: Assignment, sk: string, list: string) => {
  const { assignmentId, resourceId, title, dueOn, assignedAt } = assignment;
  const listed: AssignedStudy = { assignmentId, resourceId, title, dueOn, assignedAt };
  return {
    pk: `ASSIGNMENT#${assignmentId}`,
    sk,
    kind: 'assignment-listing',
    gsi1pk: list,
    gsi1sk: dueOrder(assignment),
    ...listed,
  };
};

/** The assignment's listings of the branches it names (at most 50), in the assignment's transaction. */
export const listAssignedBranches = (tx: Transaction, assignment: Assignment): Transaction => {
  for (const b of assignment.branchIds)
    tx.put(listingOf(assignment, `ASSIGNEE#BRANCH#${b}`, branchAssignments(b)));
  return tx;
};

/**
 * The listings of the people it names, after its commit: up to 500 of them, more than a
 * transaction holds beside the rest. Each only points at the assignment, so they are
 * batched; idempotent, so the request and the `list-named-assignees` subscription (on
 * StudyAssigned, for a request that stopped after its commit) may both write them.
 */
export const listAssignedPeople = (ctx: ServiceContext, assignment: Assignment): Promise<void> =>
  writeInBatches(
    ctx,
    putRequests(
      assignment.personIds.map((p) => listingOf(assignment, `ASSIGNEE#PERSON#${p}`, personAssignments(p))),
    ),
  );

/** How many rounds of reading one page may take before it answers short, with a cursor. */
const MAX_ROUNDS = 5;

export interface AssignedQuery {
  personId: string;
  /** The branch whose assignments count for the person (a party member's own); none otherwise. */
  branchId: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

const listedOf = (item: Record<string, unknown>): AssignedStudy => ({
  assignmentId: item.assignmentId as string,
  resourceId: item.resourceId as string,
  title: item.title as string,
  dueOn: item.dueOn as string,
  assignedAt: item.assignedAt as string,
});

/** resourceId → the person's study of it (minutes, completion), for the resources named. */
export const studyOn = async (
  ctx: ServiceContext,
  personId: string,
  resourceIds: string[],
): Promise<Map<string, { minutes: number; completed: boolean }>> => {
  const unique = [...new Set(resourceIds)];
  const items = await getInBatches(
    ctx,
    unique.map((r) => ({ pk: `STUDY#${personId}`, sk: `RESOURCE#${r}` })),
    { consistentRead: true },
  );
  return new Map(
    items.map((i) => [
      i.resourceId as string,
      { minutes: (i.minutes as number | undefined) ?? 0, completed: i.completedAt !== undefined },
    ]),
  );
};

/**
 * One page of the study assigned to the person and not completed, by due date (the overdue
 * first). The person's named assignments and their branch's are two lists in the same order,
 * merged: a list that stopped early stopped at a known position, and only what lies below the
 * lowest such stop has been read in both. Completed study is left out, so a round may find
 * little; the page reads on for a few rounds and then answers short, with a cursor.
 */
export const assignedStudyPage = async (
  ctx: ServiceContext,
  query: AssignedQuery,
): Promise<{ items: AssignedStudy[]; study: Map<string, { minutes: number }>; nextCursor?: string }> => {
  let after: string | undefined;
  if (query.cursor !== undefined) {
    const position = await ctx.cursors.open('my-assignments', query.cursor);
    if (typeof position.after !== 'string' || Object.keys(position).length !== 1) throw invalidCursor();
    after = position.after;
  }
  const lists = [
    personAssignments(query.personId),
    ...(query.branchId ? [branchAssignments(query.branchId)] : []),
  ];
  const items: AssignedStudy[] = [];
  const study = new Map<string, { minutes: number }>();
  const seal = async (position: string | undefined) => ({
    items,
    study,
    ...(position === undefined
      ? {}
      : { nextCursor: await ctx.cursors.seal('my-assignments', { after: position }) }),
  });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const outs = await readListsBeyond(ctx, lists, {
      beyond: after,
      ascending: true,
      limit: query.limit - items.length,
    });
    // Above the lowest stop some list has not been read yet.
    const stop = outs
      .flatMap((o) => (o.LastEvaluatedKey ? [o.LastEvaluatedKey.gsi1sk as string] : []))
      .sort()
      .at(0);
    // An assignment may name the person and their branch both: it is shown once.
    const candidates = [
      ...new Map(
        outs
          .flatMap((o) => (o.Items ?? []).map(listedOf))
          .filter((a) => stop === undefined || dueOrder(a) <= stop)
          .map((a) => [a.assignmentId, a]),
      ).values(),
    ].sort((a, b) => (dueOrder(a) < dueOrder(b) ? -1 : 1));
    const progress = await studyOn(
      ctx,
      query.personId,
      candidates.map((a) => a.resourceId),
    );
    for (const a of candidates) {
      if (items.length === query.limit) return seal(after);
      after = dueOrder(a);
      const done = progress.get(a.resourceId);
      if (done?.completed) continue;
      items.push(a);
      study.set(a.resourceId, { minutes: done?.minutes ?? 0 });
    }
    if (stop === undefined) return seal(undefined);
    after = stop;
    if (items.length === query.limit) return seal(after);
  }
  return seal(after);
};

/** One person's attempts at one assessment (at most its attempt limit). */
export const attemptsAt = async (
  ctx: ServiceContext,
  assessmentId: string,
  personId: string,
): Promise<Attempt[]> =>
  (
    await queryAll<Record<string, unknown>>(ctx, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :person)',
      ExpressionAttributeValues: { ':pk': `ATTEMPTS#${assessmentId}`, ':person': `${personId}#` },
    })
  ).map(attemptOf);
