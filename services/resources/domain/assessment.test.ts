import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../shared/auth.js';
import { accept, type Result, unwrap } from '../../../shared/errors.js';
import {
  type Attempt,
  assessmentScope,
  attemptsLeft,
  buildQuestions,
  checkSubmission,
  grade,
  mayTake,
  personResults,
  results,
  shuffle,
} from './assessment.js';

const refused = (r: Result<unknown>) => (r.ok ? undefined : r.error);

const bank = unwrap(
  buildQuestions([
    { kind: 'single', prompt: 'a', options: ['x', 'y', 'z'], answer: 2 },
    { kind: 'multiple', prompt: 'b', options: ['x', 'y', 'z'], answer: [2, 0] },
    { kind: 'true-false', prompt: 'c', answer: false },
  ]),
);

describe('grading', () => {
  it('gives each question the same weight and multiple choice all or nothing', () => {
    expect(grade(bank, { q1: 2, q2: [0, 2], q3: false }, 60)).toEqual({
      correct: 3,
      total: 3,
      score: 100,
      passed: true,
    });
    expect(grade(bank, { q1: 2, q2: [0], q3: false }, 60)).toEqual({
      correct: 2,
      total: 3,
      score: 66.7,
      passed: true,
    });
    expect(grade(bank, { q1: 2, q2: [0, 1, 2], q3: true }, 60)).toMatchObject({
      correct: 1,
      score: 33.3,
      passed: false,
    });
    expect(grade(bank, { q1: 2, q2: [2, 0, 0] }, 33.3)).toMatchObject({ correct: 2, passed: true });
    expect(grade(bank, {}, 0)).toMatchObject({ score: 0, passed: true });
  });

  it('passes exactly at the pass mark', () => {
    expect(grade(bank, { q1: 2, q2: [0, 2] }, 66.7).passed).toBe(true);
    expect(grade(bank, { q1: 2, q2: [0, 2] }, 66.8).passed).toBe(false);
  });
});

describe('building a bank', () => {
  it('numbers questions, gives true-false its two options and sorts multiple answers', () => {
    expect(bank.map((q) => [q.questionId, q.options.length, q.answer])).toEqual([
      ['q1', 3, 2],
      ['q2', 3, [0, 2]],
      ['q3', 2, false],
    ]);
  });
  it.each([
    [{ kind: 'single' as const, prompt: 'p', options: ['a', 'a'], answer: 0 }],
    [{ kind: 'multiple' as const, prompt: 'p', options: ['a', 'b'], answer: [1, 1] }],
    [{ kind: 'multiple' as const, prompt: 'p', options: ['a', 'b'], answer: 1 }],
    [{ kind: 'true-false' as const, prompt: 'p', options: ['a', 'b'], answer: true }],
  ])('refuses %o', (q) => {
    expect(refused(buildQuestions([q]))).toMatchObject({ kind: 'invalid', code: 'invalid-question' });
  });
});

describe('submissions', () => {
  const attempt: Attempt = {
    attemptId: 'A',
    assessmentId: 'S',
    personId: 'p',
    order: ['q1'],
    startedAt: '2026-11-26T01:00:00.000Z',
    deadline: '2026-11-26T01:30:00.000Z',
  };
  it('come in time, once, naming only known questions', () => {
    expect(checkSubmission(attempt, { q1: 1 }, bank, new Date('2026-11-26T01:30:00.000Z'))).toEqual(
      accept(attempt),
    );
    expect(refused(checkSubmission(attempt, {}, bank, new Date('2026-11-26T01:30:00.001Z')))).toMatchObject({
      kind: 'conflict',
      code: 'attempt-deadline-passed',
    });
    expect(
      refused(
        checkSubmission(
          { ...attempt, submittedAt: attempt.startedAt },
          {},
          bank,
          new Date(attempt.startedAt),
        ),
      ),
    ).toMatchObject({ kind: 'conflict', code: 'attempt-already-submitted' });
    expect(refused(checkSubmission(attempt, { q7: 1 }, bank, new Date(attempt.startedAt)))).toMatchObject({
      kind: 'invalid',
      code: 'unknown-question',
      details: { fields: [{ field: 'body.answers.q7', message: 'Unknown question' }] },
    });
  });
});

