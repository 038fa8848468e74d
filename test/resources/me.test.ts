/**
 * The caller's agenda in resources through the local runtime: study assigned and not yet
 * completed, by due date and flagged when overdue, gone once completed; the assessments open
 * to the caller with attempts left and results; always the caller's own.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { asPeople, seedRoster } from '../activities/support.js';
import { as, minter, request } from '../support/api.js';
import { expectStatus } from './support.js';

const now = '2026-11-26T10:00:00+08:00';

/** A link for the branch, available at once. */
const linkFor = async (branchId: string, title: string) => {
  const committee = await as({ roles: ['committee'] });
  const res = await committee.post('/resources', {
    title,
    kind: 'link',
    url: 'https://example.org/study',
    audience: { branchIds: [branchId] },
  });
  expectStatus(res, 201);
  return res.body.resourceId as string;
};

const assign = async (body: Record<string, unknown>) => {
  const committee = await as({ roles: ['committee'] });
  const res = await committee.post('/resources/assignments', body, { now });
  expectStatus(res, 201);
  return res.body.assignmentId as string;
};

describe('GET /resources/me/assignments', () => {
  it('lists what is assigned and not completed, by due date, the overdue flagged; a completion removes it', async () => {
    const branchId = newId();
    const [member, other] = await asPeople(
      { roles: ['member'], branchId },
      { roles: ['member'], branchId: newId() },
    );
    const [early, late, named] = [
      await linkFor(branchId, '党章'),
      await linkFor(branchId, '二十大报告'),
      await linkFor(branchId, '廉洁自律准则'),
    ];
    const lateId = await assign({ resourceId: late, branchIds: [branchId], dueOn: '2026-12-31' });
    const earlyId = await assign({ resourceId: early, branchIds: [branchId], dueOn: '2026-12-01' });
    // Named and in the branch too: shown once.
    const namedId = await assign({
      resourceId: named,
      branchIds: [branchId],
      personIds: [member.personId],
      dueOn: '2026-12-10',
    });

    const later = '2026-12-05T10:00:00+08:00';
    const mine = await member.get('/resources/me/assignments', { now: later });
    expectStatus(mine, 200);
    expect(mine.body.items).toEqual([
      expect.objectContaining({
        assignmentId: earlyId,
        resourceId: early,
        dueOn: '2026-12-01',
        overdue: true,
      }),
      expect.objectContaining({ assignmentId: namedId, dueOn: '2026-12-10', overdue: false }),
      expect.objectContaining({
        assignmentId: lateId,
        dueOn: '2026-12-31',
        overdue: false,
        minutesStudied: 0,
      }),
    ]);
    expect(mine.body.nextCursor).toBeUndefined();

    // Paging keeps the order and shows each once.
    const first = await member.get('/resources/me/assignments?limit=2', { now: later });
    expect(first.body.items.map((a: any) => a.assignmentId)).toEqual([earlyId, namedId]);
    const rest = await member.get(`/resources/me/assignments?limit=2&cursor=${first.body.nextCursor}`, {
      now: later,
    });
    expect(rest.body.items.map((a: any) => a.assignmentId)).toEqual([lateId]);

    // Minutes alone do not finish it; the completion does.
    expectStatus(await member.post(`/resources/${early}/progress`, { minutes: 20 }, { now }), 200);
    const studied = await member.get('/resources/me/assignments', { now: later });
    expect(studied.body.items[0]).toMatchObject({ assignmentId: earlyId, minutesStudied: 20 });
    expectStatus(
      await member.post(`/resources/${early}/progress`, { minutes: 0, completed: true }, { now }),
      200,
    );
    const after = await member.get('/resources/me/assignments', { now: later });
    expect(after.body.items.map((a: any) => a.assignmentId)).toEqual([namedId, lateId]);

    // Another branch's member never sees them.
    expect((await other.get('/resources/me/assignments')).body.items).toEqual([]);
  });

  it('shows a person named alone, and leaves a branch assignment to its party members', async () => {
    const branchId = newId();
    const [member] = await asPeople({ roles: ['member'], branchId });
    const [outsider] = await asPeople({ roles: ['member'], branchId: newId() });
    // In the branch but not a party member (群众): a branch's assignment is not theirs.
    const massesId = newId();
    await seedRoster([{ personId: massesId, branchId, politicalStatus: 'masses' }]);
    const masses = await as({ roles: ['member'], branchId, personId: massesId });
    const resourceId = await linkFor(branchId, '党史');
    const committee = await as({ roles: ['committee'] });
    const toBranch = await assign({ resourceId, branchIds: [branchId], dueOn: '2026-12-20' });
    // The committee's link for another audience, named for the outsider by name.
    const theirs = await committee.post('/resources', {
      title: '党史（全体）',
      kind: 'link',
      url: 'https://example.org/history',
    });
    const toOutsider = await assign({
      resourceId: theirs.body.resourceId,
      personIds: [outsider.personId],
      dueOn: '2026-12-20',
    });
    expect(
      (await member.get('/resources/me/assignments')).body.items.map((a: any) => a.assignmentId),
    ).toEqual([toBranch]);
    expect(
      (await outsider.get('/resources/me/assignments')).body.items.map((a: any) => a.assignmentId),
    ).toEqual([toOutsider]);
    expect((await masses.get('/resources/me/assignments')).body.items).toEqual([]);
  });

  it('lists the largest assignment (50 branches, 500 people) for a person it names, and refuses a 501st person', async () => {
    // Of none of the branches named: the assignment is theirs by name alone.
    const [member] = await asPeople({ roles: ['member'], branchId: newId() });
    const committee = await as({ roles: ['committee'] });
    const everyone = await committee.post('/resources', {
      title: '党纪学习教育（全体）',
      kind: 'link',
      url: 'https://example.org/discipline',
    });
    expectStatus(everyone, 201);
    const resourceId = everyone.body.resourceId as string;
    const branchIds = Array.from({ length: 50 }, () => newId());
    const personIds = [...Array.from({ length: 499 }, () => newId()), member.personId];
    const assignmentId = await assign({ resourceId, branchIds, personIds, dueOn: '2026-12-20' });
    expect((await member.get('/resources/me/assignments')).body.items).toEqual([
      expect.objectContaining({ assignmentId }),
    ]);
    const tooMany = await committee.post('/resources/assignments', {
      resourceId,
      personIds: [...personIds, newId()],
      dueOn: '2026-12-20',
    });
    expectStatus(tooMany, 400);
    expect(tooMany.body.error.details.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'body.personIds' })]),
    );
  });

  it('refuses an account whose person the register does not hold, and one linked to no person (403 no-person)', async () => {
    const ghost = await as({ roles: ['member'], branchId: newId() });
    const token = await (await minter()).mint({ roles: ['member'], branchId: newId(), sub: newId() });
    for (const res of [
      await ghost.get('/resources/me/assignments'),
      await request('GET', '/resources/me/assignments', undefined, { token }),
      await ghost.get('/resources/me/assessments'),
      await request('GET', '/resources/me/assessments', undefined, { token }),
    ]) {
      expectStatus(res, 403);
      expect(res.body.error.code).toBe('no-person');
    }
  });
});

