/**
 * Study records and assignments through the local runtime: minutes adding up atomically,
 * the first completion publishing once, and an assignment's completion list built from the
 * roster projection of talent's events.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { PersonRegistered } from '../../services/talent/events.js';
import { newId } from '../../shared/ids.js';
import { toLocalIso } from '../../shared/time.js';
import { asPeople, asPerson } from '../activities/support.js';
import { as, minter, publish, request, runtime, settle, tableClient } from '../support/api.js';
import { expectStatus } from './support.js';

const outbox = async (aggregate: string) => {
  const out = await tableClient().send(
    new QueryCommand({
      TableName: runtime().tableNames.resources,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `OUTBOX#${aggregate}` },
    }),
  );
  return (out.Items ?? []).map((i) => ({
    detailType: i.detailType,
    data: JSON.parse(i.detail as string).data,
  }));
};

const register = async (
  branchId: string,
  name: string,
  politicalStatus: 'full' | 'probationary' | 'masses' = 'full',
) => {
  const personId = newId();
  await publish(PersonRegistered, {
    person: {
      personId,
      version: 1,
      name,
      gender: 'female',
      birthDate: '1990-05-01',
      department: '化学药品检验所',
      branchId,
      politicalStatus,
      statusSince: '2020-07-01',
    },
  });
  return personId;
};

const studyResource = async (branchId: string) => {
  const committee = await as({ roles: ['committee'] });
  const res = await committee.post('/resources', {
    title: '学习贯彻党的二十大精神',
    kind: 'link',
    url: 'https://example.org/20th',
    audience: { branchIds: [branchId] },
    estimatedMinutes: 60,
  });
  expectStatus(res, 201);
  return res.body.resourceId as string;
};

describe('study progress', () => {
  it('adds minutes up and publishes StudyCompleted once, at the first completion, with the total', async () => {
    const branchId = newId();
    const resourceId = await studyResource(branchId);
    const member = await asPerson({ roles: ['member'], branchId });
    const now = '2026-11-26T10:00:00+08:00';

    const first = await member.post(`/resources/${resourceId}/progress`, { minutes: 30 }, { now });
    expect(first.body).toMatchObject({ minutes: 30, firstCompletion: false });
    const done = await member.post(
      `/resources/${resourceId}/progress`,
      { minutes: 20, completed: true },
      { now },
    );
    expectStatus(done, 200);
    expect(done.body).toMatchObject({ minutes: 50, firstCompletion: true });
    const again = await member.post(
      `/resources/${resourceId}/progress`,
      { minutes: 10, completed: true },
      { now },
    );
    expect(again.body).toMatchObject({
      minutes: 60,
      firstCompletion: false,
      completedAt: done.body.completedAt,
    });

    expect(await outbox(`${member.personId}#${resourceId}`)).toEqual([
      {
        detailType: 'StudyCompleted',
        data: {
          resourceId,
          title: '学习贯彻党的二十大精神',
          personId: member.personId,
          minutes: 50,
          completedAt: toLocalIso(new Date(now)),
        },
      },
    ]);

    const mine = await member.get('/resources/me/study?year=2026');
    expect(mine.body).toMatchObject({
      year: 2026,
      minutes: 60,
      completions: 1,
      items: [{ resourceId, minutes: 60, totalMinutes: 60 }],
    });
    expect((await member.get('/resources/me/study?year=2025')).body).toMatchObject({ minutes: 0, items: [] });
  });

  it('counts every minute of concurrent reports and still completes exactly once', async () => {
    const branchId = newId();
    const resourceId = await studyResource(branchId);
    // Once with a record already there (the version-like minutes guard), once without (creation guard).
    const [member, fresh] = await asPeople({ roles: ['member'], branchId }, { roles: ['member'], branchId });
    expectStatus(await member.post(`/resources/${resourceId}/progress`, { minutes: 5 }), 200);
    for (const who of [member, fresh]) {
      const reports = await Promise.all(
        Array.from({ length: 8 }, () =>
          who.post(`/resources/${resourceId}/progress`, { minutes: 5, completed: true }),
        ),
      );
      for (const r of reports) expectStatus(r, 200);
      expect(reports.filter((r) => r.body.firstCompletion)).toHaveLength(1);
    }
    const total = async (who: typeof member) =>
      (await who.get('/resources/me/study')).body.items.find((i: any) => i.resourceId === resourceId)
        ?.totalMinutes;
    expect(await total(member)).toBe(45);
    expect(await total(fresh)).toBe(40);
    expect(await outbox(`${member.personId}#${resourceId}`)).toHaveLength(1);
    expect(await outbox(`${fresh.personId}#${resourceId}`)).toHaveLength(1);
  });

  it('refuses more than 240 minutes, nothing at all, and a resource outside the audience', async () => {
    const branchId = newId();
    const resourceId = await studyResource(branchId);
    const [member, outsider] = await asPeople(
      { roles: ['member'], branchId },
      { roles: ['member'], branchId: newId() },
    );
    expectStatus(await member.post(`/resources/${resourceId}/progress`, { minutes: 241 }), 400);
    expectStatus(await member.post(`/resources/${resourceId}/progress`, { minutes: 0 }), 400);
    expectStatus(await outsider.post(`/resources/${resourceId}/progress`, { minutes: 10 }), 404);
    expect((await member.get('/resources/me/study')).body.items).toEqual([]);
  });

  it('refuses study and assignments of a resource no longer available with the one 422 resource-not-available', async () => {
    const branchId = newId();
    const resourceId = await studyResource(branchId);
    const committee = await asPerson({ roles: ['committee'] });
    expectStatus(await committee.post(`/resources/${resourceId}/archive`), 200);
    const refusals = [
      await committee.post(`/resources/${resourceId}/progress`, { minutes: 10 }),
      await committee.post('/resources/assignments', {
        resourceId,
        branchIds: [branchId],
        dueOn: '2099-12-31',
      }),
    ];
    for (const refused of refusals) {
      expectStatus(refused, 422);
      expect(refused.body.error.code).toBe('resource-not-available');
    }
  });
});

/** A person's study records, straight from the table (empty: nothing was written for them). */
const studyItems = async (personId: string) =>
  (
    await tableClient().send(
      new QueryCommand({
        TableName: runtime().tableNames.resources,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `STUDY#${personId}` },
      }),
    )
  ).Items ?? [];

