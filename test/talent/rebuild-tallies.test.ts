/**
 * The backfill of the tallies for a table written before them: on a table of its own (the
 * rebuild replaces every tally, which would race the other test files on the shared one).
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../infra/local/dynamodb-local.js';
import { tableInput } from '../../infra/local/tables.js';
import type { Person } from '../../services/talent/domain/person.js';
import { type Tally, tallyOf } from '../../services/talent/domain/tallies.js';
import type { PoliticalStatus } from '../../services/talent/events.js';
import { talentService } from '../../services/talent/service.js';
import {
  ageTallies,
  createPerson,
  personItem,
  rebuildAgeTallies,
  transaction,
} from '../../services/talent/store.js';
import type { ServiceContext } from '../../shared/context.js';
import { conflict } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { runtime } from '../support/api.js';
import { contextOn } from '../support/start.js';

const tableName = `talent-rebuild-${newId()}`;
let ctx: ServiceContext;
const client = () =>
  new DynamoDBClient({
    region: 'eu-west-1',
    endpoint: runtime().dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

beforeAll(async () => {
  const { StreamSpecification: _noStream, ...input } = tableInput(tableName, talentService.table);
  await ensureTable(client(), input);
  const base = contextOn(runtime(), 'talent');
  ctx = { ...base, env: { ...base.env, tableName } };
});
afterAll(async () => {
  await client().send(new DeleteTableCommand({ TableName: tableName }));
});

const someone = (birthDate: string, politicalStatus: PoliticalStatus, branchId?: string): Person => ({
  personId: newId(),
  version: 1,
  name: '张三',
  gender: 'female',
  birthDate,
  department: '质检科',
  politicalStatus,
  statusSince: '2020-01-01',
  ...(branchId ? { branchId } : {}),
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const put = (item: Record<string, unknown>) =>
  ctx.db.send(new PutCommand({ TableName: tableName, Item: item }));
const sorted = (tallies: Tally[]) =>
  [...tallies].sort((a, b) =>
    `${a.birthDate}${a.politicalStatus}`.localeCompare(`${b.birthDate}${b.politicalStatus}`),
  );

describe('rebuildAgeTallies', () => {
  it('counts everyone from scratch, replaces stale tallies, and can run again', async () => {
    // People written as before the tallies: no tally items.
    const people = [
      ...Array.from({ length: 30 }, (_, i) =>
        someone(`19${60 + (i % 7)}-0${1 + (i % 9)}-1${i % 10}`, 'full', 'B1'),
      ),
      someone('1990-05-12', 'applicant', 'B1'),
      someone('1990-05-12', 'applicant', 'B2'),
      someone('2001-02-03', 'masses'),
    ];
    for (const p of people) await put(personItem(p));
    // Stale tallies: a wrong count in a year that has people, a year nobody is born in, a branch now empty.
    await put({ pk: 'AGE#ALL', sk: 'YEAR#1990', kind: 'tally', year: '1990', ap0512: 7, fu0101: 3 });
    await put({ pk: 'AGE#ALL', sk: 'YEAR#1899', kind: 'tally', year: '1899', fu0101: 1 });
    await put({
      pk: 'BRANCH#B9',
      sk: 'BRANCH',
      kind: 'branch',
      gsi1pk: 'BRANCHES',
      gsi1sk: 'B9',
      branchId: 'B9',
    });
    await put({ pk: 'AGE#BRANCH#B9', sk: 'YEAR#1970', kind: 'tally', year: '1970', fu0101: 2 });

    const check = async (all: Person[]) => {
      expect(sorted(await ageTallies(ctx, undefined))).toEqual(sorted(tallyOf(all)));
      expect(sorted(await ageTallies(ctx, 'B1'))).toEqual(
        sorted(tallyOf(all.filter((p) => p.branchId === 'B1'))),
      );
      expect(await ageTallies(ctx, 'B2')).toEqual(tallyOf(all.filter((p) => p.branchId === 'B2')));
      expect(await ageTallies(ctx, 'B9')).toEqual([]);
    };
    expect((await rebuildAgeTallies(ctx)).people).toBe(people.length);
    await check(people);
    await rebuildAgeTallies(ctx);
    await check(people);

    // From there on the writes keep them.
    const later = someone('1990-05-12', 'applicant', 'B2');
    const tx = transaction(ctx);
    createPerson(tx, later, () => conflict('person-exists', 'exists'));
    await tx.commit();
    await check([...people, later]);
  });
});
