/**
 * An assessment's results as a workbook (考核成绩.xlsx): the people the JSON results show,
 * named from resources' roster copy, with best and latest score; a secretary their own
 * branch's, another branch's secretary nothing, a member no export at all.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { XLSX_TYPE } from '../../shared/spreadsheets/workbook.js';
import { seedRoster } from '../activities/support.js';
import { as } from '../support/api.js';
import { recordsOf, sheetsOf } from '../support/xlsx.js';
import { expectStatus } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;

const questions = [
  { kind: 'true-false', prompt: '预备党员的预备期为一年。', answer: true },
  { kind: 'single', prompt: '党的根本宗旨是？', options: ['全心全意为人民服务', '发展经济'], answer: 0 },
];

/** Starts and submits an attempt at the given time: `right` answers right, else none. */
const take = async (who: Client, assessmentId: string, right: number, now: string) => {
  const started = await who.post(`/resources/assessments/${assessmentId}/attempts`, undefined, { now });
  expectStatus(started, 201);
  const answers = { q1: right >= 1, ...(right >= 2 ? { q2: 0 } : { q2: 1 }) };
  const submitted = await who.post(
    `/resources/assessments/${assessmentId}/attempts/${started.body.attemptId}/submit`,
    { answers },
    { now },
  );
  expectStatus(submitted, 200);
};

/** Two branches of named people and the committee's assessment for everyone. */
const setUp = async () => {
  const [branchA, branchB] = [newId(), newId()];
  const people = {
    wang: { personId: newId(), branchId: branchA, name: '王小明', department: '化学室' },
    li: { personId: newId(), branchId: branchA, name: '李红', department: '物理室' },
    zhao: { personId: newId(), branchId: branchA, name: '赵强', department: '化学室' },
    sun: { personId: newId(), branchId: branchB, name: '孙丽', department: '计量室' },
  };
  await seedRoster(Object.values(people));
  const client = (p: { personId: string; branchId: string }) =>
    as({ roles: ['member'], personId: p.personId, branchId: p.branchId });
  const committee = await as({ roles: ['committee'] });
  const created = await committee.post('/resources/assessments', {
    title: '党章党规知识考核',
    passMark: 75,
    timeLimitMinutes: 30,
    maxAttempts: 3,
    questions,
  });
  expectStatus(created, 201);
  return {
    people,
    branchA,
    branchB,
    committee,
    assessmentId: created.body.assessmentId as string,
    wang: await client(people.wang),
    li: await client(people.li),
    zhao: await client(people.zhao),
    sun: await client(people.sun),
    secretaryA: await as({ roles: ['secretary', 'member'], branchId: branchA }),
    secretaryB: await as({ roles: ['secretary', 'member'], branchId: branchB }),
  };
};

const workbookOf = async (res: { status: number; headers: Headers; bytes: Buffer; body: unknown }) => {
  expectStatus(res, 200);
  expect(res.headers.get('content-type')).toBe(XLSX_TYPE);
  return sheetsOf(res.bytes);
};

let s: Awaited<ReturnType<typeof setUp>>;
beforeAll(async () => {
  s = await setUp();
  await take(s.wang, s.assessmentId, 2, '2026-11-26T09:00:00+08:00');
  await take(s.wang, s.assessmentId, 1, '2026-11-27T10:15:00+08:00');
  await take(s.li, s.assessmentId, 1, '2026-11-26T09:30:00+08:00');
  await take(s.sun, s.assessmentId, 2, '2026-11-26T11:00:00+08:00');
  // Started and never submitted: the results know no score of theirs, nor does the export.
  expectStatus(await s.zhao.post(`/resources/assessments/${s.assessmentId}/attempts`), 201);
});

describe('assessment results as a workbook', () => {
  it('has one named row per person graded, with best and latest score, and the pass rate per branch', async () => {
    const path = `/resources/assessments/${s.assessmentId}/results.xlsx`;
    const res = await s.committee.get(path);
    const sheets = await workbookOf(res);
    expect(res.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent(`考核成绩-${s.assessmentId}.xlsx`)}`,
    );
    expect(Object.keys(sheets)).toEqual(['考核成绩', '支部通过率']);
    const expected = [
      {
        姓名: '孙丽',
        部门: '计量室',
        支部编号: s.branchB,
        交卷次数: 1,
        最高分: 100,
        最近得分: 100,
        是否通过: '是',
        最近交卷时间: '2026-11-26 11:00',
      },
      {
        姓名: '王小明',
        部门: '化学室',
        支部编号: s.branchA,
        交卷次数: 2,
        最高分: 100,
        最近得分: 50,
        是否通过: '是',
        最近交卷时间: '2026-11-27 10:15',
      },
      {
        姓名: '李红',
        部门: '物理室',
        支部编号: s.branchA,
        交卷次数: 1,
        最高分: 50,
        最近得分: 50,
        是否通过: '否',
        最近交卷时间: '2026-11-26 09:30',
      },
    ];
    // The JSON results' order (best score first, then by person): the same people, in the same order.
    const json = await s.committee.get(`/resources/assessments/${s.assessmentId}/results`);
    const nameOf = new Map(Object.values(s.people).map((p) => [p.personId, p.name]));
    const order = (json.body.people as { personId: string }[]).map((p) => nameOf.get(p.personId));
    expect(order).toHaveLength(3);
    expect(recordsOf(sheets.考核成绩 ?? [])).toEqual(
      order.map((name) => expected.find((r) => r.姓名 === name)),
    );
    expect(recordsOf(sheets.支部通过率 ?? [])).toEqual(
      [
        { 支部编号: s.branchA, 交卷人数: 2, 通过人数: 1, '通过率(%)': 50 },
        { 支部编号: s.branchB, 交卷人数: 1, 通过人数: 1, '通过率(%)': 100 },
      ].sort((a, b) => a.支部编号.localeCompare(b.支部编号)),
    );
  });

  it("gives a secretary their own branch's rows only; another branch is 404, a member 403", async () => {
    const path = `/resources/assessments/${s.assessmentId}/results.xlsx`;

    const ownBranch = recordsOf((await workbookOf(await s.secretaryA.get(path))).考核成绩 ?? []);
    expect(ownBranch.map((r) => r.姓名)).toEqual(['王小明', '李红']);
    const askedForB = await s.secretaryA.get(`${path}?branchId=${s.branchB}`);
    expect(askedForB.status).toBe(404);
    // The committee may narrow to one branch.
    const onlyB = recordsOf(
      (await workbookOf(await s.committee.get(`${path}?branchId=${s.branchB}`))).考核成绩 ?? [],
    );
    expect(onlyB.map((r) => r.姓名)).toEqual(['孙丽']);
    expect((await s.wang.get(path)).status).toBe(403);
    expect((await s.committee.get(`/resources/assessments/${newId()}/results.xlsx`)).status).toBe(404);
  });
});
