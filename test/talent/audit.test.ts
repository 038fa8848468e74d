/**
 * The audit log of personal information (PIPL Art. 51): every read and write of a person's
 * record leaves one entry with the caller and the request id; the committee lists them by
 * person and by actor, newest first; a refused write leaves none; a read whose entry cannot
 * be written does not answer.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { talentService } from '../../services/talent/service.js';
import { createHttpHandler } from '../../shared/http/handler.js';
import { newId } from '../../shared/ids.js';
import { toLocalIso } from '../../shared/time.js';
import { as, runtime, tableClient } from '../support/api.js';
import { httpEvent } from '../support/http-event.js';
import { contextOn } from '../support/start.js';
import { committee, newBranch, register, TODAY } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;
interface Entry {
  auditId: string;
  actor: string;
  accountId: string;
  actorRoles: string[];
  action: string;
  personId?: string;
  scope?: Record<string, string>;
  changes?: { field: string; before?: unknown; after?: unknown }[];
  at: string;
  requestId: string;
}

/** Request times a minute apart, so "newest first" is decided by the test, not by chance. */
const minute = (n: number) => toLocalIso(new Date(Date.parse(TODAY) + n * 60_000));

const byPerson = async (admin: Client, personId: string, query = 'limit=100') => {
  const res = await admin.get(`/talent/audit/people/${personId}?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: Entry[]; nextCursor?: string };
};

const byActor = async (admin: Client, actor: string, query = 'limit=100') => {
  const res = await admin.get(`/talent/audit/actors/${actor}?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: Entry[]; nextCursor?: string };
};

const setUp = async () => {
  const admin = await committee();
  const { branchId } = await newBranch(admin);
  const secretary = await as({ roles: ['secretary', 'member'], branchId });
  return { admin, branchId, secretary };
};

