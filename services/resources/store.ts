/**
 * The resources table. Access patterns (pk / sk; every list is a Query, never a Scan):
 *   RESOURCE#<id> / RESOURCE          a resource                            GetItem
 *     gsi1 STATUS#<status> / <id>       resources by status, newest first   Query
 *     gsi2 KIND#<kind>#<status> / <id>  resources by kind and status        Query
 *   RESOURCE#<id> / TAG#<tag>         a copy of the resource per tag
 *     gsi1 TAG#<tag>#<status> / <id>    resources by tag and status         Query
 *   STUDY#<personId> / RESOURCE#<id>  a person's study of a resource        GetItem, Query (my study)
 *     gsi2 COMPLETED#<resourceId> / <personId>   who completed a resource   Query (assignments)
 *   ASSIGNMENT#<id> / ASSIGNMENT      a study assignment                    GetItem
 *   ASSESSMENT#<id> / ASSESSMENT      an assessment with its answers        GetItem
 *   ASSESSMENT#<id> / LISTING#…       a copy without questions per list it is in (assessments never change)
 *     gsi1 ASSESSMENTS#ALL / <id>              every assessment, newest first   Query (committee)
 *     gsi1 ASSESSMENTS#EVERYONE / <id>         institution-wide ones            Query, merged with
 *     gsi1 ASSESSMENTS#BRANCH#<branchId> / <id>  one per audience branch        the caller's branch
 *   ASSESSMENT#<id> / ATTEMPTS#<personId>   attempts started (counter)      conditional ADD, GetItem
 *     gsi2 TAKER#<personId> / <assessmentId>   a person's counters           Query (one page's range)
 *   ATTEMPT#<id> / ATTEMPT            an attempt                            GetItem
 *     gsi1 ATTEMPTS#<assessmentId> / <personId>#<attemptId>   all attempts  Query (results)
 *   PERSON#… / ROSTER#… items         talent's roster projection (services/talent/roster.ts)
 *   OUTBOX#… / SEEN#… items           outbox and consumer markers (shared/events)
 * A member's agenda (assignments listed per assignee, their attempts): store/me.ts.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../shared/context.js';
import { conflict, ruleViolation } from '../../shared/errors.js';
import { invalidCursor } from '../../shared/http/cursor.js';
import type { Page } from '../../shared/http/paging.js';
import { getItem, queryAll as queryItems, queryPage } from '../../shared/store/query.js';
import { singleTable, transactionOn } from '../../shared/store/table.js';
import type { Transaction } from '../../shared/store/transaction.js';
import { expectVersion } from '../../shared/store/version.js';
import type { RosterReader } from '../talent/roster.js';
import {
  type Assessment,
  type AssessmentScope,
  type AssessmentSummary,
  type Attempt,
  summaryOf,
} from './domain/assessment.js';
import type { ListScope, Resource, ResourceKind, ResourceStatus } from './domain/library.js';
import type { Assignment, StudyRecord } from './domain/study.js';
import { yearAttribute } from './domain/study.js';

export const table = singleTable(2);

type Item = Record<string, unknown>;

export const transaction = (ctx: ServiceContext) => transactionOn(ctx, table);

export const rosterReader = (ctx: ServiceContext): RosterReader => ({
  db: ctx.db,
  tableName: ctx.env.tableName,
  table,
});

const get = (ctx: ServiceContext, key: Item) => getItem<Item>(ctx, key as Record<string, string>);
/** An item that holds one record as it is (an assignment, an assessment), without its keys and item type. */
const getRecord = async <T>(ctx: ServiceContext, key: Item): Promise<T | undefined> => {
  const item = await get(ctx, key);
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, kind: _kind, ...rest } = item;
  return rest as unknown as T;
};
const queryAll = (ctx: ServiceContext, input: Parameters<typeof queryItems>[1]) =>
  queryItems<Item>(ctx, input);

// ---- resources ---------------------------------------------------------------------------

const resourceKey = (resourceId: string) => ({ pk: `RESOURCE#${resourceId}`, sk: 'RESOURCE' });
const tagKey = (resourceId: string, tag: string) => ({ pk: `RESOURCE#${resourceId}`, sk: `TAG#${tag}` });

/** The resource's own fields; `kind` on items is the item type, so the resource kind is `resourceKind`. */
const resourceAttributes = (r: Resource): Item => {
  const { kind, ...rest } = r;
  return {
    ...rest,
    resourceKind: kind,
    searchTitle: r.title.toLowerCase(),
    ...(r.audience.branchIds ? { audienceBranchIds: r.audience.branchIds } : {}),
  };
};

