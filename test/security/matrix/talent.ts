/**
 * Access-matrix fixtures for talent's routes: one fresh call per route and persona. Every
 * person, branch and record a write acts on is created here by the committee in branch A;
 * reads of "a person's record" read the `member` persona's own (world.people.member). The
 * `selfSecretary` persona is pointed at their own person (world.people.ownSecretary) on
 * every route about one person: managing it is refused (own-record), reading it is not. The
 * request time is fixed, so the pipeline's date rules hold whenever the matrix runs.
 */
import { expect } from 'vitest';
import { newId } from '../../../shared/ids.js';
import type { Persona } from '../../../shared/service.js';
import { pdfBytes, uploadWith } from '../../resources/support.js';
import { DELIVERY_BUDGET_MS, until } from '../../support/wait.js';
import { checked, upload, workbook } from '../../talent/support-imports.js';
import { duesFixtures } from './talent-dues.js';
import { lifecycleFixtures } from './talent-lifecycle.js';
import type { Call, Fixtures, World } from './world.js';

const NOW = '2026-11-26T10:00:00+08:00';

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

/** A fresh person of branch A, registered by the committee (past the pipeline's start, with a history); their id. */
const person = async (world: World, over: Record<string, unknown> = {}) => {
  const body: Record<string, unknown> = {
    name: `矩阵 ${newId()}`,
    gender: 'male',
    birthDate: '1990-05-01',
    department: '化学药品检验所',
    politicalStatus: 'masses',
    statusSince: '2020-01-01',
    branchId: world.branchA.branchId,
    phone: '13912345678',
    email: 'matrix@example.cn',
    ...over,
  };
  if (!['masses', 'applicant'].includes(body.politicalStatus as string)) {
    body.history = {
      evidence: { kind: 'party-file', reference: `矩阵档案 ${newId()}`, issuedOn: body.statusSince },
    };
  }
  const res = await world.clients.committee.post('/talent/people', body, { now: NOW });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { personId: string }).personId;
};

/**
 * The person a route about one person acts on: `selfSecretary` always meets their own
 * record (separation of duties is what the cell checks); everyone else a fresh one, or the
 * one given.
 */
const target = async (
  world: World,
  persona: Persona,
  fresh: () => Promise<string> = () => person(world),
): Promise<string> => (persona === 'selfSecretary' ? world.people.ownSecretary : fresh());