describe('the audit log', () => {
  it('has an entry for every read and write of a person, with the caller and the request id, newest first', async () => {
    const { admin, branchId, secretary } = await setUp();
    const person = await register(secretary, { branchId, phone: '13912345678' }, minute(0));
    const path = `/talent/people/${person.personId}`;
    const self = await as({ roles: ['member'], branchId, personId: person.personId });
    const calls: [string, () => Promise<{ status: number; headers: Headers }>][] = [
      ['person.read', () => secretary.get(path, { now: minute(1) })],
      ['person.update', () => secretary.patch(path, { version: 1, title: '主管药师' }, { now: minute(2) })],
      [
        'person.transition',
        () =>
          secretary.post(
            `${path}/transitions`,
            { to: 'applicant', effectiveOn: '2026-11-26' },
            { now: minute(3) },
          ),
      ],
      [
        'person.pipeline-event',
        () =>
          secretary.post(
            `${path}/pipeline-events`,
            { kind: 'application-talk', on: '2026-11-26' },
            { now: minute(4) },
          ),
      ],
      [
        'record.create',
        () =>
          secretary.post(
            `${path}/records`,
            { kind: 'training', date: '2026-01-05', title: '入党积极分子培训' },
            { now: minute(5) },
          ),
      ],
      ['timeline.read', () => secretary.get(`${path}/timeline`, { now: minute(6) })],
      [
        'pool.add',
        () =>
          admin.put(`/talent/pools/young-talent/members/${person.personId}`, undefined, { now: minute(7) }),
      ],
      [
        'pool.remove',
        () => admin.delete(`/talent/pools/young-talent/members/${person.personId}`, { now: minute(8) }),
      ],
      ['profile.read', () => self.get('/talent/me', { now: minute(9) })],
      ['person.read', () => self.get(path, { now: minute(10) })],
    ];
    const requestIds: string[] = [];
    for (const [action, call] of calls) {
      const res = await call();
      expect(res.status, action).toBeLessThan(300);
      requestIds.push(res.headers.get('x-request-id') as string);
    }
    const { items } = await byPerson(admin, person.personId);
    // The registration's entry is the oldest; the rest follow the calls, newest first.
    expect(items.map((e) => e.action)).toEqual(['person.register', ...calls.map(([a]) => a)].reverse());
    const newestFirst = [...items].reverse().slice(1);
    newestFirst.forEach((entry, i) => {
      expect(entry.requestId).toBe(requestIds[i]);
      expect(entry.at).toBe(minute(i + 1));
      expect(entry.personId).toBe(person.personId);
    });
    // Who acted is the person; the account they signed in with is kept beside it.
    expect(items[0]).toMatchObject({ actor: person.personId, accountId: self.sub, actorRoles: ['member'] });
    expect(items.at(-1)).toMatchObject({
      actor: secretary.personId,
      accountId: secretary.sub,
      actorRoles: ['secretary', 'member'],
    });
    // The log holds who and what, never the record itself.
    expect(JSON.stringify(items)).not.toContain('13912345678');
  });

  it('records corrections and withdrawals of records, with what each changed', async () => {
    const { admin, branchId, secretary } = await setUp();
    const person = await register(admin, { branchId });
    const created = await secretary.post(
      `/talent/people/${person.personId}/records`,
      {
        kind: 'performance',
        date: '2026-01-05',
        title: '2025 年度考核',
        rating: 'competent',
      },
      { now: minute(0) },
    );
    const recordPath = `/talent/people/${person.personId}/records/${created.body.recordId}`;
    expect(
      (await secretary.patch(recordPath, { version: 1, rating: 'excellent' }, { now: minute(1) })).status,
    ).toBe(200);
    expect(
      (await secretary.post(`${recordPath}/withdrawal`, { reason: '录错了人' }, { now: minute(2) })).status,
    ).toBe(200);
    const items = (await byPerson(admin, person.personId)).items;
    expect(items.slice(0, 3).map((e) => [e.action, e.changes])).toEqual([
      [
        'record.withdraw',
        [
          { field: 'withdrawnAt', after: minute(2) },
          { field: 'withdrawalReason', after: '录错了人' },
        ],
      ],
      ['record.update', [{ field: 'rating', before: 'competent', after: 'excellent' }]],
      [
        'record.create',
        [
          { field: 'kind', after: 'performance' },
          { field: 'date', after: '2026-01-05' },
          { field: 'title', after: '2025 年度考核' },
          { field: 'rating', after: 'competent' },
        ],
      ],
    ]);
  });

  it('lists what one caller did across people, lists of people with their scope, page by page', async () => {
    const { admin, branchId, secretary } = await setUp();
    const a = await register(admin, { branchId });
    const b = await register(admin, { branchId });
    const reads = [
      await secretary.get(`/talent/people/${a.personId}`, { now: minute(1) }),
      await secretary.get(`/talent/people?status=masses&q=张`, { now: minute(2) }),
      await secretary.get(`/talent/people/${b.personId}`, { now: minute(3) }),
    ];
    const all = await byActor(admin, secretary.personId);
    // Listed by the person who acted, never by the account id.
    expect((await byActor(admin, secretary.sub)).items).toEqual([]);
    expect(new Set(all.items.map((e) => e.accountId))).toEqual(new Set([secretary.sub]));
    expect(all.items.map((e) => [e.action, e.personId])).toEqual([
      ['person.read', b.personId],
      ['people.list', undefined],
      ['person.read', a.personId],
    ]);
    expect(all.items.map((e) => e.requestId)).toEqual(
      reads.map((r) => r.headers.get('x-request-id')).reverse(),
    );
    // One entry per list request, naming the query's scope (the secretary's own branch).
    expect(all.items[1]?.scope).toEqual({ list: 'people', branchId, status: 'masses', q: '张' });
    const first = await byActor(admin, secretary.personId, 'limit=2');
    expect(first.items).toEqual(all.items.slice(0, 2));
    const second = await byActor(admin, secretary.personId, `limit=2&cursor=${first.nextCursor}`);
    expect(second.items).toEqual(all.items.slice(2));
    // A cursor of one caller's log does not page through another's.
    expect((await admin.get(`/talent/audit/actors/${newId()}?cursor=${first.nextCursor}`)).status).toBe(400);
  });

  it('is read by the committee only, and no route edits or deletes an entry', async () => {
    const { admin, branchId, secretary } = await setUp();
    const person = await register(admin, { branchId });
    const self = await as({ roles: ['member'], branchId, personId: person.personId });
    const partner = await as({ roles: ['partner'], orgId: newId() });
    for (const caller of [secretary, self, partner]) {
      expect((await caller.get(`/talent/audit/people/${person.personId}`)).status).toBe(403);
      expect((await caller.get(`/talent/audit/actors/${caller.personId}`)).status).toBe(403);
    }
    const [entry] = (await byPerson(admin, person.personId)).items;
    expect(entry?.action).toBe('person.register');
    const routes = talentService.routes.filter((r) => r.path.startsWith('/talent/audit'));
    expect(routes.map((r) => r.method)).toEqual(['GET', 'GET']);
    // Kept, never expired: the stored entry carries no TTL attribute.
    const stored = await tableClient().send(
      new QueryCommand({
        TableName: runtime().tableNames.talent as string,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#PERSON#${person.personId}` },
        ConsistentRead: true,
      }),
    );
    expect(stored.Items).toHaveLength(1);
    expect(stored.Items?.[0]).not.toHaveProperty(talentService.table.timeToLiveAttribute as string);
  });

  it('has no entry of a write that was refused: a stale PATCH, a refused transition', async () => {
    const { admin, branchId, secretary } = await setUp();
    const person = await register(admin, { branchId });
    const path = `/talent/people/${person.personId}`;
    expect((await secretary.patch(path, { version: 1, title: '主管药师' })).status).toBe(200);
    const stale = await secretary.patch(path, { version: 1, title: '副主任药师' });
    expect(stale.status).toBe(409);
    // masses → activist skips a stage: refused (422).
    const refused = await secretary.post(`${path}/transitions`, {
      to: 'activist',
      effectiveOn: '2024-03-01',
    });
    expect(refused.status).toBe(422);
    const { items } = await byActor(admin, secretary.personId);
    expect(items.map((e) => e.action)).toEqual(['person.update']);
    const stalesId = stale.headers.get('x-request-id');
    expect((await byPerson(admin, person.personId)).items.some((e) => e.requestId === stalesId)).toBe(false);
  });
});

