/**
 * talent's table. Access patterns (no Scan anywhere):
 *   BRANCH#<id> / BRANCH                 a branch                                 GetItem
 *     gsi1: BRANCHES / <branchId>        every branch                             Query
 *   PERSON#<id> / PERSON                 a person (version for optimistic writes) GetItem, BatchGet
 *     gsi1: PEOPLE#BRANCH#<b|-> / <status>#<id>   people of a branch (by status)  Query (begins_with)
 *     gsi2: PEOPLE#STATUS#<status> / <id>         people in a stage, all branches Query
 *       (the pipeline insight reads the four stages with steps through these, never everyone)
 *     gsi3: PEOPLE / <id>                         everyone (committee lists, the tallies' backfill) Query
 *   AGE#ALL / YEAR#<yyyy>                head counts of everyone born in a year    Query (insights)
 *   AGE#BRANCH#<id> / YEAR#<yyyy>        the same for one branch                   Query (insights)
 *     Attributes `<status><mmdd>`: how many of that status (ms, ap, ac, ca, pr, fu) were born on
 *     that day, e.g. `fu0512` = full members born on 05-12. Counted by birth date, not age, so
 *     they stay true as people age: the insights work out the bands on the day asked about
 *     (domain/age.ts), reading one item per birth year present, whatever the head count. The
 *     write of a person moves them in the same transaction (createPerson, replacePerson;
 *     which ones move: domain/tallies.ts), with ADD, which creates a missing item; counts
 *     at 0 stay. Many writes at once share these items: a lost race is decided again
 *     (handlers/common.ts decidedAgain). rebuildAgeTallies counts them from scratch.
 *   PERSON#<id> / STAGE#<ulid>           stage history (accepted transitions)     Query person partition
 *   PERSON#<id> / RECORD#<ulid>          training, performance, evaluation, rewards, discipline
 *   PERSON#<id> / CONTRIB#<kind>#<key>   what other services reported, one item per natural key
 *   PERSON#<id> / ROLE#committee         membership of the party committee (党委委员)
 *     gsi1: ROLE#committee / <personId>  the committee's members                  Query
 *   PERSON#<id> / ACCOUNT                how the person's sign-in account stands   GetItem
 *   (people who left the register: gsi1, gsi2 and gsi3 under PEOPLE#DEPARTED, out of every list)
 *   PERSON#<id> / POOL#<pool>            talent pool membership
 *     gsi1: POOL#<pool> / <personId>     members of a pool                        Query
 *   MEETING#<activityId> / MEETING       completed branch general meetings (from activities)
 *   CALENDAR#<year> / CALENDAR           the working-day calendar of a year
 *   AUDIT#PERSON#<id> / AUDIT#<at>#<ulid>  audit entries about a person, newest first  Query (descending)
 *   AUDIT#LIST#<ulid> / AUDIT#<at>#<ulid>  an audit entry of a list request (no one person)
 *   AUDIT#EXPORT#<exportId> / AUDIT#<at>#<exportId>  another service's export, one per export  GetItem
 *     gsi1: AUDIT#ACTOR#<actor> / <at>#<ulid>  everything one person did, newest first  Query (descending)
 *   (audit entries have no expiresAt: the log is kept, never edited or expired)
 *   PIPELINE-DUE#<personId> / <rule>#<dueOn>#<phase>  a pipeline step announced (PipelineStepDue),
 *                                        written once with its event               BatchGet (the daily sweep)
 *   OUTBOX#<personId|branchId> / ...     outbox items (shared/events/outbox.ts)
 *   SEEN#<subscription>#<eventId> / SEEN consumer idempotency markers
 *   Pipeline evidence and thought reports (PERSON#<id> / EVIDENCE…, THOUGHT-REPORT#…): store/evidence.ts
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../shared/context.js';
import { conflict, type DomainError } from '../../shared/errors.js';
import type { Page } from '../../shared/http/paging.js';
import { getInBatches, type WriteRequest, writeInBatches } from '../../shared/store/batch.js';
import { getItem, queryAll, queryPage } from '../../shared/store/query.js';
import { singleTable, transactionOn } from '../../shared/store/table.js';
import type { Condition, Transaction } from '../../shared/store/transaction.js';
import { expectVersion, versionConflict } from '../../shared/store/version.js';
import type { AuditEntry } from './domain/audit.js';
import type { WorkingCalendar } from './domain/calendar.js';
import type { Person } from './domain/person.js';
import { type AccountFacts, type AccountState, accountFactsOf } from './domain/roles.js';
import { type Tallied, type Tally, type TallyChange, tallyChanges, tallyOf } from './domain/tallies.js';
import type { DuePhase, PoliticalStatus } from './events.js';

export const table = singleTable(3);

export const transaction = (ctx: ServiceContext) => transactionOn(ctx, table);

export const keys = {
  branch: (branchId: string) => ({ pk: `BRANCH#${branchId}`, sk: 'BRANCH' }),
  person: (personId: string) => ({ pk: `PERSON#${personId}`, sk: 'PERSON' }),
  stage: (personId: string, id: string) => ({ pk: `PERSON#${personId}`, sk: `STAGE#${id}` }),
  record: (personId: string, id: string) => ({ pk: `PERSON#${personId}`, sk: `RECORD#${id}` }),
  contribution: (personId: string, kind: string, naturalKey: string) => ({
    pk: `PERSON#${personId}`,
    sk: `CONTRIB#${kind}#${naturalKey}`,
  }),
  pool: (personId: string, pool: string) => ({ pk: `PERSON#${personId}`, sk: `POOL#${pool}` }),
  committeeRole: (personId: string) => ({ pk: `PERSON#${personId}`, sk: 'ROLE#committee' }),
  meeting: (activityId: string) => ({ pk: `MEETING#${activityId}`, sk: 'MEETING' }),
  calendar: (year: number) => ({ pk: `CALENDAR#${year}`, sk: 'CALENDAR' }),
  personAudit: (personId: string) => `AUDIT#PERSON#${personId}`,
  actorAudit: (actor: string) => `AUDIT#ACTOR#${actor}`,
};

/**
 * An audit entry. Entries about a person share a partition apart from the person's own
 * (PERSON#…), so the timeline's one Query of a person never reads the log. `at` leads the
 * sort key so a page is newest first by the request time, the ULID keeps equal times apart.
 */
