/**
 * No body lets a caller set what the service decides: ids, status, counters, who did it
 * and when, the version (a PATCH's `version` is only the precondition). Each valid body
 * is accepted as it is and refused, with the field named, once a decided field rides along.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { asPerson } from '../activities/support.js';
import { as } from '../support/api.js';
import { expectStatus } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;

const refusesEach = async (
  send: (body: Record<string, unknown>) => Promise<{ status: number; body: any }>,
  valid: Record<string, unknown>,
  decided: Record<string, unknown>,
) => {
  for (const [field, value] of Object.entries(decided)) {
    const res = await send({ ...valid, [field]: value });
    expectStatus(res, 400);
    expect(JSON.stringify(res.body.error.details), field).toContain(field);
  }
  return send(valid);
};

const link = async (secretary: Client) => {
  const res = await secretary.post('/resources', {
    title: '党史学习',
    kind: 'link',
    url: 'https://example.org/',
  });
  expectStatus(res, 201);
  return res.body as { resourceId: string; version: number };
};

describe('bodies carry no decided fields', () => {
  it('refuses ids, status, version and authorship on resources, progress and assignments', async () => {
    const branchId = newId();
    const secretary = await asPerson({ roles: ['secretary', 'member'], branchId });

    const createdLink = await refusesEach(
      (body) => secretary.post('/resources', body),
      { title: '党史学习', kind: 'link', url: 'https://example.org/' },
      {
        resourceId: newId(),
        status: 'available',
        version: 7,
        createdBy: newId(),
        publishedAt: '2026-01-01T00:00:00Z',
        objectKey: 'library/x',
      },
    );
    expectStatus(createdLink, 201);
    expect(createdLink.body).toMatchObject({ status: 'available', version: 1 });

    const { resourceId, version } = await link(secretary);
    const patched = await refusesEach(
      (body) => secretary.patch(`/resources/${resourceId}`, body),
      { version, title: '党史学习（修订）' },
      { status: 'archived', resourceId: newId(), createdAt: '2026-01-01T00:00:00Z', kind: 'video' },
    );
    expectStatus(patched, 200);
    expect(patched.body).toMatchObject({ status: 'available', version: version + 1 });

    const progress = await refusesEach(
      (body) => secretary.post(`/resources/${resourceId}/progress`, body),
      { minutes: 10 },
      { personId: newId(), completedAt: '2026-01-01T00:00:00Z', totalMinutes: 999 },
    );
    expectStatus(progress, 200);

    const assigned = await refusesEach(
      (body) => secretary.post('/resources/assignments', body),
      { resourceId, branchIds: [branchId], dueOn: '2099-01-01' },
      { assignmentId: newId(), assignedBy: newId(), assignerBranchId: newId(), title: '别的标题' },
    );
    expectStatus(assigned, 201);
  });

  it('refuses ids, counters and authorship on assessments and submissions', async () => {
    const branchId = newId();
    const secretary = await as({ roles: ['secretary', 'member'], branchId });
    const member = await asPerson({ roles: ['member'], branchId });
    const question = { kind: 'true-false', prompt: '党员应当按期交纳党费', answer: true };

    const assessment = await refusesEach(
      (body) => secretary.post('/resources/assessments', body),
      { title: '党规考核', passMark: 60, timeLimitMinutes: 20, maxAttempts: 2, questions: [question] },
      {
        assessmentId: newId(),
        audience: { branchIds: [newId()] },
        createdBy: newId(),
        createdAt: '2026-01-01T00:00:00Z',
      },
    );
    expectStatus(assessment, 201);
    // A question's id is the service's too.
    const withId = await secretary.post('/resources/assessments', {
      title: '党规考核',
      passMark: 60,
      timeLimitMinutes: 20,
      maxAttempts: 2,
      questions: [{ ...question, questionId: 'q9' }],
    });
    expectStatus(withId, 400);

    const { assessmentId } = assessment.body as { assessmentId: string };
    const attempt = await member.post(`/resources/assessments/${assessmentId}/attempts`);
    expectStatus(attempt, 201);
    const submitted = await refusesEach(
      (body) =>
        member.post(`/resources/assessments/${assessmentId}/attempts/${attempt.body.attemptId}/submit`, body),
      { answers: { q1: true } },
      { score: 100, passed: true, personId: newId(), submittedAt: '2026-01-01T00:00:00Z' },
    );
    expectStatus(submitted, 200);
    expect(submitted.body).toMatchObject({ score: 100, passed: true });
  });
});