describe('a refused read', () => {
  it('leaves no entry: a forged cursor on the people list and on a timeline is a 400 and nothing is recorded', async () => {
    const { admin, branchId, secretary } = await setUp();
    const person = await register(admin, { branchId });
    const forged = 'cursor=%2CHNna%5Bgyu%29';
    expect((await secretary.get(`/talent/people?branchId=${branchId}&${forged}`)).status).toBe(400);
    expect((await secretary.get(`/talent/people/${person.personId}/timeline?${forged}`)).status).toBe(400);
    expect((await byActor(admin, secretary.personId)).items).toEqual([]);
  });
});

describe('a read whose audit entry cannot be written', () => {
  it('does not answer: 503, and the record is not shown', async () => {
    const info = runtime();
    const admin = await committee();
    const person = await register(admin, { phone: '13912345678' });
    const ctx = contextOn(info, 'talent');
    // Reads reach the table; the write of the audit entry finds it unreachable.
    const send = ctx.db.send.bind(ctx.db);
    ctx.db.send = (async (command: { constructor: { name: string } }) => {
      if (['PutCommand', 'TransactWriteCommand'].includes(command.constructor.name)) {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      }
      return send(command as never);
    }) as typeof ctx.db.send;
    const handler = createHttpHandler(talentService, ctx);
    const event = httpEvent({
      method: 'GET',
      path: `/talent/people/${person.personId}`,
      caller: { sub: admin.sub, personId: admin.personId, groups: ['committee'] },
      now: TODAY,
      requestId: 'audit-fail-closed',
    });
    const res = await handler(event, { awsRequestId: 'x' } as unknown as Context);
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain('13912345678');
    expect(JSON.parse(res.body as string).error.code).toBe('service-unavailable');
  });
});