describe('study is reported for a person of the register', () => {
  it('refuses an account whose person the register does not hold (403 no-person), and writes nothing', async () => {
    const branchId = newId();
    const resourceId = await studyResource(branchId);
    const ghost = await as({ roles: ['member'], branchId });
    for (const res of [
      await ghost.post(`/resources/${resourceId}/progress`, { minutes: 30, completed: true }),
      await ghost.get('/resources/me/study'),
    ]) {
      expectStatus(res, 403);
      expect(res.body.error.code).toBe('no-person');
    }
    expect(await studyItems(ghost.personId)).toEqual([]);
    expect(await outbox(`${ghost.personId}#${resourceId}`)).toEqual([]);
  });

  it('refuses an account linked to no person (403 no-person), whatever its account id', async () => {
    const branchId = newId();
    const resourceId = await studyResource(branchId);
    const person = await asPerson({ roles: ['member'], branchId });
    // No `custom:personId`; its account id even equals a person's id.
    const token = await (await minter()).mint({ roles: ['member'], branchId, sub: person.personId });
    for (const res of [
      await request('POST', `/resources/${resourceId}/progress`, { minutes: 30, completed: true }, { token }),
      await request('GET', '/resources/me/study', undefined, { token }),
    ]) {
      expectStatus(res, 403);
      expect(res.body.error.code).toBe('no-person');
    }
    expect(await studyItems(person.personId)).toEqual([]);
  });

  it("records study for the account's person, never for its account id", async () => {
    const branchId = newId();
    const resourceId = await studyResource(branchId);
    const [a, b] = await asPeople({ roles: ['member'], branchId }, { roles: ['member'], branchId });
    // B's account, whose account id happens to be A's person id.
    const token = await (await minter()).mint({
      roles: ['member'],
      branchId,
      sub: a.personId,
      personId: b.personId,
    });
    const now = '2026-11-26T10:00:00+08:00';
    expectStatus(
      await request(
        'POST',
        `/resources/${resourceId}/progress`,
        { minutes: 30, completed: true },
        { token, now },
      ),
      200,
    );
    expect((await studyItems(b.personId)).map((i) => i.minutes)).toEqual([30]);
    expect(await studyItems(a.personId)).toEqual([]);
    expect((await outbox(`${b.personId}#${resourceId}`)).map((e) => e.data.personId)).toEqual([b.personId]);
    const mine = await request('GET', '/resources/me/study?year=2026', undefined, { token });
    expect(mine.body).toMatchObject({ minutes: 30 });
    expect((await a.get('/resources/me/study?year=2026')).body).toMatchObject({ minutes: 0, items: [] });
  });
});