const resourceOf = (item: Item): Resource => {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g1s,
    gsi2pk: _g2,
    gsi2sk: _g2s,
    kind: _type,
    resourceKind,
    searchTitle: _st,
    audienceBranchIds: _ab,
    tag: _tag,
    ...rest
  } = item;
  return { ...(rest as unknown as Omit<Resource, 'kind'>), kind: resourceKind as ResourceKind };
};

export const getResource = async (ctx: ServiceContext, resourceId: string): Promise<Resource | undefined> => {
  const item = await get(ctx, resourceKey(resourceId));
  return item ? resourceOf(item) : undefined;
};

/**
 * Writes the resource and its per-tag copies. `previous` is what the caller read: the write
 * holds only if nobody changed the resource since (optimistic version check).
 */
export const saveResource = (tx: Transaction, next: Resource, previous?: Resource): Transaction => {
  const attributes = resourceAttributes(next);
  const main = {
    ...resourceKey(next.resourceId),
    kind: 'resource',
    gsi1pk: `STATUS#${next.status}`,
    gsi1sk: next.resourceId,
    gsi2pk: `KIND#${next.kind}#${next.status}`,
    gsi2sk: next.resourceId,
    ...attributes,
  };
  if (previous) {
    tx.put(main, expectVersion(previous.version, 'The resource'));
  } else {
    tx.create(main, () => conflict('resource-exists', 'The resource already exists'));
  }
  for (const tag of next.tags) {
    tx.put({
      ...tagKey(next.resourceId, tag),
      kind: 'resource-tag',
      tag,
      gsi1pk: `TAG#${tag}#${next.status}`,
      gsi1sk: next.resourceId,
      ...attributes,
    });
  }
  for (const tag of previous?.tags ?? []) {
    if (!next.tags.includes(tag)) tx.delete(tagKey(next.resourceId, tag));
  }
  return tx;
};

export interface ResourceListQuery {
  status: ResourceStatus;
  kind?: ResourceKind | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  scope: ListScope;
  limit: number;
  cursor?: string | undefined;
}

/**
 * One page of resources from the narrowest index for the filters; the caller's scope, a
 * second filter and the title search filter that Query's page (pages may come back short).
 */
export const listResources = async (
  ctx: ServiceContext,
  query: ResourceListQuery,
): Promise<Page<Resource>> => {
  if (query.scope.kind === 'nothing') return { items: [] };
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const filters: string[] = [];
  let index: 'gsi1' | 'gsi2';
  let partition: string;
  if (query.tag !== undefined) {
    index = 'gsi1';
    partition = `TAG#${query.tag}#${query.status}`;
    if (query.kind !== undefined) {
      filters.push('#rk = :kind');
      names['#rk'] = 'resourceKind';
      values[':kind'] = query.kind;
    }
  } else if (query.kind !== undefined) {
    index = 'gsi2';
    partition = `KIND#${query.kind}#${query.status}`;
  } else {
    index = 'gsi1';
    partition = `STATUS#${query.status}`;
  }
  if (query.q !== undefined) {
    filters.push('contains(#st, :q)');
    names['#st'] = 'searchTitle';
    values[':q'] = query.q.toLowerCase();
  }
  if (query.scope.kind === 'audience') {
    const { branchId, includeEveryone } = query.scope;
    names['#ab'] = 'audienceBranchIds';
    if (branchId === undefined) {
      if (!includeEveryone) return { items: [] };
      filters.push('attribute_not_exists(#ab)');
    } else {
      values[':branch'] = branchId;
      filters.push(
        includeEveryone ? '(attribute_not_exists(#ab) OR contains(#ab, :branch))' : 'contains(#ab, :branch)',
      );
    }
  }
  const pk = `${index}pk`;
  names['#pk'] = pk;
  values[':pk'] = partition;
  return queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      IndexName: index,
      KeyConditionExpression: '#pk = :pk',
      ScanIndexForward: false,
      ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
    { list: 'library', partition: { name: pk, value: partition }, limit: query.limit, cursor: query.cursor },
    resourceOf,
  );
};

// ---- study -------------------------------------------------------------------------------

const studyKey = (personId: string, resourceId: string) => ({
  pk: `STUDY#${personId}`,
  sk: `RESOURCE#${resourceId}`,
});

