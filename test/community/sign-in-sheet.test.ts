/**
 * A joint event's sign-in sheet (签到表.xlsx): every participant holding a place, then the
 * waitlist, members named from community's roster copy, phones masked, a blank column to
 * sign; the committee gets all, a partner its own. The CSV and the JSON reads name members too.
 */
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { XLSX_TYPE } from '../../shared/spreadsheets/workbook.js';
import { seedRoster } from '../activities/support.js';
import { as } from '../support/api.js';
import { recordsOf, sheetsOf } from '../support/xlsx.js';
import { approvedPartner, duringRegistration, publishedEvent } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;

const sheetOf = async (res: { status: number; headers: Headers; bytes: Buffer; text: string }) => {
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  expect(res.headers.get('content-type')).toBe(XLSX_TYPE);
  const sheets = await sheetsOf(res.bytes);
  expect(Object.keys(sheets)).toEqual(['签到表']);
  return sheets.签到表 ?? [];
};

const registered = async (who: Client, path: string, body: unknown = {}) => {
  const res = await who.post(path, body, { now: duringRegistration });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.registrationId as string;
};

/** An event of 3 places: two members, two partners' participants, a cancellation, a waitlist. */
const setUp = async () => {
  const { eventId, admin } = await publishedEvent({ capacity: 3 });
  const path = `/community/events/${eventId}/registrations`;
  const wang = { personId: newId(), name: '王小明', department: '化学室' };
  const li = { personId: newId(), name: '李红', department: '物理室' };
  const gone = { personId: newId(), name: '周退', department: '计量室' };
  await seedRoster([wang, li, gone]);
  const member = (p: { personId: string }) => as({ roles: ['member'], personId: p.personId });
  const a = await approvedPartner();
  const b = await approvedPartner();
  const orgA = (await admin.get(`/community/partners/${a.partnerId}`)).body.orgName as string;
  const orgB = (await admin.get(`/community/partners/${b.partnerId}`)).body.orgName as string;

  const wangClient = await member(wang);
  await registered(wangClient, path);
  const cancelled = await member(gone);
  const goneRegistration = await registered(cancelled, path);
  expect((await cancelled.delete(`${path}/${goneRegistration}`, { now: duringRegistration })).status).toBe(
    204,
  );
  // Two places left for A's three: 张三 and 李四 hold them, 钱七 waits; so do B's 赵六, and 李红.
  await registered(a.client, path, {
    participants: [
      { name: '张三', phone: '13912345678' },
      { name: '李四' },
      { name: '钱七', phone: '13800001111' },
    ],
    consent: true,
  });
  await registered(b.client, path, { participants: [{ name: '赵六' }], consent: true });
  await registered(await member(li), path);
  return { path, admin, a, b, orgA, orgB, wang, gone, wangClient };
};

let s: Awaited<ReturnType<typeof setUp>>;
beforeAll(async () => {
  s = await setUp();
});

describe('the sign-in sheet', () => {
  it('lists places held then the waitlist, members by name, phones masked, cancelled places left out', async () => {
    const { path, admin, orgA, orgB } = s;
    const all = await admin.get(`${path}.xlsx`);
    const sheet = await sheetOf(all);
    expect(sheet[0]).toEqual(['序号', '姓名', '类别', '单位/部门', '手机号', '状态', '签到']);
    const blank = { 签到: undefined };
    expect(recordsOf(sheet)).toEqual([
      {
        序号: 1,
        姓名: '王小明',
        类别: '党员',
        '单位/部门': '化学室',
        手机号: undefined,
        状态: '已确认',
        ...blank,
      },
      {
        序号: 2,
        姓名: '张三',
        类别: '合作单位',
        '单位/部门': orgA,
        手机号: '139****5678',
        状态: '已确认',
        ...blank,
      },
      {
        序号: 3,
        姓名: '李四',
        类别: '合作单位',
        '单位/部门': orgA,
        手机号: undefined,
        状态: '已确认',
        ...blank,
      },
      {
        序号: 4,
        姓名: '钱七',
        类别: '合作单位',
        '单位/部门': orgA,
        手机号: '138****1111',
        状态: '候补',
        ...blank,
      },
      {
        序号: 5,
        姓名: '赵六',
        类别: '合作单位',
        '单位/部门': orgB,
        手机号: undefined,
        状态: '候补',
        ...blank,
      },
      {
        序号: 6,
        姓名: '李红',
        类别: '党员',
        '单位/部门': '物理室',
        手机号: undefined,
        状态: '候补',
        ...blank,
      },
    ]);
    // No whole number anywhere in the file: not in any part of the workbook's zip.
    const zip = await JSZip.loadAsync(all.bytes);
    const parts = (await Promise.all(Object.values(zip.files).map((f) => f.async('string')))).join('\n');
    expect(parts).toContain('139****5678');
    expect(parts).not.toContain('13912345678');
  });

  it('gives a partner its own participants only; a member 403, an unknown event 404', async () => {
    const { path, admin, a, b, wangClient } = s;
    const mine = recordsOf(await sheetOf(await a.client.get(`${path}.xlsx`)));
    expect(mine.map((r) => r.姓名)).toEqual(['张三', '李四', '钱七']);
    const theirs = recordsOf(await sheetOf(await b.client.get(`${path}.xlsx`)));
    expect(theirs.map((r) => r.姓名)).toEqual(['赵六']);
    expect((await wangClient.get(`${path}.xlsx`)).status).toBe(403);
    expect((await admin.get(`/community/events/${newId()}/registrations.xlsx`)).status).toBe(404);
  });

  it('names members in the CSV too, from the same roster copy, keeping every status', async () => {
    const { path, admin, wang, gone } = s;
    const csv = (await admin.get(`${path}.csv`)).text.split('\r\n');
    expect(csv.find((l) => l.includes(wang.personId))).toContain(',王小明,,confirmed,');
    expect(csv.find((l) => l.includes(gone.personId))).toContain(',周退,,cancelled,');
  });

  it('names members in the JSON list and a single read, a partner’s participants as entered', async () => {
    const { path, admin, wang, gone, wangClient } = s;
    type Listed = {
      registrationId: string;
      registrant: { personId?: string };
      participants: { name: string | null }[];
    };
    const listed = (await admin.get(`${path}?limit=100`)).body.items as Listed[];
    const namesOf = (personId: string) =>
      listed.find((r) => r.registrant.personId === personId)?.participants.map((p) => p.name);
    expect(namesOf(wang.personId)).toEqual(['王小明']);
    expect(namesOf(gone.personId)).toEqual(['周退']);
    expect(listed.flatMap((r) => r.participants.map((p) => p.name)).sort()).toEqual(
      ['周退', '张三', '李四', '李红', '王小明', '赵六', '钱七'].sort(),
    );
    const own = (await wangClient.get(path)).body.items as Listed[];
    expect(own.map((r) => r.participants[0]?.name)).toEqual(['王小明']);
    const one = await wangClient.get(`${path}/${own[0]?.registrationId}`);
    expect(one.status).toBe(200);
    expect(one.body.participants[0].name).toBe('王小明');
  });
});