export const auditItem = (e: AuditEntry) => ({
  pk: e.personId
    ? keys.personAudit(e.personId)
    : e.export
      ? `AUDIT#EXPORT#${e.export.exportId}`
      : `AUDIT#LIST#${e.auditId}`,
  sk: `AUDIT#${e.at}#${e.auditId}`,
  kind: 'audit',
  ...e,
  gsi1pk: keys.actorAudit(e.actor),
  gsi1sk: `${e.at}#${e.auditId}`,
});

/** A read's entry: one plain put (a transaction would cost twice the writes for one item). */
export const putAuditEntry = async (ctx: ServiceContext, e: AuditEntry): Promise<void> => {
  await ctx.db.send(new PutCommand({ TableName: ctx.env.tableName, Item: auditItem(e) }));
};

/** Whether an export's entry is already held: its key follows from the export alone. */
export const holdsExportEntry = async (ctx: ServiceContext, e: AuditEntry): Promise<boolean> => {
  const { pk, sk } = auditItem(e);
  return (await getItem(ctx, { pk, sk })) !== undefined;
};

/** An export's entry, added once: a second delivery of its event that raced past the read fails and is retried. */
export const addExportEntry = (tx: Transaction, e: AuditEntry): Transaction =>
  tx.put(auditItem(e), {
    condition: 'attribute_not_exists(pk)',
    onConditionFailed: () => conflict('export-already-audited', 'This export is already in the log'),
  });

/** One page of the audit log, newest first: about a person (table) or by an actor (gsi1). */
export const auditPage = (
  ctx: ServiceContext,
  by: { personId: string } | { actor: string },
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<AuditEntry>> => {
  const partition =
    'personId' in by
      ? { name: 'pk', value: keys.personAudit(by.personId) }
      : { name: 'gsi1pk', value: keys.actorAudit(by.actor) };
  return queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      ...('personId' in by ? { ConsistentRead: true } : { IndexName: 'gsi1' }),
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': partition.name },
      ExpressionAttributeValues: { ':p': partition.value },
      ScanIndexForward: false,
    },
    {
      list: 'personId' in by ? 'audit-of-person' : 'audit-by-actor',
      partition,
      limit: page.limit,
      cursor: page.cursor,
    },
    (item) => strip<AuditEntry>(item),
  );
};

