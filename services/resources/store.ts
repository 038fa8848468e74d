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
 *   ASSESSMENT#<id> / ATTEMPTS#<personId>   attempts started (counter)      conditional ADD
 *   ATTEMPT#<id> / ATTEMPT            an attempt                            GetItem
 *     gsi1 ATTEMPTS#<assessmentId> / <personId>#<attemptId>   all attempts  Query (results)
 *   PERSON#… / ROSTER#… items         talent's roster projection (shared/roster.ts)
 *   OUTBOX#… / SEEN#… items           outbox and consumer markers (shared/events)
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../shared/context.js';
import { conflict, type DomainError } from '../../shared/errors.js';
import type { Page } from '../../shared/http/paging.js';
import type { RosterReader } from '../../shared/roster.js';
import { getItem, queryAll as queryItems, queryPage } from '../../shared/store/query.js';
import { singleTable, transactionOn } from '../../shared/store/table.js';
import type { Transaction } from '../../shared/store/transaction.js';
import type { Assessment, Attempt } from './domain/assessment.js';
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

const versionConflict = () => conflict('version-conflict', 'The resource changed meanwhile; read it again');

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
    tx.put(main, {
      condition: '#version = :expected',
      names: { '#version': 'version' },
      values: { ':expected': previous.version },
      onConditionFailed: versionConflict,
    });
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
    ctx.db,
    {
      TableName: ctx.env.tableName,
      IndexName: index,
      KeyConditionExpression: '#pk = :pk',
      ScanIndexForward: false,
      ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
    { partition: { name: pk, value: partition }, limit: query.limit, cursor: query.cursor },
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

export const createAssessment = (tx: Transaction, assessment: Assessment): Transaction =>
  tx.create({ ...assessmentKey(assessment.assessmentId), kind: 'assessment', ...assessment }, () =>
    conflict('assessment-exists', 'The assessment already exists'),
  );

export const getAssessment = (ctx: ServiceContext, assessmentId: string) =>
  getRecord<Assessment>(ctx, assessmentKey(assessmentId));

/**
 * Counts the attempt and stores it together. The counter's condition is what stops
 * concurrent starts from exceeding the limit: only `maxAttempts` increments can succeed.
 */
export const startAttempt = (
  tx: Transaction,
  attempt: Attempt,
  maxAttempts: number,
  onLimit: () => DomainError,
): Transaction => {
  tx.update(
    attemptCounterKey(attempt.assessmentId, attempt.personId),
    {
      expression: 'SET #kind = :kind ADD #started :one',
      names: { '#kind': 'kind', '#started': 'started' },
      values: { ':kind': 'attempt-counter', ':one': 1 },
    },
    {
      condition: 'attribute_not_exists(#started) OR #started < :max',
      values: { ':max': maxAttempts },
      onConditionFailed: onLimit,
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

/** How many attempts a person has started, for numbering the next one. */
const attemptOf = (item: Item): Attempt => {
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
