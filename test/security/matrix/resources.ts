/**
 * Access-matrix fixtures for resources's routes: one fresh call per route and persona.
 * Everything is branch A's: resources, assignments and assessments made by A's secretary
 * for A's audience; an attempt to submit is the member's own.
 */
import { expect } from 'vitest';
import { pdfBytes, uploadWith } from '../../resources/support.js';
import { settle } from '../../support/api.js';
import type { Client, Fixtures, World } from './world.js';

const created = <T>(res: { status: number; body: unknown }): T => {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as T;
};

/** A link is available at once: the cheapest resource there is. */
const linkOfBranchA = async (world: World) =>
  created<{ resourceId: string; version: number }>(
    await world.clients.ownSecretary.post('/resources', {
      title: '党章学习链接',
      kind: 'link',
      url: 'https://example.org/dangzhang',
      audience: { branchIds: [world.branchA.branchId] },
    }),
  );

/** One true-false question; `resourceId` ties it to a resource's audience. */
const bank = (resourceId?: string) => ({
  title: '党章知识考核',
  ...(resourceId ? { resourceId } : {}),
  passMark: 60,
  timeLimitMinutes: 30,
  maxAttempts: 3,
  questions: [{ kind: 'true-false', prompt: '党的最高领导机关是全国代表大会', answer: true }],
});

/** A secretary's assessment without a resource is for their branch: here, A. */
const assessmentOfBranchA = async (world: World) =>
  created<{ assessmentId: string }>(await world.clients.ownSecretary.post('/resources/assessments', bank()))
    .assessmentId;

/**
 * A checked file goes through S3 and the bus, the slowest thing to prepare. A download
 * changes nothing, so one file serves every persona of the run.
 */
const files = new WeakMap<World, Promise<string>>();
const fileOfBranchA = (world: World): Promise<string> => {
  let file = files.get(world);
  if (!file) {
    file = (async () => {
      const bytes = pdfBytes('两学一做学习资料');
      const { resourceId, upload } = created<{
        resourceId: string;
        upload: { url: string; fields: Record<string, string> };
      }>(
        await world.clients.ownSecretary.post('/resources', {
          title: '两学一做',
          kind: 'document',
          contentType: 'application/pdf',
          sizeBytes: bytes.length,
        }),
      );
      expect((await uploadWith(upload, bytes, 'application/pdf')).status).toBe(204);
      await settle();
      return resourceId;
    })();
    files.set(world, file);
  }
  return file;
};

const startedBy = async (client: Client, assessmentId: string) =>
  created<{ attemptId: string }>(await client.post(`/resources/assessments/${assessmentId}/attempts`))
    .attemptId;

export const fixtures: Fixtures = {
  'POST /resources': async (world) => ({
    path: '/resources',
    body: {
      title: '十九大会议精神',
      kind: 'link',
      url: 'https://example.org/meeting-spirit',
      audience: { branchIds: [world.branchA.branchId] },
    },
  }),
  'GET /resources': async () => ({ path: '/resources', query: 'kind=link&limit=5' }),
  'GET /resources/me/study': async () => ({ path: '/resources/me/study', query: 'year=2026' }),
  'GET /resources/me/assignments': async () => ({ path: '/resources/me/assignments', query: 'limit=5' }),
  'GET /resources/me/assessments': async () => ({ path: '/resources/me/assessments', query: 'limit=5' }),
  'GET /resources/{resourceId}': async (world) => ({
    path: `/resources/${(await linkOfBranchA(world)).resourceId}`,
  }),
  'PATCH /resources/{resourceId}': async (world) => {
    const { resourceId, version } = await linkOfBranchA(world);
    return { path: `/resources/${resourceId}`, body: { version, title: '党章学习链接（修订）' } };
  },
  'POST /resources/{resourceId}/archive': async (world) => ({
    path: `/resources/${(await linkOfBranchA(world)).resourceId}/archive`,
  }),
  'GET /resources/{resourceId}/download': async (world) => ({
    path: `/resources/${await fileOfBranchA(world)}/download`,
  }),
  'POST /resources/{resourceId}/progress': async (world) => ({
    path: `/resources/${(await linkOfBranchA(world)).resourceId}/progress`,
    body: { minutes: 25, completed: true },
  }),
  'POST /resources/assignments': async (world) => ({
    path: '/resources/assignments',
    body: {
      resourceId: (await linkOfBranchA(world)).resourceId,
      branchIds: [world.branchA.branchId],
      dueOn: '2099-06-30',
    },
  }),
  'GET /resources/assignments/{assignmentId}': async (world) => {
    const { assignmentId } = created<{ assignmentId: string }>(
      await world.clients.ownSecretary.post('/resources/assignments', {
        resourceId: (await linkOfBranchA(world)).resourceId,
        branchIds: [world.branchA.branchId],
        dueOn: '2099-06-30',
      }),
    );
    return { path: `/resources/assignments/${assignmentId}` };
  },
  'POST /resources/assessments': async (world) => ({
    path: '/resources/assessments',
    body: bank((await linkOfBranchA(world)).resourceId),
  }),
  'GET /resources/assessments': async () => ({ path: '/resources/assessments', query: 'limit=5' }),
  'GET /resources/assessments/{assessmentId}': async (world) => ({
    path: `/resources/assessments/${await assessmentOfBranchA(world)}`,
  }),
  'POST /resources/assessments/{assessmentId}/attempts': async (world) => ({
    path: `/resources/assessments/${await assessmentOfBranchA(world)}/attempts`,
  }),
  'POST /resources/assessments/{assessmentId}/attempts/{attemptId}/submit': async (world) => {
    const assessmentId = await assessmentOfBranchA(world);
    const attemptId = await startedBy(world.clients.member, assessmentId);
    return {
      path: `/resources/assessments/${assessmentId}/attempts/${attemptId}/submit`,
      body: { answers: { q1: true } },
    };
  },
  'GET /resources/assessments/{assessmentId}/results': async (world) => ({
    path: `/resources/assessments/${await assessmentOfBranchA(world)}/results`,
  }),
  'GET /resources/assessments/{assessmentId}/results.xlsx': async (world) => ({
    path: `/resources/assessments/${await assessmentOfBranchA(world)}/results.xlsx`,
  }),
};
