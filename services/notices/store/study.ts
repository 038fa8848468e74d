/**
 * What notices knows of study (学习), for the reminders of assigned study (必学任务即将到期).
 * Access patterns (pk / sk):
 *   STUDY-DONE#<resourceId> / PERSON#<personId>   a person completed a resource (from
 *                                         resources' StudyCompleted)     Put (its consumer);
 *                                         BatchGetItem (the sweep: a reminder's recipients)
 *   STUDY-ASSIGNMENT#<assignmentId> / REMINDERS   an assignment's reminders were written,
 *                                         once                            GetItem, conditional
 *                                         Put (the StudyAssigned consumer, in its transaction)
 * Completion is per resource and person, as resources counts it: a completion before the
 * assignment counts too, and StudyCompleted names no assignment. It is kept with no expiry, a
 * resource may be assigned again; the assignment's marker goes a week after its due date.
 */
import type { ServiceContext } from '../../../shared/context.js';
import { getInBatches } from '../../../shared/store/batch.js';
import { getItem } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { studyDeadline } from '../domain/study-due.js';

const WEEK_S = 7 * 24 * 60 * 60;

const doneKey = (resourceId: string, personId: string) => ({
  pk: `STUDY-DONE#${resourceId}`,
  sk: `PERSON#${personId}`,
});
const assignmentKey = (assignmentId: string) => ({
  pk: `STUDY-ASSIGNMENT#${assignmentId}`,
  sk: 'REMINDERS',
});

/** A person completed a resource; a second delivery writes the same item again. */
export const putStudyDone = (
  t: Transaction,
  d: { resourceId: string; personId: string; completedAt: string },
): Transaction => t.put({ ...doneKey(d.resourceId, d.personId), kind: 'study-done', ...d });

/** Those of `personIds` who completed the resource: 100 keys to a BatchGetItem. */
export const completedOf = async (
  ctx: ServiceContext,
  resourceId: string,
  personIds: readonly string[],
): Promise<Set<string>> => {
  const unique = [...new Set(personIds)];
  if (unique.length === 0) return new Set();
  const found = await getInBatches(
    ctx,
    unique.map((p) => doneKey(resourceId, p)),
  );
  return new Set(found.map((item) => item.personId as string));
};

/** Whether an earlier StudyAssigned about this assignment wrote its reminders already. */
export const assignmentReminded = async (ctx: ServiceContext, assignmentId: string): Promise<boolean> =>
  (await getItem(ctx, assignmentKey(assignmentId))) !== undefined;

/**
 * Notes, in the consumer's transaction, that the assignment's reminders are written: a later
 * event about the same assignment (a new event id) writes none again, so a reminder already
 * sent or taken is never put back. Two at once: one transaction fails and is retried.
 */
export const markAssignmentReminded = (
  t: Transaction,
  a: { assignmentId: string; resourceId: string; dueOn: string },
): Transaction =>
  t.put(
    {
      ...assignmentKey(a.assignmentId),
      kind: 'study-assignment',
      ...a,
      expiresAt: Math.floor(studyDeadline(a.dueOn).getTime() / 1000) + WEEK_S,
    },
    { condition: 'attribute_not_exists(pk)' },
  );