const studyOf = (item: Item): StudyRecord => {
  const yearMinutes: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    const year = /^minutes(\d{4})$/.exec(name)?.[1];
    if (year) yearMinutes[year] = value as number;
  }
  return {
    resourceId: item.resourceId as string,
    title: item.title as string,
    minutes: (item.minutes as number | undefined) ?? 0,
    yearMinutes,
    ...(item.completedAt ? { completedAt: item.completedAt as string } : {}),
    lastStudiedAt: item.lastStudiedAt as string,
  };
};

export const getStudy = async (
  ctx: ServiceContext,
  personId: string,
  resourceId: string,
): Promise<StudyRecord | undefined> => {
  const item = await get(ctx, studyKey(personId, resourceId));
  return item ? studyOf(item) : undefined;
};

export interface StudyReport {
  personId: string;
  resource: Pick<Resource, 'resourceId' | 'title'>;
  minutes: number;
  year: number;
  at: string;
}

const studyUpdate = (report: StudyReport, extraSet = '') => ({
  expression: `SET #kind = :kind, resourceId = :rid, personId = :pid, title = :title, lastStudiedAt = :at${extraSet} ADD minutes :m, #year :m`,
  names: { '#kind': 'kind', '#year': yearAttribute(report.year) },
  values: {
    ':kind': 'study',
    ':rid': report.resource.resourceId,
    ':pid': report.personId,
    ':title': report.resource.title,
    ':at': report.at,
    ':m': report.minutes,
  },
});

/** Adds minutes atomically (ADD), whatever other reports run at the same time. */
export const addStudyMinutes = async (ctx: ServiceContext, report: StudyReport): Promise<StudyRecord> => {
  const u = studyUpdate(report);
  const out = await ctx.db.send(
    new UpdateCommand({
      TableName: ctx.env.tableName,
      Key: studyKey(report.personId, report.resource.resourceId),
      UpdateExpression: u.expression,
      ExpressionAttributeNames: u.names,
      ExpressionAttributeValues: u.values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return studyOf(out.Attributes ?? {});
};

/**
 * Adds minutes and marks the first completion, in `tx` with its event. The condition holds
 * only while the record is exactly as `held` was read (not completed, same minutes), so the
 * total in the event is exact and a second completion can never publish again.
 */
export const completeStudy = (tx: Transaction, report: StudyReport, held: StudyRecord | undefined): void => {
  const u = studyUpdate(report, ', completedAt = :at, gsi2pk = :done, gsi2sk = :pid');
  tx.update(
    studyKey(report.personId, report.resource.resourceId),
    { ...u, values: { ...u.values, ':done': `COMPLETED#${report.resource.resourceId}` } },
    held
      ? {
          condition: 'attribute_not_exists(completedAt) AND minutes = :held',
          values: { ':held': held.minutes },
          onConditionFailed: () => conflict('study-changed', 'The study record changed meanwhile'),
        }
      : {
          condition: 'attribute_not_exists(pk)',
          onConditionFailed: () => conflict('study-changed', 'The study record changed meanwhile'),
        },
  );
};

export const studyOfPerson = async (ctx: ServiceContext, personId: string): Promise<StudyRecord[]> =>
  (
    await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :resource)',
      ExpressionAttributeValues: { ':pk': `STUDY#${personId}`, ':resource': 'RESOURCE#' },
    })
  ).map(studyOf);

/** personId → completedAt, for everyone who completed the resource. */
export const completionsOf = async (
  ctx: ServiceContext,
  resourceId: string,
): Promise<Map<string, string>> => {
  const items = await queryAll(ctx, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': `COMPLETED#${resourceId}` },
  });
  return new Map(items.map((i) => [i.personId as string, i.completedAt as string]));
};

// ---- assignments -------------------------------------------------------------------------

const assignmentKey = (assignmentId: string) => ({ pk: `ASSIGNMENT#${assignmentId}`, sk: 'ASSIGNMENT' });

export const createAssignment = (tx: Transaction, assignment: Assignment): Transaction =>
  tx.create({ ...assignmentKey(assignment.assignmentId), kind: 'assignment', ...assignment }, () =>
    conflict('assignment-exists', 'The assignment already exists'),
  );

export const getAssignment = (ctx: ServiceContext, assignmentId: string) =>
  getRecord<Assignment>(ctx, assignmentKey(assignmentId));

// ---- assessments -------------------------------------------------------------------------

const assessmentKey = (assessmentId: string) => ({ pk: `ASSESSMENT#${assessmentId}`, sk: 'ASSESSMENT' });
const attemptCounterKey = (assessmentId: string, personId: string) => ({
  pk: `ASSESSMENT#${assessmentId}`,
  sk: `ATTEMPTS#${personId}`,
});
const attemptKey = (attemptId: string) => ({ pk: `ATTEMPT#${attemptId}`, sk: 'ATTEMPT' });

