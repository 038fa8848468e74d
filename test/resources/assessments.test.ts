/**
 * Assessments (考核) through the local runtime: questions served shuffled and without
 * answers, grading on the server for each question kind, the time limit and the attempt
 * limit (also under concurrent starts), and results per person and branch.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { asPeople, asPerson } from '../activities/support.js';
import { as, minter, request, runtime, tableClient } from '../support/api.js';
import { expectStatus } from './support.js';

const questions = [
  {
    kind: 'single',
    prompt: '中国共产党的最高理想是？',
    options: ['实现共产主义', '全面小康', '现代化'],
    answer: 0,
  },
  {
    kind: 'multiple',
    prompt: '“三会一课”中的“三会”包括？',
    options: ['支部党员大会', '支部委员会', '党小组会', '职工代表大会'],
    answer: [0, 1, 2],
  },
  { kind: 'true-false', prompt: '预备党员的预备期为一年。', answer: true },
  { kind: 'single', prompt: '党的根本宗旨是？', options: ['全心全意为人民服务', '发展经济'], answer: 0 },
];

const allRight = { q1: 0, q2: [2, 0, 1], q3: true, q4: 0 };

const setUp = async (overrides: Record<string, unknown> = {}) => {
  const branchId = newId();
  const secretary = await as({ roles: ['secretary', 'member'], branchId });
  const res = await secretary.post('/resources/assessments', {
    title: '党章党规知识考核',
    passMark: 75,
    timeLimitMinutes: 30,
    maxAttempts: 2,
    questions,
    ...overrides,
  });
  expectStatus(res, 201);
  return { branchId, secretary, assessmentId: res.body.assessmentId as string, created: res.body };
};

const start = (who: Awaited<ReturnType<typeof as>>, assessmentId: string, now: string) =>
  who.post(`/resources/assessments/${assessmentId}/attempts`, undefined, { now });

const submit = (
  who: Awaited<ReturnType<typeof as>>,
  assessmentId: string,
  attemptId: string,
  answers: Record<string, unknown>,
  now: string,
) => who.post(`/resources/assessments/${assessmentId}/attempts/${attemptId}/submit`, { answers }, { now });

describe('assessments', () => {
  it('never shows the answers, and serves an attempt with a deadline', async () => {
    const { branchId, assessmentId, created } = await setUp();
    expect(JSON.stringify(created)).not.toContain('answer');
    const member = await asPerson({ roles: ['member'], branchId });
    const attempt = await start(member, assessmentId, '2026-11-26T09:00:00+08:00');
    expectStatus(attempt, 201);
    expect(attempt.body.deadline).toBe('2026-11-26T09:30:00+08:00');
    expect(JSON.stringify(attempt.body)).not.toContain('answer');
    expect(attempt.body.questions.map((q: any) => q.questionId).sort()).toEqual(['q1', 'q2', 'q3', 'q4']);
    expect(attempt.body.questions.find((q: any) => q.questionId === 'q3')).toEqual({
      questionId: 'q3',
      kind: 'true-false',
      prompt: '预备党员的预备期为一年。',
      options: ['正确', '错误'],
    });
  });

  it.each([
    ['everything right', allRight, 100, true],
    ['a multiple choice missing one option (all or nothing)', { ...allRight, q2: [0, 1] }, 75, true],
    ['a multiple choice with one option too many', { ...allRight, q2: [0, 1, 2, 3] }, 75, true],
    ['a wrong true-false', { ...allRight, q3: false }, 75, true],
    ['a wrong single choice and a wrong true-false', { ...allRight, q1: 1, q3: false }, 50, false],
    ['nothing answered', {}, 0, false],
    ['answers of the wrong shape', { q1: [0], q2: 0, q3: 1, q4: true }, 0, false],
  ])('grades %s on the server', async (_name, answers, score, passed) => {
    const { branchId, assessmentId } = await setUp();
    const member = await asPerson({ roles: ['member'], branchId });
    const attempt = await start(member, assessmentId, '2026-11-26T09:00:00+08:00');
    const graded = await submit(
      member,
      assessmentId,
      attempt.body.attemptId,
      answers,
      '2026-11-26T09:10:00+08:00',
    );
    expectStatus(graded, 200);
    expect(graded.body).toMatchObject({ score, passed, total: 4, passMark: 75 });
  });

  it('refuses a late and a second submission with 409, and publishes AssessmentGraded once', async () => {
    const { branchId, assessmentId } = await setUp();
    const member = await asPerson({ roles: ['member'], branchId });
    const late = await start(member, assessmentId, '2026-11-26T09:00:00+08:00');
    const tooLate = await submit(
      member,
      assessmentId,
      late.body.attemptId,
      allRight,
      '2026-11-26T09:30:01+08:00',
    );
    expectStatus(tooLate, 409);
    expect(tooLate.body.error.code).toBe('attempt-deadline-passed');

    const attempt = await start(member, assessmentId, '2026-11-26T10:00:00+08:00');
    const id = attempt.body.attemptId;
    expectStatus(await submit(member, assessmentId, id, allRight, '2026-11-26T10:30:00+08:00'), 200);
    const second = await submit(member, assessmentId, id, allRight, '2026-11-26T10:20:00+08:00');
    expectStatus(second, 409);
    expect(second.body.error.code).toBe('attempt-already-submitted');

    // Someone else cannot submit my attempt; an unknown question is a 400.
    const other = await asPerson({ roles: ['member'], branchId });
    expectStatus(await submit(other, assessmentId, id, allRight, '2026-11-26T10:20:00+08:00'), 404);
    const third = await start(other, assessmentId, '2026-11-26T10:00:00+08:00');
    expectStatus(
      await submit(other, assessmentId, third.body.attemptId, { q9: 1 }, '2026-11-26T10:01:00+08:00'),
      400,
    );

    const outbox = await tableClient().send(
      new QueryCommand({
        TableName: runtime().tableNames.resources,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `OUTBOX#${id}` },
      }),
    );
    expect(outbox.Items?.map((i) => [i.detailType, JSON.parse(i.detail).data])).toEqual([
      [
        'AssessmentGraded',
        {
          assessmentId,
          attemptId: id,
          title: '党章党规知识考核',
          personId: member.personId,
          score: 100,
          passed: true,
          gradedAt: '2026-11-26T10:30:00+08:00',
        },
      ],
    ]);
    expect(
      (
        await tableClient().send(
          new QueryCommand({
            TableName: runtime().tableNames.resources,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `OUTBOX#${late.body.attemptId}` },
          }),
        )
      ).Items,
    ).toEqual([]);
  });

  it('refuses attempts beyond the limit with 422, even when started all at once', async () => {
    const { branchId, assessmentId } = await setUp({ maxAttempts: 3 });
    const member = await asPerson({ roles: ['member'], branchId });
    const starts = await Promise.all(
      Array.from({ length: 8 }, () => start(member, assessmentId, '2026-11-26T09:00:00+08:00')),
    );
    const statuses = starts.map((s) => s.status);
    // Concurrent starts on one counter either lose the condition (422) or collide (409, try again).
    expect(statuses.every((s) => s === 201 || s === 422 || s === 409)).toBe(true);
    let started = statuses.filter((s) => s === 201).length;
    expect(started).toBeLessThanOrEqual(3);
    for (let more = started; more < 3; more++) {
      expectStatus(await start(member, assessmentId, '2026-11-26T09:01:00+08:00'), 201);
      started++;
    }
    const after = await start(member, assessmentId, '2026-11-26T09:05:00+08:00');
    expectStatus(after, 422);
    expect(after.body.error.code).toBe('attempt-limit-reached');
    expect(started).toBe(3);
    // Another person has their own attempts.
    expectStatus(
      await start(await asPerson({ roles: ['member'], branchId }), assessmentId, '2026-11-26T09:05:00+08:00'),
      201,
    );
  });

  it('reports the best score per person and the pass rate, by branch', async () => {
    const committee = await as({ roles: ['committee'] });
    const created = await committee.post('/resources/assessments', {
      title: '全院考核',
      passMark: 75,
      timeLimitMinutes: 30,
      maxAttempts: 3,
      questions,
    });
    expectStatus(created, 201);
    const { assessmentId } = created.body;
    const branchA = newId();
    const branchB = newId();
    const now = '2026-11-26T09:00:00+08:00';
    const later = '2026-11-26T09:05:00+08:00';
    const take = async (who: Awaited<ReturnType<typeof as>>, answers: Record<string, unknown>) => {
      const a = await start(who, assessmentId, now);
      expectStatus(await submit(who, assessmentId, a.body.attemptId, answers, later), 200);
    };
    const [a1, a2, b1] = await asPeople(
      { roles: ['member'], branchId: branchA },
      { roles: ['member'], branchId: branchA },
      { roles: ['member'], branchId: branchB },
    );
    await take(a1, { q1: 1 }); // 25
    await take(a1, allRight); // 100: the best counts
    await take(a2, { q1: 0, q3: true }); // 50
    await take(b1, allRight);
    // An attempt never submitted is not a result.
    await start(await asPerson({ roles: ['member'], branchId: branchB }), assessmentId, now);

    const all = await committee.get(`/resources/assessments/${assessmentId}/results`);
    expectStatus(all, 200);
    expect(all.body).toMatchObject({ graded: 3, passed: 2, passRate: 0.667 });
    expect(all.body.branches).toEqual(
      expect.arrayContaining([
        { branchId: branchA, graded: 2, passed: 1, passRate: 0.5 },
        { branchId: branchB, graded: 1, passed: 1, passRate: 1 },
      ]),
    );
    const forA = await committee.get(`/resources/assessments/${assessmentId}/results?branchId=${branchA}`);
    expect(forA.body).toMatchObject({ branchId: branchA, graded: 2, passed: 1, passRate: 0.5 });
    expect(forA.body.people).toEqual([
      { personId: a1.personId, branchId: branchA, bestScore: 100, passed: true, attempts: 2 },
      { personId: a2.personId, branchId: branchA, bestScore: 50, passed: false, attempts: 1 },
    ]);

    // A secretary sees their own branch only.
    const secretaryA = await as({ roles: ['secretary'], branchId: branchA });
    expect((await secretaryA.get(`/resources/assessments/${assessmentId}/results`)).body.graded).toBe(2);
    expectStatus(
      await secretaryA.get(`/resources/assessments/${assessmentId}/results?branchId=${branchB}`),
      404,
    );
    expectStatus(await a1.get(`/resources/assessments/${assessmentId}/results`), 403);
  });

  it.each([
    [
      'a single choice answer outside the options',
      { kind: 'single', prompt: 'p', options: ['a', 'b'], answer: 2 },
    ],
    [
      'a multiple choice without an answer',
      { kind: 'multiple', prompt: 'p', options: ['a', 'b'], answer: [] },
    ],
    ['a true-false with a number', { kind: 'true-false', prompt: 'p', answer: 1 }],
    ['a choice with one option', { kind: 'single', prompt: 'p', options: ['a'], answer: 0 }],
  ])('refuses a bank with %s', async (_name, question) => {
    const committee = await as({ roles: ['committee'] });
    const res = await committee.post('/resources/assessments', {
      title: 'x',
      passMark: 60,
      timeLimitMinutes: 10,
      maxAttempts: 1,
      questions: [question],
    });
    expectStatus(res, 400);
  });

  it("keeps a branch's assessment to that branch", async () => {
    const { assessmentId } = await setUp();
    const outsider = await asPerson({ roles: ['member'], branchId: newId() });
    expectStatus(await start(outsider, assessmentId, '2026-11-26T09:00:00+08:00'), 404);
  });

  it("makes a secretary's assessment on a shared resource for their own branch only", async () => {
    const [own, other] = [newId(), newId()];
    const committee = await as({ roles: ['committee'] });
    const shared = await committee.post('/resources', {
      title: '两个支部共学',
      kind: 'link',
      url: 'https://example.org/shared',
      audience: { branchIds: [own, other] },
    });
    expectStatus(shared, 201);
    const secretary = await as({ roles: ['secretary', 'member'], branchId: own });
    const res = await secretary.post('/resources/assessments', {
      title: '共学考核',
      resourceId: shared.body.resourceId,
      passMark: 60,
      timeLimitMinutes: 30,
      maxAttempts: 1,
      questions,
    });
    expectStatus(res, 201);
    expect(res.body.audience).toEqual({ branchIds: [own] });
    const elsewhere = await asPerson({ roles: ['member'], branchId: other });
    expectStatus(await start(elsewhere, res.body.assessmentId, '2026-11-26T09:00:00+08:00'), 404);
  });
});

/** What the table holds of one person's attempts at an assessment: their counter and their attempts. */
const attemptsOf = async (assessmentId: string, personId: string) => {
  const table = runtime().tableNames.resources;
  const counter = await tableClient().send(
    new GetCommand({
      TableName: table,
      Key: { pk: `ASSESSMENT#${assessmentId}`, sk: `ATTEMPTS#${personId}` },
    }),
  );
  const attempts = await tableClient().send(
    new QueryCommand({
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :person)',
      ExpressionAttributeValues: { ':pk': `ATTEMPTS#${assessmentId}`, ':person': `${personId}#` },
    }),
  );
  return { counter: counter.Item?.started, attempts: attempts.Items?.length ?? 0 };
};