const branchPeople = (branchId: string | undefined) => `PEOPLE#BRANCH#${branchId ?? '-'}`;

/**
 * The person item with its index attributes, which follow branch and status on every write.
 * Written only through createPerson and replacePerson, which move the tallies with it.
 */
export const personItem = (p: Person) => ({
  ...keys.person(p.personId),
  kind: 'person',
  ...p,
  nameSearch: p.name.toLowerCase(),
  // Someone who left the register is in no list of the living register, nor in the
  // pipeline or the tallies; their record is kept (PEOPLE#DEPARTED).
  gsi1pk: p.departure ? DEPARTED : branchPeople(p.branchId),
  gsi1sk: `${p.politicalStatus}#${p.personId}`,
  gsi2pk: p.departure ? DEPARTED : `PEOPLE#STATUS#${p.politicalStatus}`,
  gsi2sk: p.personId,
  gsi3pk: p.departure ? DEPARTED : 'PEOPLE',
  gsi3sk: p.personId,
});

const DEPARTED = 'PEOPLE#DEPARTED';

/** Who the tallies count: the people on the register, not those who left it. */
const counted = (p: Person | undefined): Person | undefined => (p?.departure ? undefined : p);

const internal = new Set([
  'pk',
  'sk',
  'kind',
  'nameSearch',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
]);
export const strip = <T>(item: Record<string, unknown>): T =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !internal.has(k))) as T;

export const getPerson = async (ctx: ServiceContext, personId: string): Promise<Person | undefined> => {
  const item = await getItem(ctx, keys.person(personId));
  return item ? strip<Person>(item) : undefined;
};

export const getPeople = async (
  ctx: ServiceContext,
  ids: readonly string[],
): Promise<Map<string, Person>> => {
  const items = await getInBatches(ctx, [...new Set(ids)].map(keys.person), { consistentRead: true });
  return new Map(items.map((item) => [item.personId as string, strip<Person>(item)]));
};

// ---- branches and records: items that may predate versioning -----------------------------

/** The version of an item read back; one written before versioning is at version 1. */
export const versionOf = (item: Record<string, unknown>): number =>
  typeof item.version === 'number' ? item.version : 1;

/**
 * The optimistic write of a branch or a record, on the version read (`what` names it in the
 * refusal). Such an item may predate versioning and then has no `version` at all: at version 1
 * a missing one matches too, which expectVersion alone cannot say. The item must still exist,
 * so a write never recreates one deleted meanwhile.
 */
export const itemVersionCondition = (expected: number, what: string): Condition => {
  const exists = { condition: 'attribute_exists(#pk)', names: { '#pk': 'pk' } };
  if (expected !== 1) return expectVersion(expected, what, exists);
  return {
    condition: 'attribute_exists(#pk) AND (attribute_not_exists(#version) OR #version = :expectedVersion)',
    names: { '#pk': 'pk', '#version': 'version' },
    values: { ':expectedVersion': expected },
    onConditionFailed: () => versionConflict(what),
  };
};

/** A record of a person, as stored; records are never deleted, only withdrawn. */
export const getRecordItem = (ctx: ServiceContext, personId: string, recordId: string) =>
  getItem(ctx, keys.record(personId, recordId));

/**
 * Writes a record's next version (a correction or its withdrawal) on the version read: of two
 * writes from one read, the second is a version conflict, so a withdrawal and a correction
 * at once never both land.
 */
export const replaceRecord = (
  tx: Transaction,
  item: Record<string, unknown>,
  readVersion: number,
): Transaction => tx.put(item, itemVersionCondition(readVersion, 'The record'));

/** Everything kept under a person: the person, stages, records, contributions, pools. */
export const personPartition = (ctx: ServiceContext, personId: string) =>
  queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `PERSON#${personId}` },
    ConsistentRead: true,
  });

export interface PeopleFilter {
  branchId?: string;
  status?: PoliticalStatus;
  q?: string;
}

const nameFilter = (q: string | undefined) =>
  q
    ? {
        FilterExpression: 'contains(nameSearch, :q)',
        values: { ':q': q.toLowerCase() },
      }
    : undefined;