/** A fresh branch (the committee's), for the route that corrects one. */
const branch = async (world: World) => {
  const res = await world.clients.committee.post('/talent/branches', {
    name: `矩阵支部 ${newId()}`,
    partyGroups: [{ name: '第一党小组' }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { branchId: string }).branchId;
};

/** A fresh record on a person's file (the member's unless named); its path. */
const record = async (world: World, personId: string = world.people.member) => {
  const personPath = `/talent/people/${personId}`;
  const res = await world.clients.committee.post(`${personPath}/records`, {
    kind: 'training',
    date: '2026-11-01',
    title: `矩阵培训 ${newId()}`,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return `${personPath}/records/${(res.body as { recordId: string }).recordId}`;
};

const probationary = (world: World) =>
  person(world, { politicalStatus: 'probationary', statusSince: '2026-06-01' });

/** The calendar year the matrix writes and reads; no test of the pipeline uses it. */
const YEAR = 2100;

const calendarPut = async (): Promise<Call> => ({
  path: `/talent/calendar/${YEAR}`,
  body: { holidays: [`${YEAR}-01-01`], workdays: [] },
});

const evidenceBody = (bytes: Uint8Array) => ({
  kind: 'application-letter',
  name: '入党申请书.pdf',
  contentType: 'application/pdf',
  sizeBytes: bytes.byteLength,
});

/** A file on a person's pipeline file, added by the committee (not uploaded): its path. */
const evidence = async (world: World, personId: string) => {
  const path = `/talent/people/${personId}/attachments`;
  const res = await world.clients.committee.post(path, evidenceBody(pdfBytes()), { now: NOW });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return `${path}/${(res.body as { attachmentId: string }).attachmentId}`;
};

/**
 * A checked file on the member's pipeline file: through S3 and the bus, the slowest thing to
 * prepare. A download changes nothing, so one serves every persona of the run.
 */
const checkedEvidence = new WeakMap<World, Promise<string>>();
const checkedFile = (world: World): Promise<string> => {
  let made = checkedEvidence.get(world);
  if (!made) {
    made = (async () => {
      const path = `/talent/people/${world.people.member}/attachments`;
      const bytes = pdfBytes('入党申请书');
      const res = await world.clients.committee.post(path, evidenceBody(bytes), { now: NOW });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const { attachmentId, upload } = res.body as {
        attachmentId: string;
        upload: { url: string; fields: Record<string, string> };
      };
      expect((await uploadWith(upload, bytes, 'application/pdf')).status).toBe(204);
      await until('the evidence checked', DELIVERY_BUDGET_MS, async () => {
        const read = await world.clients.committee.get(path);
        const files = (read.body as { items: { attachmentId: string; status: string }[] }).items;
        return files.some((f) => f.attachmentId === attachmentId && f.status === 'available');
      });
      return `${path}/${attachmentId}`;
    })();
    checkedEvidence.set(world, made);
  }
  return made;
};

/**
 * An import of branch A by its secretary, checked and confirmed: through S3 and the bus, so
 * made once and shared by every persona of the run (a repeated confirmation changes nothing).
 */
const importsMade = new WeakMap<World, Promise<string>>();
const branchImport = (world: World): Promise<string> => {
  let made = importsMade.get(world);
  if (!made) {
    made = (async () => {
      const secretary = world.clients.ownSecretary;
      const bytes = await workbook([
        {
          姓名: `矩阵导入 ${newId()}`,
          性别: '女',
          出生日期: '1992-02-02',
          部门: '中药检验所',
          政治面貌: '群众',
          现阶段起始日期: '2020-01-01',
        },
      ]);
      const importId = await upload(secretary, bytes, { now: NOW });
      expect((await checked(secretary, importId)).state).toBe('checked');
      const res = await secretary.post(`/talent/imports/${importId}/confirm`, undefined, { now: NOW });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      return importId;
    })();
    importsMade.set(world, made);
  }
  return made;
};

export const fixtures: Fixtures = {
  // Party dues (党费): ./talent-dues.ts.
  ...duesFixtures,
  // Membership over a life (组织关系转出, 转入, 党籍终止): ./talent-lifecycle.ts.
  ...lifecycleFixtures,

  'POST /talent/branches': async () => ({
    path: '/talent/branches',
    body: { name: `矩阵支部 ${newId()}`, partyGroups: [{ name: '第一党小组' }] },
  }),

  'GET /talent/branches': async () => ({ path: '/talent/branches', query: 'limit=5' }),

  'GET /talent/branches/{branchId}': async (world) => ({
    path: `/talent/branches/${world.branchA.branchId}`,
  }),

  'PATCH /talent/branches/{branchId}': async (world) => ({
    path: `/talent/branches/${await branch(world)}`,
    body: { version: 1, name: `更名支部 ${newId()}` },
  }),

  'POST /talent/people': async (world) => ({
    path: '/talent/people',
    body: {
      name: `新登记 ${newId()}`,
      gender: 'female',
      birthDate: '1995-03-01',
      department: '中药检验所',
      politicalStatus: 'masses',
      statusSince: '2020-01-01',
      branchId: world.branchA.branchId,
    },
    now: NOW,
  }),

  'GET /talent/people': async (world) => ({
    path: '/talent/people',
    query: query({ branchId: world.branchA.branchId, limit: '5' }),
  }),

  'GET /talent/people/{personId}': async (world, persona) => ({
    path: `/talent/people/${persona === 'selfSecretary' ? world.people.ownSecretary : world.people.member}`,
  }),

  'PATCH /talent/people/{personId}': async (world, persona) => ({
    path: `/talent/people/${await target(world, persona)}`,
    body: { version: 1, department: '中药检验所' },
    now: NOW,
  }),

  'GET /talent/me': async () => ({ path: '/talent/me' }),

  'POST /talent/people/{personId}/transitions': async (world, persona) => ({
    path: `/talent/people/${await target(world, persona)}/transitions`,
    body: { to: 'applicant', effectiveOn: '2026-11-26' },
    now: NOW,
  }),

  'POST /talent/people/{personId}/probation-extension': async (world, persona) => ({
    path: `/talent/people/${await target(world, persona, () => probationary(world))}/probation-extension`,
    body: { months: 6, decidedOn: '2026-07-01', reason: '考察期间表现有待进一步考察' },
    now: NOW,
  }),

  'POST /talent/people/{personId}/oath': async (world, persona) => ({
    path: `/talent/people/${await target(world, persona, () => probationary(world))}/oath`,
    body: { takenOn: '2026-06-15' },
    now: NOW,
  }),

  'POST /talent/people/{personId}/pipeline-events': async (world, persona) => ({
    path: `/talent/people/${await target(world, persona, () => person(world, { politicalStatus: 'applicant', statusSince: '2026-01-01' }))}/pipeline-events`,
    body: { kind: 'application-talk', on: '2026-02-01' },
    now: NOW,
  }),

  'GET /talent/people/{personId}/timeline': async (world, persona) => ({
    path: `/talent/people/${persona === 'selfSecretary' ? world.people.ownSecretary : world.people.member}/timeline`,
    query: 'limit=5',
  }),

  // A kind a secretary may enter (奖惩 are the committee's: test/talent/separation.test.ts).
  'POST /talent/people/{personId}/records': async (world, persona) => ({
    path: `/talent/people/${await target(world, persona, async () => world.people.member)}/records`,
    body: { kind: 'training', date: '2026-11-01', title: `矩阵培训 ${newId()}` },
  }),

  'PATCH /talent/people/{personId}/records/{recordId}': async (world, persona) => ({
    path: await record(world, await target(world, persona, async () => world.people.member)),
    body: { version: 1, title: '更正后的培训' },
  }),

  'POST /talent/people/{personId}/records/{recordId}/withdrawal': async (world, persona) => ({
    path: `${await record(world, await target(world, persona, async () => world.people.member))}/withdrawal`,
    body: { reason: '录入错误，撤销' },
  }),

  'PUT /talent/pools/{pool}/members/{personId}': async (world, persona) => ({
    path: `/talent/pools/young-talent/members/${await target(world, persona, async () => world.people.member)}`,
    now: NOW,
  }),

  'DELETE /talent/pools/{pool}/members/{personId}': async (world, persona) => {
    const path = `/talent/pools/reserve-cadre/members/${await target(world, persona, async () => world.people.member)}`;
    const res = await world.clients.committee.put(path);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { path };
  },

  'GET /talent/pools/{pool}': async () => ({ path: '/talent/pools/young-talent', query: 'limit=5' }),

  'GET /talent/committee/members': async () => ({ path: '/talent/committee/members', query: 'limit=5' }),

  'PUT /talent/committee/members/{personId}': async (world) => ({
    path: `/talent/committee/members/${await person(world, { politicalStatus: 'full', statusSince: '2015-07-01' })}`,
  }),

  'DELETE /talent/committee/members/{personId}': async (world) => {
    const path = `/talent/committee/members/${await person(world, { politicalStatus: 'full', statusSince: '2015-07-01' })}`;
    const res = await world.clients.committee.put(path);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { path };
  },

  'POST /talent/people/{personId}/departure': async (world, persona) => ({
    path: `/talent/people/${await target(world, persona)}/departure`,
    body: { version: 1, on: '2026-11-20', reason: 'left-institution' },
    now: NOW,
  }),

  'PUT /talent/calendar/{year}': calendarPut,

  'GET /talent/calendar/{year}': async (world) => {
    const put = await calendarPut();
    const res = await world.clients.committee.put(put.path, put.body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { path: put.path };
  },

  'GET /talent/insights/age-structure': async (world) => ({
    path: '/talent/insights/age-structure',
    query: query({ branchId: world.branchA.branchId }),
    now: NOW,
  }),

  'GET /talent/insights/pipeline': async (world) => ({
    path: '/talent/insights/pipeline',
    query: query({ branchId: world.branchA.branchId }),
    now: NOW,
  }),

  'GET /talent/audit/people/{personId}': async (world) => ({
    path: `/talent/audit/people/${world.people.member}`,
    query: 'limit=5',
  }),

  'GET /talent/audit/actors/{actorId}': async (world) => ({
    path: `/talent/audit/actors/${world.people.member}`,
    query: 'limit=5',
  }),

  // The member meets someone else's file (404); their own is tested in test/talent/evidence.test.ts.
  'POST /talent/people/{personId}/attachments': async (world, persona) => ({
    path: `/talent/people/${await target(world, persona)}/attachments`,
    body: evidenceBody(pdfBytes()),
    now: NOW,
  }),

  'GET /talent/people/{personId}/attachments': async (world, persona) => ({
    path: `/talent/people/${persona === 'selfSecretary' ? world.people.ownSecretary : world.people.member}/attachments`,
  }),

  'GET /talent/people/{personId}/attachments/{attachmentId}/download': async (world) => ({
    path: `${await checkedFile(world)}/download`,
  }),

  'DELETE /talent/people/{personId}/attachments/{attachmentId}': async (world, persona) => ({
    path: await evidence(world, await target(world, persona)),
  }),

  'GET /talent/imports/template.xlsx': async () => ({ path: '/talent/imports/template.xlsx' }),

  'POST /talent/imports': async (world) => ({
    path: '/talent/imports',
    body: { fileName: '名册.xlsx', type: 'xlsx', sizeBytes: 2048, branchId: world.branchA.branchId },
    now: NOW,
  }),

  // Branch A's secretary's import: the committee and that branch's secretaries see it.
  'GET /talent/imports/{importId}': async (world) => ({
    path: `/talent/imports/${await branchImport(world)}`,
  }),

  // Confirmed already: a confirmation answers 202 with the import as it stands, registering nobody again.
  'POST /talent/imports/{importId}/confirm': async (world) => ({
    path: `/talent/imports/${await branchImport(world)}/confirm`,
    now: NOW,
  }),

  'GET /talent/exports/people.xlsx': async (world) => ({
    path: '/talent/exports/people.xlsx',
    query: query({ branchId: world.branchA.branchId }),
  }),

  'GET /talent/pipeline/thought-reports': async (world) => ({
    path: '/talent/pipeline/thought-reports',
    query: query({ branchId: world.branchA.branchId, quarter: '2026-Q4' }),
    now: NOW,
  }),
};
