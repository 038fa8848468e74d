/**
 * The registers as workbooks, through the gateway: a branch's 三会一课台账 for a year (held,
 * cancelled and scheduled meetings, counts, the absent by name, minutes, evidence), compliance
 * and participation as their JSON insights give them; scope before anything is read; and each
 * export published as an audited read (PersonalDataExported) before the file is answered.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { XLSX_TYPE } from '../../shared/spreadsheets/workbook.js';
import { pngBytes, uploadWith } from '../resources/support.js';
import { as, runtime, tableClient } from '../support/api.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';
import { readWorkbook, recordsOf, sheetsOf } from '../support/xlsx.js';
import { at, seedRoster } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;

const EXPORTED_AT = '2026-12-01T10:00:00+08:00';
const LONG_MINUTES = `会议传达学习了上级文件精神。${'研究部署支部下一阶段工作，'.repeat(30)}`;

/** The PersonalDataExported events activities put in its outbox for a request. */
const exportEvents = async (requestId: string) => {
  const found: Record<string, any>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await tableClient().send(
      new ScanCommand({
        TableName: runtime().tableNames.activities as string,
        FilterExpression: 'kind = :outbox AND detailType = :type',
        ExpressionAttributeValues: { ':outbox': 'outbox', ':type': 'PersonalDataExported' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const { data } = JSON.parse(item.detail as string) as { data: Record<string, any> };
      if (data.requestId === requestId) found.push({ source: item.source, ...data });
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return found;
};

let branchId: string;
let secretary: Client;
let committee: Client;
let ids: { zhang: string; li: string; wang: string };
const activityIds: Record<string, string> = {};

/** Schedules a meeting of the branch (on time: a week before), answering its id. */
const schedule = async (over: Record<string, unknown>, scheduledOn: string) => {
  const res = await secretary.post('/activities', { branchId, ...over }, at(scheduledOn));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.activityId as string;
};

const complete = async (activityId: string, minutes: string, on: string) => {
  const res = await secretary.post(`/activities/${activityId}/complete`, { minutes }, at(on));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
};

/** The setup's waits: the roster and the evidence's check. */
const SETUP_TIMEOUT = timeoutFor(deliveries(2));
beforeAll(async () => {
  branchId = newId();
  ids = { zhang: newId(), li: newId(), wang: newId() };
  await seedRoster([
    { personId: ids.zhang, branchId, name: '张伟' },
    { personId: ids.li, branchId, name: '李娜' },
    { personId: ids.wang, branchId, name: '王芳' },
  ]);
  secretary = await as({ roles: ['secretary', 'member'], branchId });
  committee = await as({ roles: ['committee'] });

  // 支委会 of 2026-03-05: 张伟 present, 王芳 on leave (recorded), 李娜 never recorded: absent.
  activityIds.committee = await schedule(
    {
      type: 'branch-committee-meeting',
      title: '三月支委会',
      startsAt: '2026-03-05T09:00:00+08:00',
      endsAt: '2026-03-05T11:00:00+08:00',
      location: '三楼会议室',
    },
    '2026-03-01T10:00:00+08:00',
  );
  const recorded = await secretary.put(
    `/activities/${activityIds.committee}/attendance`,
    {
      entries: [
        { personId: ids.zhang, status: 'present' },
        { personId: ids.wang, status: 'excused', note: '出差' },
      ],
    },
    at('2026-03-05T09:10:00+08:00'),
  );
  expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);
  await complete(activityIds.committee, LONG_MINUTES, '2026-03-05T11:30:00+08:00');

  // 党课 of 2026-06-10: nobody recorded, so all three absent; with a photo as evidence.
  activityIds.lesson = await schedule(
    {
      type: 'party-lesson',
      title: '七一专题党课',
      startsAt: '2026-06-10T14:00:00+08:00',
      endsAt: '2026-06-10T16:00:00+08:00',
    },
    '2026-06-01T10:00:00+08:00',
  );
  await complete(activityIds.lesson, '书记讲授专题党课。', '2026-06-10T16:30:00+08:00');
  const png = pngBytes();
  const added = await secretary.post(`/activities/${activityIds.lesson}/attachments`, {
    kind: 'photo',
    name: '党课照片.png',
    contentType: 'image/png',
    sizeBytes: png.byteLength,
  });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  expect((await uploadWith(added.body.upload, png, 'image/png')).status).toBe(204);
  await until('the evidence checked and accepted', DELIVERY_BUDGET_MS, async () => {
    const res = await secretary.get(`/activities/${activityIds.lesson}/attachments`);
    return res.body.evidence === 1;
  });

  // 主题党日 of 2026-09-01, cancelled.
  activityIds.themeDay = await schedule(
    {
      type: 'theme-day',
      title: '九月主题党日',
      startsAt: '2026-09-01T09:00:00+08:00',
      endsAt: '2026-09-01T11:00:00+08:00',
    },
    '2026-08-25T10:00:00+08:00',
  );
  const cancelled = await secretary.post(`/activities/${activityIds.themeDay}/cancel`, {
    reason: '与上级会议冲突',
  });
  expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);

  // 支部党员大会 of 2026-12-20, still to come; and one of the year before, outside the register.
  activityIds.general = await schedule(
    {
      type: 'branch-general-meeting',
      title: '第四季度支部党员大会',
      startsAt: '2026-12-20T09:00:00+08:00',
      endsAt: '2026-12-20T11:00:00+08:00',
    },
    '2026-11-25T10:00:00+08:00',
  );
  await schedule(
    {
      type: 'branch-general-meeting',
      title: '去年的支部党员大会',
      startsAt: '2025-12-31T15:00:00+08:00',
      endsAt: '2025-12-31T17:00:00+08:00',
    },
    '2025-12-20T10:00:00+08:00',
  );
}, SETUP_TIMEOUT);

describe('the register (三会一课台账) as .xlsx', () => {
  it('lists every meeting of the year with counts, the absent by name, minutes, evidence and status', async () => {
    const res = await secretary.get(
      `/activities/exports/register.xlsx?branchId=${branchId}&year=2026`,
      at(EXPORTED_AT),
    );
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX_TYPE);
    expect(res.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent(`三会一课台账-${branchId}-2026.xlsx`)}`,
    );

    const sheets = await sheetsOf(res.bytes);
    const rows = recordsOf(sheets.三会一课台账 ?? []);
    expect(rows).toEqual([
      {
        日期: '2026-03-05',
        时间: '09:00–11:00',
        类型: '支委会',
        主题: '三月支委会',
        地点: '三楼会议室',
        应到: 3,
        实到: 1,
        迟到: 0,
        请假: 1,
        缺席: 1,
        缺席人员: '李娜',
        请假人员: '王芳',
        会议记录摘要: `${[...LONG_MINUTES].slice(0, 200).join('')}…`,
        佐证材料: '无',
        状态: '已召开',
        备注: undefined,
      },
      {
        日期: '2026-06-10',
        时间: '14:00–16:00',
        类型: '党课',
        主题: '七一专题党课',
        地点: undefined,
        应到: 3,
        实到: 0,
        迟到: 0,
        请假: 0,
        缺席: 3,
        缺席人员: expect.any(String),
        请假人员: undefined,
        会议记录摘要: '书记讲授专题党课。',
        佐证材料: 1,
        状态: '已召开',
        备注: undefined,
      },
      {
        日期: '2026-09-01',
        时间: '09:00–11:00',
        类型: '主题党日',
        主题: '九月主题党日',
        地点: undefined,
        应到: 3,
        实到: undefined,
        迟到: undefined,
        请假: undefined,
        缺席: undefined,
        缺席人员: undefined,
        请假人员: undefined,
        会议记录摘要: undefined,
        佐证材料: '无',
        状态: '已取消',
        备注: '取消原因：与上级会议冲突',
      },
      expect.objectContaining({
        日期: '2026-12-20',
        类型: '支部党员大会',
        应到: 3,
        实到: undefined,
        状态: '已安排',
      }),
    ]);
    expect(String(rows[1]?.缺席人员).split('、').sort()).toEqual(['张伟', '李娜', '王芳'].sort());

    expect(recordsOf(sheets.汇总 ?? [])).toEqual([
      expect.objectContaining({
        类型: '支委会',
        已召开: 1,
        应到人次: 3,
        实到人次: 1,
        '出席率（%）': 33.33,
        无佐证材料: 1,
      }),
      expect.objectContaining({ 类型: '党课', 已召开: 1, 实到人次: 0, 无佐证材料: 0 }),
      expect.objectContaining({ 类型: '主题党日', 已召开: 0, 已取消: 1 }),
      expect.objectContaining({ 类型: '支部党员大会', 已召开: 0, 已安排: 1 }),
    ]);

    const sheet = (await readWorkbook(res.bytes)).getWorksheet('三会一课台账');
    expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    // The date is a real date, as Excel filters and sorts it.
    expect(sheet?.getCell('A2').value).toBeInstanceOf(Date);
  });

  it('is published as an audited export before the file is answered', async () => {
    const res = await committee.get(
      `/activities/exports/register.xlsx?branchId=${branchId}&year=2026`,
      at(EXPORTED_AT),
    );
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const requestId = res.headers.get('x-request-id') as string;
    const events = await exportEvents(requestId);
    expect(events).toEqual([
      expect.objectContaining({
        source: 'dangjian.activities',
        register: 'activities.register',
        accountId: committee.sub,
        actorRoles: ['committee'],
        scope: { branchId, year: 2026 },
        rows: 4,
        requestId,
      }),
    ]);
  });

  it('is the branch organisers’: another branch’s secretary 404 as for no branch at all, a member 403', async () => {
    const path = `/activities/exports/register.xlsx?branchId=${branchId}&year=2026`;
    const other = await as({ roles: ['secretary', 'member'], branchId: newId() });
    const stranger = await other.get(path, at(EXPORTED_AT));
    expect(stranger.status).toBe(404);
    const nowhere = await other.get(
      `/activities/exports/register.xlsx?branchId=${newId()}&year=2026`,
      at(EXPORTED_AT),
    );
    expect(nowhere.status).toBe(404);
    expect(nowhere.body).toEqual(stranger.body);
    expect(await exportEvents(stranger.headers.get('x-request-id') as string)).toEqual([]);

    const member = await as({ roles: ['member'], branchId });
    expect((await member.get(path, at(EXPORTED_AT))).status).toBe(403);
  });

  it('refuses a year out of range and a missing branch with 400, publishing nothing', async () => {
    for (const query of [`branchId=${branchId}&year=1999`, `branchId=${branchId}&year=abc`, 'year=2026']) {
      const res = await committee.get(`/activities/exports/register.xlsx?${query}`, at(EXPORTED_AT));
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation-failed');
      expect(await exportEvents(res.headers.get('x-request-id') as string)).toEqual([]);
    }
  });
});

describe('compliance and participation as .xlsx', () => {
  it('writes compliance with the numbers of the JSON insight, per branch, type and period', async () => {
    const query = `branchId=${branchId}&year=2026`;
    const json = await secretary.get(`/activities/insights/compliance?${query}`, at(EXPORTED_AT));
    expect(json.status).toBe(200);
    const xlsx = await secretary.get(`/activities/exports/compliance.xlsx?${query}`, at(EXPORTED_AT));
    expect(xlsx.status, xlsx.text.slice(0, 300)).toBe(200);
    const sheets = await sheetsOf(xlsx.bytes);

    const [branch] = json.body.branches as any[];
    const expected = branch.types.flatMap((t: any) =>
      t.periods.map((p: any) => [
        t.type,
        t.partyGroupId,
        p.label,
        p.from,
        p.to,
        p.required,
        p.held,
        p.status,
      ]),
    );
    const labels: Record<string, string> = { met: '达标', missed: '未达标', open: '进行中' };
    const written = recordsOf(sheets.达标情况 ?? []).map((r) => [
      r.类型,
      r.党小组,
      r.期间,
      r.起,
      r.止,
      r.应开,
      r.已开,
      r.状态,
    ]);
    expect(written.length).toBe(expected.length);
    expect(written.map((r) => r.slice(2))).toEqual(
      expected.map((e: any[]) => [...e.slice(2, 7), labels[e[7] as string]]),
    );
    // The held ones show: the 支委会 of March and the 党课 of Q2.
    expect(written).toContainEqual([
      '支委会',
      undefined,
      '2026-03',
      '2026-03-01',
      '2026-03-31',
      1,
      1,
      '达标',
    ]);
    expect(written).toContainEqual(['党课', undefined, '2026-Q2', '2026-04-01', '2026-06-30', 1, 1, '达标']);

    expect(recordsOf(sheets.支部汇总 ?? [])).toEqual([
      {
        支部: branchId,
        期数: branch.summary.periods,
        达标: branch.summary.met,
        未达标: branch.summary.missed,
        进行中: branch.summary.open,
        仅靠补录达标: branch.summary.metLate,
        已召开: 2,
        有佐证材料: 1,
        无佐证材料: 1,
      },
    ]);
    const [event] = await exportEvents(xlsx.headers.get('x-request-id') as string);
    expect(event).toMatchObject({ register: 'activities.compliance', scope: { branchId, year: 2026 } });
  });

  it('writes participation per member with names and the numbers of the JSON insight', async () => {
    const query = new URLSearchParams({
      branchId,
      from: '2026-01-01T00:00:00+08:00',
      to: '2026-12-31T00:00:00+08:00',
    }).toString();
    const json = await secretary.get(`/activities/insights/participation?${query}`, at(EXPORTED_AT));
    expect(json.status).toBe(200);
    const xlsx = await secretary.get(`/activities/exports/participation.xlsx?${query}`, at(EXPORTED_AT));
    expect(xlsx.status, xlsx.text.slice(0, 300)).toBe(200);
    const rows = recordsOf((await sheetsOf(xlsx.bytes)).参与情况 ?? []);
    expect(rows).toEqual(
      (json.body.members as any[]).map((m) => ({
        姓名: m.name,
        人员编号: m.personId,
        应参加: m.invited,
        出席: m.present,
        迟到: m.late,
        请假: m.excused,
        缺席: m.absent,
        '参与率（%）': Math.round(m.rate * 10_000) / 100,
        '低于60%': m.flagged ? '是' : '否',
      })),
    );
    expect(rows.find((r) => r.姓名 === '张伟')).toMatchObject({
      应参加: 2,
      出席: 1,
      缺席: 1,
      '参与率（%）': 50,
    });
    expect(rows.find((r) => r.姓名 === '王芳')).toMatchObject({ 请假: 1, 缺席: 1, '低于60%': '是' });

    const [event] = await exportEvents(xlsx.headers.get('x-request-id') as string);
    expect(event).toMatchObject({ register: 'activities.participation', rows: 3 });
  });

  it('refuses an empty window as the JSON insight does, and another branch with 404', async () => {
    const empty = await secretary.get(
      `/activities/exports/participation.xlsx?branchId=${branchId}&from=2026-06-01T00:00:00%2B08:00&to=2026-05-01T00:00:00%2B08:00`,
      at(EXPORTED_AT),
    );
    expect(empty.status).toBe(422);
    expect(empty.body.error.code).toBe('empty-window');
    const other = await as({ roles: ['secretary', 'member'], branchId: newId() });
    for (const path of ['compliance.xlsx', 'participation.xlsx']) {
      const res = await other.get(`/activities/exports/${path}?branchId=${branchId}`, at(EXPORTED_AT));
      expect(res.status, path).toBe(404);
    }
  });
});
