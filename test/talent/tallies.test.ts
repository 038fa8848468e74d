/**
 * The head counts by birth date and status behind the insights: they follow every write of a
 * person (registration, transition, the end of a membership, a branch move, a corrected
 * birth date), in a branch and in the whole institution, also when many register at once.
 *
 * Other test files register people in the same runtime at the same time, so the institution's
 * answer is checked on birth years no other test uses (1901–1949, a fresh one per test), as a
 * difference from before, read straight from the tally items.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ageStructure } from '../../services/talent/domain/age.js';
import { tallyOf } from '../../services/talent/domain/tallies.js';
import { type PoliticalStatus, politicalStatuses } from '../../services/talent/events.js';
import { talentService } from '../../services/talent/service.js';
import { newId } from '../../shared/ids.js';
import { runtime, tableClient } from '../support/api.js';
import { invoke } from '../support/http-event.js';
import { interposed } from '../support/interposed.js';
import { contextOn } from '../support/start.js';
import { type Client, committee, newBranch, personBody, register, TODAY } from './support.js';

const ASKED_ON = '2026-11-26';

/** A birth year nobody else registers: the institution's counts for it are this test's own. */
const usedYears = new Set<number>();
const ownYear = () => {
  for (;;) {
    const year = 1901 + Math.floor(Math.random() * 49);
    if (!usedYears.has(year)) {
      usedYears.add(year);
      return String(year);
    }
  }
};

/** The institution's count for each status and birth date of one year, from the tally item. */
const institutionYear = async (year: string) => {
  const out = await tableClient().send(
    new QueryCommand({
      TableName: runtime().tableNames.talent as string,
      KeyConditionExpression: 'pk = :p AND sk = :s',
      ExpressionAttributeValues: { ':p': 'AGE#ALL', ':s': `YEAR#${year}` },
      ConsistentRead: true,
    }),
  );
  const item = out.Items?.[0] ?? {};
  return Object.fromEntries(
    Object.entries(item).filter(([k, v]) => /^[a-z]{2}\d{4}$/.test(k) && typeof v === 'number' && v !== 0),
  ) as Record<string, number>;
};

const difference = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v !== 0),
  );

type Someone = { birthDate: string; politicalStatus: PoliticalStatus };

/** What the branch's age structure must be: computed from the people the test knows it holds. */
const expectedFor = (people: Someone[]) => ageStructure(tallyOf(people), ASKED_ON);

const ageStructureOf = async (admin: Client, branchId: string) => {
  const res = await admin.get(`/talent/insights/age-structure?branchId=${branchId}`, { now: TODAY });
  expect(res.status).toBe(200);
  const { branchId: _b, ...structure } = res.body;
  return structure;
};

const pipelineCountsOf = async (admin: Client, branchId: string) => {
  const res = await admin.get(`/talent/insights/pipeline?branchId=${branchId}`, { now: TODAY });
  expect(res.status).toBe(200);
  return res.body.counts as Record<PoliticalStatus, number>;
};

const countsFor = (people: Someone[]) =>
  Object.fromEntries(politicalStatuses.map((s) => [s, people.filter((p) => p.politicalStatus === s).length]));