/** The lists an assessment is in: all of them, and one per audience entry. */
const ALL_ASSESSMENTS = 'ASSESSMENTS#ALL';
const audienceList = (branchId: string | undefined) =>
  branchId === undefined ? 'ASSESSMENTS#EVERYONE' : `ASSESSMENTS#BRANCH#${branchId}`;

/** The assessment with its answers, and a light copy (no questions) in each list it belongs to. */
export const createAssessment = (tx: Transaction, assessment: Assessment): Transaction => {
  const { assessmentId } = assessment;
  tx.create({ ...assessmentKey(assessmentId), kind: 'assessment', ...assessment }, () =>
    conflict('assessment-exists', 'The assessment already exists'),
  );
  const summary = summaryOf(assessment);
  const lists = [ALL_ASSESSMENTS, ...(assessment.audience.branchIds ?? [undefined]).map(audienceList)];
  for (const list of lists) {
    tx.put({
      pk: `ASSESSMENT#${assessmentId}`,
      sk: `LISTING#${list}`,
      kind: 'assessment-listing',
      gsi1pk: list,
      gsi1sk: assessmentId,
      ...summary,
    });
  }
  return tx;
};

const summaryItemOf = (item: Item): AssessmentSummary => {
  const { pk: _pk, sk: _sk, kind: _kind, gsi1pk: _g, gsi1sk: _gs, ...rest } = item;
  return rest as unknown as AssessmentSummary;
};