/** One page of people, always a Query: by branch (and status), by status, or everyone. */
export const listPeople = async (
  ctx: ServiceContext,
  filter: PeopleFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Person>> => {
  const byName = nameFilter(filter.q);
  let index: string;
  let partition: { name: string; value: string };
  let condition: string;
  const values: Record<string, unknown> = { ...byName?.values };
  if (filter.branchId !== undefined) {
    index = 'gsi1';
    partition = { name: 'gsi1pk', value: branchPeople(filter.branchId) };
    condition = filter.status ? 'gsi1pk = :p AND begins_with(gsi1sk, :s)' : 'gsi1pk = :p';
    if (filter.status) values[':s'] = `${filter.status}#`;
  } else if (filter.status) {
    index = 'gsi2';
    partition = { name: 'gsi2pk', value: `PEOPLE#STATUS#${filter.status}` };
    condition = 'gsi2pk = :p';
  } else {
    index = 'gsi3';
    partition = { name: 'gsi3pk', value: 'PEOPLE' };
    condition = 'gsi3pk = :p';
  }
  values[':p'] = partition.value;
  return queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      IndexName: index,
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
      ...(byName ? { FilterExpression: byName.FilterExpression } : {}),
    },
    { list: 'people', partition, limit: page.limit, cursor: page.cursor },
    (item) => strip<Person>(item),
  );
};

/** All people of a branch (a branch is small; the institution is never read whole on a request). */
export const peopleOfBranch = async (ctx: ServiceContext, branchId: string): Promise<Person[]> => {
  const items = await queryAll(ctx, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': branchPeople(branchId) },
  });
  return items.map((item) => strip<Person>(item));
};

/**
 * The people at the given stages, of a branch (gsi1, by status prefix) or the institution
 * (gsi2, a partition per stage): one Query per stage, each as large as the stage.
 */
export const peopleAtStages = async (
  ctx: ServiceContext,
  branchId: string | undefined,
  stages: readonly PoliticalStatus[],
): Promise<Person[]> => {
  const perStage = await Promise.all(
    stages.map((status) =>
      branchId === undefined
        ? queryAll(ctx, {
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :p',
            ExpressionAttributeValues: { ':p': `PEOPLE#STATUS#${status}` },
          })
        : queryAll(ctx, {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p AND begins_with(gsi1sk, :s)',
            ExpressionAttributeValues: { ':p': branchPeople(branchId), ':s': `${status}#` },
          }),
    ),
  );
  return perStage.flat().map((item) => strip<Person>(item));
};

// ---- head counts by birth date and status (tallies.ts) ----------------------------------------

/** Status codes in tally attribute names: short, as there are up to 6 × 366 per item. */
const STATUS_CODE: Record<PoliticalStatus, string> = {
  masses: 'ms',
  applicant: 'ap',
  activist: 'ac',
  candidate: 'ca',
  probationary: 'pr',
  full: 'fu',
};
const STATUS_OF_CODE = new Map(Object.entries(STATUS_CODE).map(([s, c]) => [c, s as PoliticalStatus]));
const TALLY_ATTRIBUTE = /^([a-z]{2})(\d{2})(\d{2})$/;

const tallyPartition = (branchId: string | undefined) =>
  branchId === undefined ? 'AGE#ALL' : `AGE#BRANCH#${branchId}`;
const tallyKey = (branchId: string | undefined, year: string) => ({
  pk: tallyPartition(branchId),
  sk: `YEAR#${year}`,
});
/** `fu0512`: full members born on 05-12 of the item's year. */
const tallyAttribute = (t: { birthDate: string; politicalStatus: PoliticalStatus }) =>
  `${STATUS_CODE[t.politicalStatus]}${t.birthDate.slice(5, 7)}${t.birthDate.slice(8, 10)}`;

/** The tallies held in one year item. */
const talliesIn = (item: Record<string, unknown>): Tally[] => {
  const year = String(item.year);
  const tallies: Tally[] = [];
  for (const [name, value] of Object.entries(item)) {
    const m = TALLY_ATTRIBUTE.exec(name);
    const status = m && STATUS_OF_CODE.get(m[1] as string);
    // Below 1 counts nobody: 0 is left by moves; below 0 only on a table not yet backfilled.
    if (!m || !status || typeof value !== 'number' || value < 1) continue;
    tallies.push({ birthDate: `${year}-${m[2]}-${m[3]}`, politicalStatus: status, count: value });
  }
  return tallies;
};