describe('the tallies follow every write of a person', () => {
  it('registration, transitions, the end of a membership, a branch move and a corrected birth date', async () => {
    const admin = await committee();
    const a = (await newBranch(admin)).branchId;
    const b = (await newBranch(admin)).branchId;
    const year = ownYear();
    const before = await institutionYear(year);
    const inA = new Map<string, Someone>();
    const inB = new Map<string, Someone>();
    const check = async () => {
      expect(await ageStructureOf(admin, a)).toEqual(expectedFor([...inA.values()]));
      expect(await ageStructureOf(admin, b)).toEqual(expectedFor([...inB.values()]));
      expect(await pipelineCountsOf(admin, a)).toEqual(countsFor([...inA.values()]));
      expect(await pipelineCountsOf(admin, b)).toEqual(countsFor([...inB.values()]));
    };
    const enter = async (branch: Map<string, Someone>, branchId: string, someone: Someone) => {
      const { personId, version } = await register(admin, {
        branchId,
        statusSince: '2020-01-01',
        ...someone,
      });
      branch.set(personId, someone);
      return { personId, version: version as number };
    };

    const full = await enter(inA, a, { birthDate: `${year}-05-12`, politicalStatus: 'full' });
    const masses = await enter(inA, a, { birthDate: `${year}-05-12`, politicalStatus: 'masses' });
    const young = await enter(inA, a, { birthDate: '1999-02-28', politicalStatus: 'probationary' });
    await enter(inB, b, { birthDate: '1985-12-31', politicalStatus: 'activist' });
    await check();

    // A transition: masses → applicant moves one count from masses to the pipeline.
    const applied = await admin.post(
      `/talent/people/${masses.personId}/transitions`,
      { to: 'applicant', effectiveOn: '2024-01-10' },
      { now: TODAY },
    );
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    inA.set(masses.personId, { birthDate: `${year}-05-12`, politicalStatus: 'applicant' });
    await check();

    // The end of a probation (取消预备党员资格): no longer a member, counted among the masses.
    const cancelled = await admin.post(
      `/talent/people/${young.personId}/transitions`,
      { to: 'masses', effectiveOn: '2024-01-10', evidence: { reason: '取消预备党员资格' } },
      { now: TODAY },
    );
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(201);
    inA.set(young.personId, { birthDate: '1999-02-28', politicalStatus: 'masses' });
    await check();

    // A branch move: out of A, into B; the institution's counts stay.
    const moved = await admin.patch(
      `/talent/people/${full.personId}`,
      { version: full.version, branchId: b },
      { now: TODAY },
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    inB.set(full.personId, inA.get(full.personId) as Someone);
    inA.delete(full.personId);
    await check();

    // A corrected birth date, within the year and into another year.
    const corrected = await admin.patch(
      `/talent/people/${full.personId}`,
      { version: moved.body.version, birthDate: `${year}-01-01` },
      { now: TODAY },
    );
    expect(corrected.status).toBe(200);
    inB.set(full.personId, { birthDate: `${year}-01-01`, politicalStatus: 'full' });
    await check();
    const recorrected = await admin.patch(
      `/talent/people/${full.personId}`,
      { version: corrected.body.version, birthDate: '1960-07-01' },
      { now: TODAY },
    );
    expect(recorrected.status).toBe(200);
    inB.set(full.personId, { birthDate: '1960-07-01', politicalStatus: 'full' });
    await check();

    // A change the tallies do not count (a name) moves nothing; a refused write moves nothing.
    expect(
      (
        await admin.patch(`/talent/people/${full.personId}`, {
          version: recorrected.body.version,
          name: '李四',
        })
      ).status,
    ).toBe(200);
    expect(
      (await admin.patch(`/talent/people/${full.personId}`, { version: 1, birthDate: '1970-01-01' })).status,
    ).toBe(409);
    await check();

    // The institution: of this year only the applicant born 05-12 is left (the full member moved to 1960).
    expect(difference(await institutionYear(year), before)).toEqual({ ap0512: 1 });
  });

  it('a replayed registration (the same personId) is refused and counted once', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const year = ownYear();
    const before = await institutionYear(year);
    const body = { branchId, birthDate: `${year}-03-03`, politicalStatus: 'full' };
    const { personId } = await register(admin, body);
    const again = await admin.post('/talent/people', { ...personBody(body), personId }, { now: TODAY });
    expect(again.status).toBe(409);
    expect(difference(await institutionYear(year), before)).toEqual({ fu0303: 1 });
    expect((await ageStructureOf(admin, branchId)).members.count).toBe(1);
  });
});

describe('registrations at once', () => {
  it('24 in one branch and birth year all get 201, and every count is exact afterwards', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const year = ownYear();
    const before = await institutionYear(year);
    const statuses: PoliticalStatus[] = ['full', 'probationary', 'applicant'];
    const people: Someone[] = Array.from({ length: 24 }, (_, i) => ({
      birthDate: `${year}-0${1 + (i % 3)}-15`,
      politicalStatus: statuses[i % 3] as PoliticalStatus,
    }));
    const answers = await Promise.all(
      people.map((p) => admin.post('/talent/people', personBody({ branchId, ...p }), { now: TODAY })),
    );
    expect(answers.map((r) => r.status)).toEqual(people.map(() => 201));
    expect(await ageStructureOf(admin, branchId)).toEqual(expectedFor(people));
    expect(difference(await institutionYear(year), before)).toEqual({ fu0115: 8, pr0215: 8, ap0315: 8 });
  });
});

