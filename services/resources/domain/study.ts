/**
 * Study (学习) records and assignments (必学任务). Pure: "now" and the roster come in as values.
 */
import { actorOf, actsForBranch, type Caller, hasRole } from '../../../shared/auth.js';
import { accept, badRequest, notFound, type Result, refuse, ruleViolation } from '../../../shared/errors.js';
import { localDate, localYear, toLocalIso } from '../../../shared/time.js';
import type { RosterEntry } from '../../talent/roster.js';

/** One call reports at most a working afternoon; longer sessions are several reports. */
export const MAX_MINUTES_PER_REPORT = 240;

export interface Progress {
  minutes: number;
  completed: boolean;
}

/** A report brings minutes, a completion, or both; a report that is neither is refused. */
export const checkProgress = (report: {
  minutes: number;
  completed?: boolean | undefined;
}): Result<Progress> => {
  const progress = { minutes: report.minutes, completed: report.completed ?? false };
  if (progress.minutes === 0 && !progress.completed) {
    return refuse(badRequest('nothing-to-record', 'Report some minutes or a completion'));
  }
  return accept(progress);
};

/** Minutes are counted per calendar year of the institution, so a yearly summary needs no scan. */
export const yearAttribute = (year: number): string => `minutes${year}`;

export interface StudyRecord {
  resourceId: string;
  title: string;
  minutes: number;
  yearMinutes: Record<string, number>;
  completedAt?: string;
  lastStudiedAt: string;
}

/** Completions count in the institution's (Asia/Shanghai) year, as the minutes do; completedAt is UTC. */
const completedIn = (r: { completedAt?: string | undefined }, year: number): boolean =>
  r.completedAt !== undefined && localYear(new Date(r.completedAt)) === year;

export const studySummary = (records: StudyRecord[], year: number) => {
  const items = records
    .filter((r) => (r.yearMinutes[String(year)] ?? 0) > 0 || completedIn(r, year))
    .map((r) => ({
      resourceId: r.resourceId,
      title: r.title,
      minutes: r.yearMinutes[String(year)] ?? 0,
      totalMinutes: r.minutes,
      ...(r.completedAt ? { completedAt: r.completedAt } : {}),
      lastStudiedAt: r.lastStudiedAt,
    }));
  return {
    year,
    minutes: items.reduce((sum, i) => sum + i.minutes, 0),
    completions: items.filter((i) => completedIn(i, year)).length,
    items,
  };
};

export interface Assignment {
  assignmentId: string;
  resourceId: string;
  title: string;
  dueOn: string;
  branchIds: string[];
  personIds: string[];
  assignedBy: string;
  assignedAt: string;
  /** A secretary's assignment belongs to their branch, even when it names people only. */
  assignerBranchId?: string;
}

/** Whom an assignment names: branches (all their members) and people, each once. */
export interface Assignees {
  branchIds: string[];
  personIds: string[];
}

/**
 * A secretary assigns study to their own branch and its people; the committee to anyone.
 * `personBranch` tells which branch the roster puts a named person in.
 */
export const checkAssignmentScope = (
  caller: Caller,
  assignees: Assignees,
  personBranch: (personId: string) => string | undefined,
): Result<Assignees> => {
  const { branchIds, personIds } = assignees;
  if (branchIds.length === 0 && personIds.length === 0) {
    return refuse(badRequest('nobody-assigned', 'Name at least one branch or person'));
  }
  if (hasRole(caller, 'committee')) return accept(assignees);
  const own = caller.branchId;
  // Branches and people outside a secretary's scope do not exist for them (404, as in talent).
  if (!own || branchIds.some((b) => b !== own)) return refuse(notFound('Branch'));
  if (personIds.some((p) => personBranch(p) !== own)) return refuse(notFound('Person'));
  return accept(assignees);
};

export const checkDueOn = (dueOn: string, now: Date): Result<string> =>
  dueOn < localDate(now)
    ? refuse(ruleViolation('due-date-passed', 'The due date is already past'))
    : accept(dueOn);

/**
 * Mandatory study of `resource` (already found usable) for the assignees, due on a day not
 * yet past. A secretary's assignment belongs to their branch.
 */
export const newAssignment = (
  caller: Caller,
  resource: { resourceId: string; title: string },
  command: Assignees & { dueOn: string },
  fresh: { assignmentId: string; now: Date },
  personBranch: (personId: string) => string | undefined,
): Result<Assignment> => {
  const dueOn = checkDueOn(command.dueOn, fresh.now);
  if (!dueOn.ok) return dueOn;
  const assignees = checkAssignmentScope(caller, command, personBranch);
  if (!assignees.ok) return assignees;
  return accept({
    assignmentId: fresh.assignmentId,
    resourceId: resource.resourceId,
    title: resource.title,
    dueOn: dueOn.value,
    branchIds: assignees.value.branchIds,
    personIds: assignees.value.personIds,
    assignedBy: actorOf(caller),
    assignedAt: toLocalIso(fresh.now),
    ...(!hasRole(caller, 'committee') && caller.branchId ? { assignerBranchId: caller.branchId } : {}),
  });
};

export const canSeeAssignment = (caller: Caller, assignment: Assignment): boolean =>
  actsForBranch(caller, assignment.assignerBranchId) ||
  assignment.branchIds.some((branchId) => actsForBranch(caller, branchId));

export interface AssignedPerson {
  personId: string;
  name?: string;
  branchId?: string;
}

/**
 * Who finished and who has not. Overdue: the due date (a local date in Asia/Shanghai) has
 * passed by `now` and the person has not completed.
 */
export const completionList = (
  assignment: Assignment,
  people: AssignedPerson[],
  completions: Map<string, string>,
  now: Date,
) => {
  const overdue = localDate(now) > assignment.dueOn;
  const seen = new Set<string>();
  const unique = people.filter((p) => !seen.has(p.personId) && seen.add(p.personId));
  const completed = unique
    .filter((p) => completions.has(p.personId))
    .map((p) => ({ ...p, completedAt: completions.get(p.personId) as string }));
  const notCompleted = unique.filter((p) => !completions.has(p.personId)).map((p) => ({ ...p, overdue }));
  return {
    ...assignment,
    overdue: overdue && notCompleted.length > 0,
    total: unique.length,
    completed,
    notCompleted,
  };
};

export const personOf = (entry: RosterEntry): AssignedPerson => ({
  personId: entry.personId,
  name: entry.name,
  ...(entry.branchId ? { branchId: entry.branchId } : {}),
});

/** Assigned study is overdue once the local (Asia/Shanghai) date is past its due date. */
export const isOverdue = (dueOn: string, now: Date): boolean => localDate(now) > dueOn;
