/**
 * The register of people as a workbook (人员名册.xlsx) through the gateway: the template's
 * columns with Chinese headers, a frozen header row, contact details masked as in lists,
 * the scope of the caller's role, one audit entry per export. And the round trip: the
 * register exported, imported into an empty runtime of its own, exported again, gives the
 * same rows (contact details, masked in every export, come back empty, as the import says).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { talentService } from '../../services/talent/service.js';
import { as } from '../support/api.js';
import { type OwnRuntime, startOwnRuntime } from '../support/own-runtime.js';
import { readWorkbook, recordsOf, sheetsOf } from '../support/xlsx.js';
import { type Client, committee, historyOf, newBranch, register } from './support.js';
import { checked, confirmed, upload, XLSX } from './support-imports.js';

const unique = () => Math.random().toString(36).slice(2, 8);

const exported = async (client: Client, query: string) => {
  const res = await client.get(`/talent/exports/people.xlsx${query}`);
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  expect(res.headers.get('content-type')).toBe(XLSX);
  return res.bytes;
};

/** A branch of 30 people covering every column: groups, stages, histories, contact details, none. */
const fillBranch = async (admin: Client) => {
  const made = await newBranch(admin, [{ name: '第一党小组' }, { name: '第二党小组' }]);
  const { branchId, partyGroups } = made;
  const names: string[] = [];
  const add = async (over: Record<string, unknown>) => {
    const name = `${over.name ?? '人员'}${unique()}`;
    names.push(name);
    return register(admin, { branchId, ...over, name }, '2026-11-20T10:00:00+08:00');
  };
  await add({
    name: '张伟',
    phone: '13800138000',
    email: 'zhangwei@example.cn',
    partyGroupId: partyGroups[0]?.id,
  });
  await add({
    name: '李娜',
    gender: 'female',
    birthDate: '1995-02-28',
    politicalStatus: 'applicant',
    statusSince: '2026-06-01',
  });
  await add({
    name: '王老师',
    birthDate: '1968-10-01',
    politicalStatus: 'full',
    statusSince: '1998-07-01',
    history: historyOf('2019-03-01'),
    workStartDate: '1990-07-15',
    position: '所长',
    education: 'master',
    title: '研究员',
    partyGroupId: partyGroups[1]?.id,
  });
  await add({
    name: '赵预备',
    politicalStatus: 'probationary',
    statusSince: '2026-03-01',
    history: {
      evidence: { kind: 'transfer-letter', reference: `介绍信${unique()}`, issuedOn: '2026-04-01' },
    },
  });
  await Promise.all(
    Array.from({ length: 26 }, (_, i) =>
      add({
        name: `群众${i}`,
        birthDate: `19${70 + i}-0${1 + (i % 9)}-1${i % 10}`,
        department: '综合业务部',
      }),
    ),
  );
  return { branchId, names };
};

let own: OwnRuntime | undefined;

afterAll(() => own?.stop());

describe('the register export', () => {
  it('writes the template’s columns, masked, in the caller’s scope, audited', async () => {
    const admin = await committee();
    const { branchId, names } = await fillBranch(admin);
    const bytes = await exported(admin, `?branchId=${branchId}`);
    const sheets = await sheetsOf(bytes);
    const template = await sheetsOf((await admin.get('/talent/imports/template.xlsx')).bytes);
    expect(sheets.人员名册?.[0]).toEqual(template.人员名册?.[0]);
    const rows = recordsOf(sheets.人员名册 ?? []);
    expect(rows.map((r) => r.姓名).sort()).toEqual([...names].sort());
    const zhang = rows.find((r) => String(r.姓名).startsWith('张伟'));
    expect(zhang).toMatchObject({
      手机: '138****8000',
      电子邮箱: 'z***@example.cn',
      党小组: '第一党小组',
      性别: '男',
    });
    const wang = rows.find((r) => String(r.姓名).startsWith('王老师'));
    expect(wang).toMatchObject({
      出生日期: '1968-10-01',
      政治面貌: '正式党员',
      历史佐证类型: '党员档案',
      佐证日期: '2019-03-01',
      学历: '硕士研究生',
    });
    const sheet = (await readWorkbook(bytes)).getWorksheet('人员名册');
    expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });

    // One audit entry naming the scope, under the exporter's name.
    const actor = (await admin.get(`/talent/audit/actors/${admin.personId}`)).body as {
      items: { action: string; scope?: { branchId?: string } }[];
    };
    expect(actor.items.filter((e) => e.action === 'people.export')).toEqual([
      expect.objectContaining({ scope: { list: 'people', branchId } }),
    ]);

    // A secretary exports their own branch (by default), and another branch does not exist for them.
    const other = await newBranch(admin);
    const secretaryId = (
      await register(admin, { branchId, politicalStatus: 'full', name: `书记${unique()}` })
    ).personId;
    const secretary = await as({ roles: ['secretary', 'member'], personId: secretaryId, branchId });
    const otherSecretary = await as({ roles: ['secretary', 'member'], branchId: other.branchId });
    const mine = recordsOf((await sheetsOf(await exported(secretary, ''))).人员名册 ?? []);
    expect(mine).toHaveLength(names.length + 1);
    expect((await otherSecretary.get(`/talent/exports/people.xlsx?branchId=${branchId}`)).status).toBe(404);
    expect((await secretary.get('/talent/exports/people.xlsx?status=full')).status).toBe(200);
  }, 60_000);

  it('round trip: exported, imported into an empty runtime, exported again gives the same rows', async () => {
    const admin = await committee();
    const { branchId } = await fillBranch(admin);
    const branch = (await admin.get(`/talent/branches/${branchId}`)).body as {
      name: string;
      partyGroups: { name: string }[];
    };
    const first = await exported(admin, `?branchId=${branchId}`);

    own = await startOwnRuntime('roundtrip', { services: [talentService] });
    const fresh = await committee();
    const made = await fresh.post('/talent/branches', {
      name: branch.name,
      partyGroups: branch.partyGroups.map((g) => ({ name: g.name })),
    });
    expect(made.status).toBe(201);
    const importId = await upload(fresh, first);
    const report = await checked(fresh, importId);
    // 30 rows: two chunks of the confirmed import, chained by ImportChunkDue.
    expect(report.totals).toEqual({
      rows: 30,
      valid: 30,
      invalid: 0,
      needingCommittee: 2,
      alreadyRegistered: 0,
    });
    // The masked contact details are said to be left out, not taken.
    expect(report.issues.filter((i) => i.code === 'masked-value-ignored').map((i) => i.column)).toEqual([
      '手机',
      '电子邮箱',
    ]);
    expect((await confirmed(fresh, importId)).result).toEqual({ created: 30, skipped: 0 });
    const second = await exported(fresh, '');

    const withoutContacts = (bytes: Uint8Array) =>
      sheetsOf(bytes).then((s) =>
        recordsOf(s.人员名册 ?? []).map(({ 手机: _p, 电子邮箱: _e, ...rest }) => rest),
      );
    expect(await withoutContacts(second)).toEqual(await withoutContacts(first));
    const again = recordsOf((await sheetsOf(second)).人员名册 ?? []);
    expect(again.every((r) => r.手机 === undefined && r.电子邮箱 === undefined)).toBe(true);
    // Thirty registrations, a runtime of its own and an import through S3 and the bus.
  }, 120_000);
});