/** Adds the tally changes to a transaction: one ADD per year item, which creates it if missing. */
const addTallyChanges = (tx: Transaction, changes: readonly TallyChange[]) => {
  const perItem = new Map<string, { branchId: string | undefined; year: string; changes: TallyChange[] }>();
  for (const c of changes) {
    const year = c.birthDate.slice(0, 4);
    const id = `${tallyPartition(c.branchId)}|${year}`;
    const held = perItem.get(id) ?? { branchId: c.branchId, year, changes: [] };
    held.changes.push(c);
    perItem.set(id, held);
  }
  for (const { branchId, year, changes: inItem } of perItem.values()) {
    const names: Record<string, string> = { '#kind': 'kind', '#year': 'year' };
    const values: Record<string, unknown> = { ':kind': 'tally', ':year': year };
    const adds = inItem.map((c, i) => {
      names[`#t${i}`] = tallyAttribute(c);
      values[`:t${i}`] = c.delta;
      return `#t${i} :t${i}`;
    });
    tx.update(tallyKey(branchId, year), {
      expression: `SET #kind = :kind, #year = :year ADD ${adds.join(', ')}`,
      names,
      values,
    });
  }
};

/**
 * Registers a person, counted in the tallies in the same transaction: a replayed
 * registration is refused by the person's create, so it cannot count twice.
 */
export const createPerson = (tx: Transaction, person: Person, onExists: () => DomainError): void => {
  tx.create(personItem(person), onExists);
  addTallyChanges(tx, tallyChanges(undefined, counted(person)));
};

/**
 * Writes a person's next version, moving them between tallies in the same transaction. The
 * write lands only on the version `current` was read at, so the tallies move from exactly what
 * was stored and a stale or replayed write moves nothing.
 */
export const replacePerson = (tx: Transaction, current: Person, next: Person): void => {
  tx.put(personItem(next), expectVersion(current.version, 'The person'));
  addTallyChanges(tx, tallyChanges(counted(current), counted(next)));
};

/** The tallies of a branch or the institution: one Query of at most one item per birth year. */
export const ageTallies = async (ctx: ServiceContext, branchId: string | undefined): Promise<Tally[]> => {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :p',
    ExpressionAttributeValues: { ':p': tallyPartition(branchId) },
    ConsistentRead: true,
  });
  return items.flatMap(talliesIn);
};

/**
 * Counts everyone from scratch and replaces every tally (the backfill for tables written
 * before the tallies, or a repair). Not for a request path: it reads every person, page by
 * page (gsi3). Repeatable: each year item is replaced whole and items nobody is born in any
 * more are deleted. Run it while no one is registered or changed: a write between its read
 * and its replace would be counted over.
 */
export const rebuildAgeTallies = async (ctx: ServiceContext): Promise<{ people: number; items: number }> => {
  const counted = new Map<string, Tallied[]>();
  const count = (branchId: string | undefined, p: Tallied) => {
    const scope = tallyPartition(branchId);
    const held = counted.get(scope) ?? [];
    held.push(p);
    counted.set(scope, held);
  };
  let people = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out: QueryCommandOutput = await ctx.db.send(
      new QueryCommand({
        TableName: ctx.env.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :p',
        ExpressionAttributeValues: { ':p': 'PEOPLE' },
        ProjectionExpression: 'birthDate, politicalStatus, branchId',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const p = item as Tallied;
      people++;
      count(undefined, p);
      if (p.branchId !== undefined) count(p.branchId, p);
    }
    start = out.LastEvaluatedKey;
  } while (start);

  // Every scope that may hold tallies: the institution, every branch, every branch named by someone.
  const branches = await queryAll(ctx, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': 'BRANCHES' },
    ProjectionExpression: 'branchId',
  });
  const scopes = new Set([
    tallyPartition(undefined),
    ...branches.map((b) => tallyPartition(b.branchId as string)),
    ...counted.keys(),
  ]);
  const requests: WriteRequest[] = [];
  for (const scope of scopes) {
    const items = new Map<string, Record<string, unknown>>();
    for (const t of tallyOf(counted.get(scope) ?? [])) {
      const year = t.birthDate.slice(0, 4);
      const item = items.get(year) ?? { pk: scope, sk: `YEAR#${year}`, kind: 'tally', year };
      item[tallyAttribute(t)] = t.count;
      items.set(year, item);
    }
    const held = await queryAll(ctx, {
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': scope },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    for (const old of held) {
      if (!items.has(String(old.sk).slice('YEAR#'.length))) {
        requests.push({ DeleteRequest: { Key: { pk: old.pk, sk: old.sk } } });
      }
    }
    for (const item of items.values()) requests.push({ PutRequest: { Item: item } });
  }
  await writeInBatches(ctx, requests);
  return { people, items: requests.length };
};

/** One page of the person ids a gsi1 partition lists (a pool's members, the committee's), by id. */
const memberIdsPage = (
  ctx: ServiceContext,
  list: string,
  partition: string,
  page: { limit: number; cursor?: string | undefined },
) =>
  queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': partition },
    },
    { list, partition: { name: 'gsi1pk', value: partition }, limit: page.limit, cursor: page.cursor },
    (item) => item.personId as string,
  );