describe('attempts are a person of the register’s', () => {
  const now = '2026-11-26T09:00:00+08:00';

  it('refuses an account whose person the register does not hold (403 no-person), and writes nothing', async () => {
    const { branchId, assessmentId } = await setUp();
    const ghost = await as({ roles: ['member'], branchId });
    const started = await start(ghost, assessmentId, now);
    expectStatus(started, 403);
    expect(started.body.error.code).toBe('no-person');
    // Submitting is theirs too: refused before anyone's attempt is looked up.
    const member = await asPerson({ roles: ['member'], branchId });
    const theirs = await start(member, assessmentId, now);
    const submitted = await submit(ghost, assessmentId, theirs.body.attemptId, allRight, now);
    expectStatus(submitted, 403);
    expect(submitted.body.error.code).toBe('no-person');
    expect(await attemptsOf(assessmentId, ghost.personId)).toEqual({ counter: undefined, attempts: 0 });
    expect((await ghost.get(`/resources/assessments/${assessmentId}`)).body).toMatchObject({
      attemptsUsed: 0,
    });
  });

  it('refuses an account linked to no person (403 no-person), whatever its account id', async () => {
    const { branchId, assessmentId } = await setUp();
    const person = await asPerson({ roles: ['member'], branchId });
    // No `custom:personId`; its account id even equals a person's id.
    const token = await (await minter()).mint({ roles: ['member'], branchId, sub: person.personId });
    const res = await request('POST', `/resources/assessments/${assessmentId}/attempts`, undefined, {
      token,
      now,
    });
    expectStatus(res, 403);
    expect(res.body.error.code).toBe('no-person');
    expect(await attemptsOf(assessmentId, person.personId)).toEqual({ counter: undefined, attempts: 0 });
    // The list and the read still serve it, with no attempts of anyone's.
    const read = await request('GET', `/resources/assessments/${assessmentId}`, undefined, { token });
    expectStatus(read, 200);
    expect(read.body).toMatchObject({ attemptsUsed: 0, attemptsLeft: 2 });
  });

  it("starts and grades the attempt of the account's person, never of its account id", async () => {
    const { branchId, assessmentId } = await setUp();
    const [a, b] = await asPeople({ roles: ['member'], branchId }, { roles: ['member'], branchId });
    // B's account, whose account id happens to be A's person id.
    const token = await (await minter()).mint({
      roles: ['member'],
      branchId,
      sub: a.personId,
      personId: b.personId,
    });
    const path = `/resources/assessments/${assessmentId}/attempts`;
    const started = await request('POST', path, undefined, { token, now });
    expectStatus(started, 201);
    const graded = await request(
      'POST',
      `${path}/${started.body.attemptId}/submit`,
      { answers: allRight },
      { token, now: '2026-11-26T09:10:00+08:00' },
    );
    expectStatus(graded, 200);
    expect(await attemptsOf(assessmentId, b.personId)).toEqual({ counter: 1, attempts: 1 });
    expect(await attemptsOf(assessmentId, a.personId)).toEqual({ counter: undefined, attempts: 0 });
    // A's own account cannot submit it.
    expectStatus(
      await submit(a, assessmentId, started.body.attemptId, allRight, '2026-11-26T09:11:00+08:00'),
      404,
    );
  });
});