describe('study assignments', () => {
  it("lists who completed and who has not, from the branch's roster, with overdue in Shanghai time", async () => {
    const branchId = newId();
    const [li, wang, zhao] = await Promise.all([
      register(branchId, '李明', 'full'),
      register(branchId, '王芳', 'probationary'),
      register(branchId, '赵强', 'masses'),
    ]);
    const outsideId = newId();
    await settle();
    const resourceId = await studyResource(branchId);
    const secretary = await as({ roles: ['secretary', 'member'], branchId });

    const assigned = await secretary.post(
      '/resources/assignments',
      { resourceId, branchIds: [branchId], dueOn: '2026-12-10' },
      { now: '2026-12-01T09:00:00+08:00' },
    );
    expectStatus(assigned, 201);
    const { assignmentId } = assigned.body;
    expect((await outbox(assignmentId)).map((e) => e.detailType)).toEqual(['StudyAssigned']);

    const liClient = await as({ roles: ['member'], branchId, personId: li });
    expectStatus(
      await liClient.post(
        `/resources/${resourceId}/progress`,
        { minutes: 45, completed: true },
        { now: '2026-12-05T20:00:00+08:00' },
      ),
      200,
    );

    // 2026-12-10T23:30 in Shanghai is still the due date.
    const onTime = await secretary.get(`/resources/assignments/${assignmentId}`, {
      now: '2026-12-10T15:30:00Z',
    });
    expectStatus(onTime, 200);
    expect(onTime.body.completed).toEqual([
      { personId: li, name: '李明', branchId, completedAt: '2026-12-05T20:00:00+08:00' },
    ]);
    expect(onTime.body.notCompleted).toEqual([{ personId: wang, name: '王芳', branchId, overdue: false }]);
    expect(onTime.body).toMatchObject({ total: 2, overdue: false });
    expect(JSON.stringify(onTime.body)).not.toContain(zhao);

    // 16:30Z is already 2026-12-11 in Shanghai.
    const late = await secretary.get(`/resources/assignments/${assignmentId}`, {
      now: '2026-12-10T16:30:00Z',
    });
    expect(late.body.notCompleted).toEqual([{ personId: wang, name: '王芳', branchId, overdue: true }]);
    expect(late.body.overdue).toBe(true);

    // Another branch's secretary and members do not see it.
    const stranger = await as({ roles: ['secretary'], branchId: newId() });
    expectStatus(await stranger.get(`/resources/assignments/${assignmentId}`), 404);
    expectStatus(await liClient.get(`/resources/assignments/${assignmentId}`), 403);
    // A secretary cannot assign people of other branches.
    const refused = await secretary.post('/resources/assignments', {
      resourceId,
      personIds: [outsideId],
      dueOn: '2099-01-01',
    });
    expectStatus(refused, 404);
    expect(refused.body.error.message).toBe('Person not found');

    // People of the own branch, named one by one: the secretary still sees the assignment.
    const named = await secretary.post('/resources/assignments', {
      resourceId,
      personIds: [wang],
      dueOn: '2099-01-01',
    });
    expectStatus(named, 201);
    const progress = await secretary.get(`/resources/assignments/${named.body.assignmentId}`);
    expectStatus(progress, 200);
    expect(progress.body).toMatchObject({ total: 1, completed: [], notCompleted: [{ personId: wang }] });

    // A due date that exists but is no one's plan is a typing mistake, refused before it is stored.
    const absurd = await secretary.post('/resources/assignments', {
      resourceId,
      personIds: [wang],
      dueOn: '9999-12-31',
    });
    expectStatus(absurd, 400);
    expect(absurd.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['body.dueOn']);
  });

  it("shows a secretary only their own branch and people of a committee's wider assignment", async () => {
    const [ownBranch, otherBranch] = [newId(), newId()];
    const [ours, theirs] = await Promise.all([register(ownBranch, '陈静'), register(otherBranch, '周涛')]);
    await settle();
    const committee = await as({ roles: ['committee'] });
    const link = await committee.post('/resources', {
      title: '全体学习',
      kind: 'link',
      url: 'https://example.org/all',
    });
    expectStatus(link, 201);
    const assigned = await committee.post('/resources/assignments', {
      resourceId: link.body.resourceId,
      branchIds: [ownBranch, otherBranch],
      personIds: [ours, theirs],
      dueOn: '2099-01-01',
    });
    expectStatus(assigned, 201);
    const path = `/resources/assignments/${assigned.body.assignmentId}`;

    const secretary = await as({ roles: ['secretary', 'member'], branchId: ownBranch });
    const seen = await secretary.get(path);
    expectStatus(seen, 200);
    expect(seen.body).toMatchObject({ branchIds: [ownBranch], personIds: [ours], total: 1 });
    expect(JSON.stringify(seen.body)).not.toContain(otherBranch);
    expect(JSON.stringify(seen.body)).not.toContain(theirs);

    const all = await committee.get(path);
    expect(all.body).toMatchObject({
      branchIds: [ownBranch, otherBranch],
      personIds: [ours, theirs],
      total: 2,
    });
  });
});