export const poolPage = (
  ctx: ServiceContext,
  pool: string,
  page: { limit: number; cursor?: string | undefined },
) => memberIdsPage(ctx, 'pool-members', `POOL#${pool}`, page);

export const getCalendars = async (
  ctx: ServiceContext,
  years: number[],
): Promise<Map<number, WorkingCalendar>> => {
  const calendars = new Map<number, WorkingCalendar>();
  for (const year of new Set(years)) {
    const item = await getItem(ctx, keys.calendar(year));
    if (item) calendars.set(year, strip<WorkingCalendar>(item));
  }
  return calendars;
};

/**
 * What the platform's accounts function reads of a person (infra/functions/accounts.ts): the
 * e-mail that never travels in events, and what decides the account's groups. Its IAM grant
 * allows GetItem of person items and exactly these attributes.
 */
export const personFacts = {
  attributes: [
    'personId',
    'version',
    'name',
    'email',
    'branchId',
    'secretaryOf',
    'committeeMember',
    'departure',
  ] as const,
  read: async (
    db: DynamoDBDocumentClient,
    tableName: string,
    personId: string,
  ): Promise<AccountFacts | undefined> => {
    const names = Object.fromEntries(personFacts.attributes.map((a, i) => [`#a${i}`, a]));
    const out = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.person(personId),
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        ConsistentRead: true,
      }),
    );
    return out.Item ? accountFactsOf(out.Item as Parameters<typeof accountFactsOf>[0]) : undefined;
  },
};

/**
 * How a person's sign-in account stands, as the platform's accounts function last reported
 * it (AccountChanged). Kept beside the person, not in it, so a report never moves the
 * person's version (which would announce a change and wake the function again).
 *   PERSON#<id> / ACCOUNT                the account's state                      GetItem
 */
const accountKey = (personId: string) => ({ pk: `PERSON#${personId}`, sk: 'ACCOUNT' });

export const getAccountState = async (
  ctx: ServiceContext,
  personId: string,
): Promise<AccountState | undefined> => {
  const item = await getItem(ctx, accountKey(personId));
  return item ? strip<AccountState>(item) : undefined;
};

/** A report is newer when it concerns a later person version, or the same one later. */
export const isNewerReport = (held: AccountState | undefined, next: AccountState): boolean =>
  !held ||
  next.personVersion > held.personVersion ||
  (next.personVersion === held.personVersion && next.reportedAt > held.reportedAt);

/** Keeps the report unless a newer one landed meanwhile (then the delivery is decided again). */
export const putAccountState = (tx: Transaction, personId: string, state: AccountState): void => {
  tx.put(
    { ...accountKey(personId), kind: 'account', ...state },
    {
      condition:
        'attribute_not_exists(pk) OR personVersion < :v OR (personVersion = :v AND reportedAt < :at)',
      values: { ':v': state.personVersion, ':at': state.reportedAt },
      onConditionFailed: () => conflict('account-report-moved-on', 'a newer account report landed'),
    },
  );
};

/** Membership of the party committee, listed through gsi1 (ROLE#committee). */
export const committeeRoleItem = (personId: string, since: string) => ({
  ...keys.committeeRole(personId),
  kind: 'role',
  role: 'committee',
  personId,
  since,
  gsi1pk: 'ROLE#committee',
  gsi1sk: personId,
});