/** A committee request through talent's whole HTTP Lambda, on a context the test controls. */
const asCommittee = (
  ctx: Parameters<typeof invoke>[1],
  method: string,
  path: string,
  input: { body?: unknown; query?: Record<string, string> } = {},
) =>
  invoke(talentService, ctx, {
    method,
    path,
    ...input,
    caller: { sub: newId(), groups: ['committee'] },
    now: TODAY,
  });

/**
 * DynamoDB Local runs transactions one at a time, so it never cancels one for a conflict as
 * DynamoDB does under load. Here the table's client loses the first races on purpose (the
 * cancellation DynamoDB sends), and the requests go through talent's whole HTTP Lambda.
 */
describe('a write that loses a race for a tally item', () => {
  const losingRaces = (races: number) => {
    let transactions = 0;
    const ctx = interposed(contextOn(runtime(), 'talent'), async (command, send) => {
      if (command instanceof TransactWriteCommand && ++transactions <= races) {
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
        });
      }
      return send(command);
    });
    return { ctx, transactions: () => transactions };
  };
  it('is decided again and counted once: a registration, then a transition', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const year = ownYear();
    const before = await institutionYear(year);

    const registering = losingRaces(3);
    const registered = await asCommittee(registering.ctx, 'POST', '/talent/people', {
      body: personBody({ branchId, birthDate: `${year}-08-01` }),
    });
    expect(registered.status).toBe(201);
    expect(registering.transactions()).toBe(4);
    expect(difference(await institutionYear(year), before)).toEqual({ ms0801: 1 });

    const personId = (registered.body as { personId: string }).personId;
    const transitioning = losingRaces(2);
    const moved = await asCommittee(transitioning.ctx, 'POST', `/talent/people/${personId}/transitions`, {
      body: { to: 'applicant', effectiveOn: '2026-11-26', evidence: {} },
    });
    expect(moved.status).toBe(201);
    expect(transitioning.transactions()).toBe(3);
    expect(difference(await institutionYear(year), before)).toEqual({ ap0801: 1 });
    expect(await ageStructureOf(admin, branchId)).toEqual(
      expectedFor([{ birthDate: `${year}-08-01`, politicalStatus: 'applicant' }]),
    );
  });
});

/** The insights' reads must not grow with the number of people. */
describe('what the insights read', () => {
  const counting = () => {
    let items = 0;
    const ctx = interposed(contextOn(runtime(), 'talent'), async (command, send) => {
      const out = (await send(command)) as { Items?: unknown[]; Item?: unknown };
      if (command instanceof QueryCommand) items += out.Items?.length ?? 0;
      if (command instanceof GetCommand && out.Item) items += 1;
      return out;
    });
    return { ctx, items: () => items };
  };
  const ask = async (path: string, branchId: string) => {
    const reads = counting();
    const res = await asCommittee(reads.ctx, 'GET', path, { query: { branchId } });
    expect(res.status).toBe(200);
    return reads.items();
  };

  it('one item per birth year, and the pipeline people by name, however many members and masses', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const people = [
      ...Array.from({ length: 20 }, (_, i) => ({ politicalStatus: 'full', birthDate: `1970-01-${10 + i}` })),
      ...Array.from({ length: 10 }, (_, i) => ({
        politicalStatus: 'masses',
        birthDate: `1985-03-${10 + i}`,
      })),
      ...Array.from({ length: 3 }, () => ({ politicalStatus: 'applicant', birthDate: '1999-09-09' })),
    ];
    const answers = await Promise.all(
      people.map((p) => admin.post('/talent/people', personBody({ branchId, ...p }), { now: TODAY })),
    );
    expect(answers.every((r) => r.status === 201)).toBe(true);
    // The branch (1) and the birth years 1970, 1985, 1999 (3).
    expect(await ask('/talent/insights/age-structure', branchId)).toBe(1 + 3);
    // The branch, the three applicants by name, the birth years for the members' and masses' counts.
    expect(await ask('/talent/insights/pipeline', branchId)).toBe(1 + 3 + 3);
  });
});