describe('shuffle and results', () => {
  it('permutes with the given randomness', () => {
    expect(shuffle([1, 2, 3, 4], () => 0)).toEqual([2, 3, 4, 1]);
    expect(shuffle([1, 2, 3, 4], () => 0.999)).toEqual([1, 2, 3, 4]);
  });
  it('keeps the best score per person and rates passes per branch', () => {
    const r = results([
      { personId: 'a', branchId: 'B1', score: 40, passed: false },
      { personId: 'a', branchId: 'B1', score: 90, passed: true },
      { personId: 'b', branchId: 'B2', score: 50, passed: false },
    ]);
    expect(r).toMatchObject({ graded: 2, passed: 1, passRate: 0.5 });
    expect(r.people[0]).toEqual({ personId: 'a', branchId: 'B1', bestScore: 90, passed: true, attempts: 2 });
    expect(r.branches).toEqual([
      { branchId: 'B1', graded: 1, passed: 1, passRate: 1 },
      { branchId: 'B2', graded: 1, passed: 0, passRate: 0 },
    ]);
  });
});

describe('the results register', () => {
  const attempt = (over: Partial<Attempt> & { attemptId: string; personId: string }): Attempt => ({
    assessmentId: 'x',
    order: [],
    startedAt: '2026-11-26T09:00:00+08:00',
    deadline: '2026-11-26T09:30:00+08:00',
    ...over,
  });

  it('sums up graded attempts per person: best, latest, passed once, the last submission', () => {
    const rows = personResults([
      attempt({
        attemptId: '1',
        personId: 'a',
        branchId: 'B1',
        submittedAt: '2026-11-26T09:10:00+08:00',
        score: 90,
        passed: true,
      }),
      attempt({
        attemptId: '2',
        personId: 'a',
        branchId: 'B1',
        submittedAt: '2026-11-27T09:10:00+08:00',
        score: 40,
        passed: false,
      }),
      attempt({
        attemptId: '3',
        personId: 'b',
        branchId: 'B2',
        submittedAt: '2026-11-26T10:00:00+08:00',
        score: 95,
        passed: true,
      }),
      // Started and never submitted: nothing to show, as in the results.
      attempt({ attemptId: '4', personId: 'c', branchId: 'B2' }),
    ]);
    expect(rows).toEqual([
      {
        personId: 'b',
        branchId: 'B2',
        attempts: 1,
        bestScore: 95,
        latestScore: 95,
        passed: true,
        lastSubmittedAt: '2026-11-26T10:00:00+08:00',
      },
      {
        personId: 'a',
        branchId: 'B1',
        attempts: 2,
        bestScore: 90,
        latestScore: 40,
        passed: true,
        lastSubmittedAt: '2026-11-27T09:10:00+08:00',
      },
    ]);
  });
});

describe('who may take an assessment', () => {
  const committee: Caller = { sub: 'c', roles: ['committee'], role: 'committee' };
  const secretary: Caller = { sub: 's', roles: ['secretary', 'member'], role: 'secretary', branchId: 'B1' };
  const member: Caller = { sub: 'm', roles: ['member'], role: 'member', branchId: 'B1' };
  const outsider: Caller = { sub: 'o', roles: ['member'], role: 'member', branchId: 'B2' };

  it('is its audience, or whoever manages it; the list scope says the same', () => {
    const ofB1 = { audience: { branchIds: ['B1'] } };
    const ofBoth = { audience: { branchIds: ['B1', 'B2'] } };
    const forEveryone = { audience: {} };
    expect([committee, secretary, member, outsider].map((c) => mayTake(c, ofB1))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect([secretary, outsider].map((c) => mayTake(c, ofBoth))).toEqual([true, true]);
    expect(mayTake(outsider, forEveryone)).toBe(true);

    expect(assessmentScope(committee)).toEqual({ kind: 'all' });
    expect(assessmentScope(secretary)).toEqual({ kind: 'audience', branchId: 'B1' });
    expect(assessmentScope({ sub: 'n', roles: ['member'], role: 'member' })).toEqual({
      kind: 'audience',
      branchId: undefined,
    });
  });

  it('counts attempts left down to zero, never below', () => {
    expect([0, 1, 3, 5].map((used) => attemptsLeft(3, used))).toEqual([3, 2, 0, 0]);
  });
});