/** One page of the committee's members (their ids, by id). */
export const committeeMembersPage = (
  ctx: ServiceContext,
  page: { limit: number; cursor?: string | undefined },
) => memberIdsPage(ctx, 'committee', 'ROLE#committee', page);

/** Every branch's item (gsi1 BRANCHES): a few dozen 党支部, for an import resolving names. */
export const allBranchItems = (ctx: ServiceContext) =>
  queryAll(ctx, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': 'BRANCHES' },
  });

/** One page of every branch (gsi1 BRANCHES), by id. */
export const branchesPage = <T>(
  ctx: ServiceContext,
  page: { limit: number; cursor?: string | undefined },
  map: (item: Record<string, unknown>) => T,
) =>
  queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'BRANCHES' },
    },
    {
      list: 'branches',
      partition: { name: 'gsi1pk', value: 'BRANCHES' },
      limit: page.limit,
      cursor: page.cursor,
    },
    map,
  );

// ---------------------------------------------------------------- contributions

type ContributionItem = Record<string, unknown> & { pk: string; sk: string; occurredAtMs: number };

/** What another service reported about this fact so far, if anything. */
/** The contributions already held under these items' keys, by `pk|sk`: one read per 100. */
export const heldContributions = async (
  ctx: ServiceContext,
  items: readonly Pick<ContributionItem, 'pk' | 'sk'>[],
): Promise<Map<string, ContributionItem>> => {
  const held = await getInBatches(
    ctx,
    items.map(({ pk, sk }) => ({ pk, sk })),
  );
  return new Map(held.map((item) => [`${item.pk}|${item.sk}`, item as ContributionItem]));
};

/** Only a later report of a fact replaces an earlier one: redeliveries arrive out of order. */
const newerReport = (item: ContributionItem) => ({
  condition: 'attribute_not_exists(pk) OR occurredAtMs < :at',
  values: { ':at': item.occurredAtMs },
});

/** The report, in the consumer's transaction; a newer one written meanwhile makes it retry. */
export const putContributionIfNewer = (tx: Transaction, item: ContributionItem): Transaction =>
  tx.put(item, {
    ...newerReport(item),
    onConditionFailed: () => conflict('contribution-moved-on', 'a newer report of this fact landed'),
  });

/**
 * The report, outside the transaction, for events with more facts than one transaction
 * holds; an equal or newer report already there simply stays.
 */
export const putContributionAhead = async (ctx: ServiceContext, item: ContributionItem): Promise<void> => {
  const { condition, values } = newerReport(item);
  try {
    await ctx.db.send(
      new PutCommand({
        TableName: ctx.env.tableName,
        Item: item,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

// ---------------------------------------------------------------- pipeline reminders

/** One (person, rule, dueOn, phase) announced: what the daily `pipeline-due` sweep writes once. */
export interface AnnouncedStep {
  personId: string;
  rule: string;
  dueOn: string;
  phase: DuePhase;
}

const announcedKey = (s: AnnouncedStep) => ({
  pk: `PIPELINE-DUE#${s.personId}`,
  sk: `${s.rule}#${s.dueOn}#${s.phase}`,
});

/** Those of the steps announced already (a BatchGet of their markers), by the marker's key. */
export const announcedSteps = async (
  ctx: ServiceContext,
  steps: readonly AnnouncedStep[],
): Promise<(s: AnnouncedStep) => boolean> => {
  const id = (k: { pk: unknown; sk: unknown }) => `${k.pk}|${k.sk}`;
  const found = await getInBatches(ctx, steps.map(announcedKey), { consistentRead: true });
  const held = new Set(found.map((item) => id(item as { pk: unknown; sk: unknown })));
  return (s) => held.has(id(announcedKey(s)));
};

/**
 * The step's marker, created only if absent: in the transaction of its PipelineStepDue, so the
 * event is written once however often (or however many at once) the sweep runs.
 */
export const markStepAnnounced = (tx: Transaction, s: AnnouncedStep, at: string): Transaction =>
  tx.create({ ...announcedKey(s), kind: 'pipeline-due', ...s, announcedAt: at }, () =>
    conflict('conflict', 'This step was announced already'),
  );