describe('GET /resources/me/assessments', () => {
  it('shows attempts left going down with each attempt, and the best and latest result; another member keeps theirs', async () => {
    const branchId = newId();
    const secretary = await as({ roles: ['secretary', 'member'], branchId });
    const [member, neighbour, outsider] = await asPeople(
      { roles: ['member'], branchId },
      { roles: ['member'], branchId },
      { roles: ['member'], branchId: newId() },
    );
    const made = await secretary.post('/resources/assessments', {
      title: '党章知识考核',
      passMark: 60,
      timeLimitMinutes: 30,
      maxAttempts: 3,
      questions: [{ kind: 'true-false', prompt: '党的最高领导机关是全国代表大会', answer: true }],
    });
    expectStatus(made, 201);
    const { assessmentId } = made.body;
    const mineOf = async (who: typeof member) => {
      const res = await who.get('/resources/me/assessments');
      expectStatus(res, 200);
      return res.body.items.find((a: any) => a.assessmentId === assessmentId);
    };
    expect(await mineOf(member)).toMatchObject({ attemptsUsed: 0, attemptsLeft: 3 });
    expect((await mineOf(member)).best).toBeUndefined();

    const attempt = async (answer: boolean, at: string) => {
      const started = await member.post(`/resources/assessments/${assessmentId}/attempts`, undefined, {
        now: at,
      });
      expectStatus(started, 201);
      const submitted = await member.post(
        `/resources/assessments/${assessmentId}/attempts/${started.body.attemptId}/submit`,
        { answers: { q1: answer } },
        { now: at },
      );
      expectStatus(submitted, 200);
      return started.body.attemptId as string;
    };
    const right = await attempt(true, '2026-11-26T09:00:00+08:00');
    expect(await mineOf(member)).toMatchObject({
      attemptsUsed: 1,
      attemptsLeft: 2,
      best: { attemptId: right, score: 100, passed: true },
      last: { attemptId: right, score: 100, passed: true },
    });
    const wrong = await attempt(false, '2026-11-26T10:00:00+08:00');
    expect(await mineOf(member)).toMatchObject({
      attemptsUsed: 2,
      attemptsLeft: 1,
      best: { attemptId: right, score: 100, submittedAt: '2026-11-26T09:00:00+08:00' },
      last: { attemptId: wrong, score: 0, passed: false, submittedAt: '2026-11-26T10:00:00+08:00' },
    });

    // Only the caller's own: the neighbour has used none, an outsider is not offered it.
    const theirs = await mineOf(neighbour);
    expect(theirs).toMatchObject({ attemptsUsed: 0, attemptsLeft: 3 });
    expect(theirs.last).toBeUndefined();
    expect(await mineOf(outsider)).toBeUndefined();
  });
});