export interface AssessmentListQuery {
  scope: AssessmentScope;
  resourceId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** The cursor is the last assessment id shown: ids are ULIDs, so every list shares one order. */
const positionOf = async (ctx: ServiceContext, cursor: string | undefined): Promise<string | undefined> => {
  if (cursor === undefined) return undefined;
  const key = await ctx.cursors.open('assessments', cursor);
  if (typeof key.before !== 'string' || Object.keys(key).length !== 1) throw invalidCursor();
  return key.before;
};

/**
 * One read of each of several gsi1 lists from a position on (`beyond`, exclusive), in one
 * direction: the lists one page merges (assessments by id, a person's assignments by due date).
 */
export const readListsBeyond = (
  ctx: ServiceContext,
  lists: string[],
  read: {
    beyond: string | undefined;
    ascending: boolean;
    limit: number;
    filter?: { expression: string; values: Record<string, unknown> };
  },
) =>
  Promise.all(
    lists.map((list) =>
      ctx.db.send(
        new QueryCommand({
          TableName: ctx.env.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: read.beyond
            ? `gsi1pk = :pk AND gsi1sk ${read.ascending ? '>' : '<'} :beyond`
            : 'gsi1pk = :pk',
          ...(read.filter ? { FilterExpression: read.filter.expression } : {}),
          ExpressionAttributeValues: {
            ':pk': list,
            ...(read.beyond ? { ':beyond': read.beyond } : {}),
            ...read.filter?.values,
          },
          ScanIndexForward: read.ascending,
          Limit: read.limit,
        }),
      ),
    ),
  );

/**
 * One page of the assessments a caller may take, newest first. A caller outside the
 * committee reads two lists (the institution's and their branch's); both are sorted by
 * id, so each is queried from the cursor on and the pages merged. A list that stopped
 * early stopped at a known id: the page only holds what lies above the highest such stop,
 * where both lists have been read in full, so nothing is skipped or shown twice.
 */
export const listAssessments = async (
  ctx: ServiceContext,
  query: AssessmentListQuery,
): Promise<Page<AssessmentSummary>> => {
  const before = await positionOf(ctx, query.cursor);
  const lists =
    query.scope.kind === 'all'
      ? [ALL_ASSESSMENTS]
      : [audienceList(undefined), ...(query.scope.branchId ? [audienceList(query.scope.branchId)] : [])];
  const outs = await readListsBeyond(ctx, lists, {
    beyond: before,
    ascending: false,
    limit: query.limit,
    ...(query.resourceId !== undefined
      ? { filter: { expression: 'resourceId = :rid', values: { ':rid': query.resourceId } } }
      : {}),
  });
  // Below the highest stop some list has not been read yet.
  const stop = outs
    .flatMap((o) => (o.LastEvaluatedKey ? [o.LastEvaluatedKey.gsi1sk as string] : []))
    .sort()
    .at(-1);
  // An audience is everyone or some branches, never both: no assessment is in two of the lists.
  const merged = outs
    .flatMap((o) => (o.Items ?? []).map(summaryItemOf))
    .filter((a) => stop === undefined || a.assessmentId >= stop)
    .sort((a, b) => (a.assessmentId < b.assessmentId ? 1 : -1));
  const items = merged.slice(0, query.limit);
  const last = items.at(-1)?.assessmentId;
  const next = merged.length > query.limit ? last : stop;
  const nextCursor = next === undefined ? undefined : await ctx.cursors.seal('assessments', { before: next });
  return { items, ...(nextCursor ? { nextCursor } : {}) };
};

export const getAssessment = (ctx: ServiceContext, assessmentId: string) =>
  getRecord<Assessment>(ctx, assessmentKey(assessmentId));

/**
 * Counts the attempt and stores it together. The counter's condition is what stops
 * concurrent starts from exceeding the limit: only `maxAttempts` increments can succeed.
 */
export const startAttempt = (tx: Transaction, attempt: Attempt, maxAttempts: number): Transaction => {
  tx.update(
    attemptCounterKey(attempt.assessmentId, attempt.personId),
    {
      expression: 'SET #kind = :kind, gsi2pk = :taker, gsi2sk = :aid ADD #started :one',
      names: { '#kind': 'kind', '#started': 'started' },
      values: {
        ':kind': 'attempt-counter',
        ':taker': `TAKER#${attempt.personId}`,
        ':aid': attempt.assessmentId,
        ':one': 1,
      },
    },
    {
      condition: 'attribute_not_exists(#started) OR #started < :max',
      values: { ':max': maxAttempts },
      onConditionFailed: () =>
        ruleViolation('attempt-limit-reached', `At most ${maxAttempts} attempts`, { maxAttempts }),
    },
  );
  return tx.create(
    {
      ...attemptKey(attempt.attemptId),
      kind: 'attempt',
      gsi1pk: `ATTEMPTS#${attempt.assessmentId}`,
      gsi1sk: `${attempt.personId}#${attempt.attemptId}`,
      ...attempt,
    },
    () => conflict('attempt-exists', 'The attempt already exists'),
  );
};

/** How many attempts a person has started on one assessment. */
export const attemptsStarted = async (
  ctx: ServiceContext,
  assessmentId: string,
  personId: string,
): Promise<number> =>
  ((await get(ctx, attemptCounterKey(assessmentId, personId)))?.started as number | undefined) ?? 0;

/**
 * assessmentId → attempts started, for the assessments of one page: a single Query over
 * the person's counters between the page's lowest and highest id.
 */
export const attemptsStartedOn = async (
  ctx: ServiceContext,
  personId: string,
  assessmentIds: string[],
): Promise<Map<string, number>> => {
  if (assessmentIds.length === 0) return new Map();
  const sorted = [...assessmentIds].sort();
  const counters = await queryAll(ctx, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :low AND :high',
    ExpressionAttributeValues: { ':pk': `TAKER#${personId}`, ':low': sorted[0], ':high': sorted.at(-1) },
  });
  return new Map(counters.map((c) => [c.gsi2sk as string, c.started as number]));
};

export const attemptOf = (item: Item): Attempt => {
  const { pk: _pk, sk: _sk, kind: _kind, gsi1pk: _g, gsi1sk: _gs, answers: _answers, ...rest } = item;
  return rest as unknown as Attempt;
};

export const getAttempt = async (ctx: ServiceContext, attemptId: string): Promise<Attempt | undefined> => {
  const item = await get(ctx, attemptKey(attemptId));
  return item ? attemptOf(item) : undefined;
};

export const recordGrade = (
  tx: Transaction,
  attemptId: string,
  graded: { submittedAt: string; score: number; passed: boolean; answers: unknown },
): Transaction =>
  tx.update(
    attemptKey(attemptId),
    {
      expression: 'SET submittedAt = :at, score = :score, passed = :passed, answers = :answers',
      values: {
        ':at': graded.submittedAt,
        ':score': graded.score,
        ':passed': graded.passed,
        ':answers': graded.answers,
      },
    },
    {
      condition: 'attribute_exists(pk) AND attribute_not_exists(submittedAt)',
      onConditionFailed: () => conflict('attempt-already-submitted', 'This attempt was already submitted'),
    },
  );

export const attemptsOf = async (ctx: ServiceContext, assessmentId: string): Promise<Attempt[]> =>
  (
    await queryAll(ctx, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `ATTEMPTS#${assessmentId}` },
    })
  ).map(attemptOf);
