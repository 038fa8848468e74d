/**
 * Importing people from a workbook or CSV (批量导入) through the gateway and the real S3
 * server: the upload with its presigned form, the dry run S3's event starts (every bad row
 * named, nothing written), the confirmation registering each valid row exactly as a single
 * registration (PersonRegistered, the audit entry, imported history), once however often the
 * file is imported again or the confirmation repeated; the secretary's scope; and every kind
 * of bad file refused whole with its code.
 */
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { as } from '../support/api.js';
import { readWorkbook, sheetsOf } from '../support/xlsx.js';
import { type Client, committee, newBranch, outbox, register, TODAY } from './support.js';
import { checked, confirmed, type Row, readReport, upload, workbook, XLSX } from './support-imports.js';

let admin: Client;
let branch: { branchId: string; name: string; partyGroups: { id: string; name: string }[] };

beforeAll(async () => {
  admin = await committee();
  const made = await newBranch(admin, [{ name: '第一党小组' }]);
  const read = await admin.get(`/talent/branches/${made.branchId}`);
  branch = read.body as typeof branch;
});

const unique = () => Math.random().toString(36).slice(2, 8);

/** A valid ordinary row of the test's branch. */
const person = (over: Row = {}): Row => ({
  姓名: `导入${unique()}`,
  性别: '男',
  出生日期: new Date('1990-05-12T00:00:00Z'),
  部门: '化学药品检验所',
  所在支部: branch.name,
  政治面貌: '群众',
  现阶段起始日期: '2020-01-01',
  ...over,
});

const peopleOf = async (
  branchId: string,
): Promise<{ personId: string; name: string; [k: string]: unknown }[]> => {
  const res = await admin.get(`/talent/people?branchId=${branchId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.items;
};

describe('importing people', () => {
  it('registers the valid rows once, as single registrations, with history marked as imported', async () => {
    const rows = [
      person({ 姓名: `张伟${unique()}`, 党小组: '第一党小组', 手机: '13800138000', 学历: '本科' }),
      person({
        姓名: `李娜${unique()}`,
        性别: '女',
        出生日期: 33_005,
        政治面貌: '入党申请人',
        现阶段起始日期: '2026年6月1日',
      }),
      person({
        姓名: `王老师${unique()}`,
        出生日期: '1970/3/4',
        政治面貌: '正式党员',
        现阶段起始日期: '1998-07-01',
        历史佐证类型: '党员档案',
        佐证编号: `DA-${unique()}`,
        佐证日期: '2020-01-01',
      }),
    ];
    const bytes = await workbook(rows);
    const importId = await upload(admin, bytes);
    // The same file started again before either is confirmed: both dry runs find everyone new.
    const twin = await upload(admin, bytes);
    expect((await checked(admin, twin)).totals?.valid).toBe(3);
    const report = await checked(admin, importId);
    expect(report).toMatchObject({
      state: 'checked',
      byCommittee: true,
      totals: { rows: 3, valid: 3, invalid: 0, needingCommittee: 1, alreadyRegistered: 0 },
    });
    expect(report.issues.map((i) => [i.row, i.code, i.severity])).toEqual([
      [4, 'needs-committee-authority', 'notice'],
    ]);
    // The dry run wrote nobody.
    const names = rows.map((r) => r.姓名 as string);
    expect((await peopleOf(branch.branchId)).filter((p) => names.includes(p.name))).toEqual([]);

    const done = await confirmed(admin, importId);
    expect(done.result).toEqual({ created: 3, skipped: 0 });
    const people = (await peopleOf(branch.branchId)).filter((p) => names.includes(p.name));
    expect(people.map((p) => p.name).sort()).toEqual([...names].sort());
    const zhang = people.find((p) => p.name === names[0]);
    expect(zhang).toMatchObject({
      partyGroupId: branch.partyGroups[0]?.id,
      phone: '138****8000',
      education: 'bachelor',
    });
    const li = people.find((p) => p.name === names[1]);
    expect(li).toMatchObject({
      gender: 'female',
      birthDate: '1990-05-12',
      politicalStatus: 'applicant',
      statusSince: '2026-06-01',
    });
    const wang = people.find((p) => p.name === names[2]) as { personId: string };
    const record = await admin.get(`/talent/people/${wang.personId}`);
    expect(record.body).toMatchObject({
      politicalStatus: 'full',
      statusSince: '1998-07-01',
      arrivedWith: {
        history: true,
        stage: 'full',
        since: '1998-07-01',
        importId,
        evidence: { kind: 'party-file' },
      },
    });
    // Exactly what a single registration writes: the event and the audit entry.
    for (const p of people) {
      expect((await outbox(p.personId)).map((e) => e.type)).toEqual(['PersonRegistered']);
    }
    const audit = await admin.get(`/talent/audit/people/${wang.personId}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain(
      'person.register-with-history',
    );

    // The twin's confirmation finds every key held by the first import's people: nobody twice.
    expect((await confirmed(admin, twin)).result).toEqual({ created: 0, skipped: 3 });

    // A retried confirmation registers nobody again.
    const again = await admin.post(`/talent/imports/${importId}/confirm`, undefined, { now: TODAY });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ state: 'imported', result: { created: 3, skipped: 0 } });

    // The same file imported again: everyone is on the register already, and nobody is added.
    const rerun = await upload(admin, bytes);
    const second = await checked(admin, rerun);
    expect(second.totals).toEqual({
      rows: 3,
      valid: 0,
      invalid: 0,
      needingCommittee: 0,
      alreadyRegistered: 3,
    });
    expect(second.issues.filter((i) => i.code === 'already-registered').map((i) => i.row)).toEqual([2, 3, 4]);
    expect((await confirmed(admin, rerun)).result).toEqual({ created: 0, skipped: 0 });
    expect((await peopleOf(branch.branchId)).filter((p) => names.includes(p.name))).toHaveLength(3);
  });

  it('names every bad row by row, column and code, and confirms nothing while any is in error', async () => {
    const registered = await register(admin, {
      branchId: branch.branchId,
      name: `已在册${unique()}`,
      birthDate: '1985-01-02',
    });
    const dup = `重复${unique()}`;
    const bytes = await workbook([
      person(),
      person({ 出生日期: '1990-02-30' }),
      person({ 性别: '未知' }),
      person({ 部门: { formula: 'A1&"所"' } }),
      person({ 所在支部: '没有这个支部' }),
      person({ 政治面貌: '预备党员', 现阶段起始日期: '2026-01-01' }),
      person({ 出生日期: '2010-01-01', 政治面貌: '入党申请人', 现阶段起始日期: '2026-06-01' }),
      person({ 姓名: dup }),
      person({ 姓名: ` ${dup} ` }),
      person({ 姓名: registered.name, 出生日期: '1985-01-02' }),
      person({ 电子邮箱: 'z***@example.cn', 手机: 'not a phone' }),
      person({ 历史佐证类型: '党员档案' }),
      person({ 现阶段起始日期: '2027-01-01' }),
    ]);
    const importId = await upload(admin, bytes);
    const report = await checked(admin, importId);
    expect(report.state).toBe('checked');
    expect(report.issues.map((i) => [i.row, i.column, i.code])).toEqual([
      [3, '出生日期', 'invalid-date'],
      [4, '性别', 'invalid-choice'],
      [5, '部门', 'formula-in-cell'],
      [6, '所在支部', 'unknown-branch'],
      [7, '政治面貌', 'registration-not-at-pipeline-start'],
      [8, '现阶段起始日期', 'applicant-under-age'],
      [10, '姓名', 'duplicate-in-file'],
      [11, '姓名', 'already-registered'],
      [12, '手机', 'invalid-phone'],
      [12, '电子邮箱', 'masked-value-ignored'],
      [13, '历史佐证类型', 'history-evidence-incomplete'],
      [14, '现阶段起始日期', 'status-since-out-of-range'],
    ]);
    expect(report.totals).toEqual({
      rows: 13,
      valid: 2,
      invalid: 10,
      needingCommittee: 0,
      alreadyRegistered: 1,
    });
    const issue = report.issues[0];
    expect(issue?.message.zh).toContain('不是有效日期');
    expect(issue?.message.en).toContain('Not a date');
    // Paged: the first two issues, then the rest.
    const first = await readReport(admin, importId, 'limit=2');
    expect(first.issues).toHaveLength(2);
    const rest = await readReport(
      admin,
      importId,
      `limit=500&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
    );
    expect(rest.issues).toHaveLength(10);

    const refused = await admin.post(`/talent/imports/${importId}/confirm`, undefined, { now: TODAY });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'import-has-errors', details: { invalid: 10 } });
    expect((await readReport(admin, importId)).state).toBe('checked');
  });

  it('keeps a secretary to their own branch, without history; others see nothing of the import', async () => {
    const own = await newBranch(admin);
    const other = await newBranch(admin);
    const otherName = ((await admin.get(`/talent/branches/${other.branchId}`)).body as { name: string }).name;
    const secretaryId = (
      await register(admin, { branchId: own.branchId, politicalStatus: 'full', name: '书记' })
    ).personId;
    const secretary = await as({
      roles: ['secretary', 'member'],
      personId: secretaryId,
      branchId: own.branchId,
    });
    const otherSecretary = await as({ roles: ['secretary', 'member'], branchId: other.branchId });
    const member = await as({ roles: ['member'], branchId: own.branchId });
    const mine = `本支部${unique()}`;
    const bytes = await workbook([
      person({ 姓名: mine, 所在支部: undefined }),
      person({ 所在支部: otherName }),
      person({ 所在支部: undefined, 政治面貌: '入党积极分子', 现阶段起始日期: '2025-01-01' }),
    ]);
    const importId = await upload(secretary, bytes);
    const report = await checked(secretary, importId);
    expect(report).toMatchObject({ byCommittee: false, totals: { valid: 1, invalid: 2 } });
    expect(report.issues.map((i) => [i.row, i.code])).toEqual([
      [3, 'unknown-branch'],
      [4, 'history-committee-only'],
    ]);
    expect((await otherSecretary.get(`/talent/imports/${importId}`)).status).toBe(404);
    expect((await otherSecretary.post(`/talent/imports/${importId}/confirm`)).status).toBe(404);
    expect((await member.get(`/talent/imports/${importId}`)).status).toBe(403);
    // A secretary names another branch for the import: it does not exist for them.
    const elsewhere = await secretary.post('/talent/imports', {
      fileName: 'x.xlsx',
      type: 'xlsx',
      sizeBytes: 10,
      branchId: other.branchId,
    });
    expect(elsewhere.status).toBe(404);

    const good = await upload(secretary, await workbook([person({ 姓名: mine, 所在支部: undefined })]));
    await checked(secretary, good);
    expect((await confirmed(secretary, good)).result).toEqual({ created: 1, skipped: 0 });
    expect((await peopleOf(own.branchId)).map((p) => p.name)).toContain(mine);
  });

  it('refuses whole files that are no workbook, carry macros, are zip bombs or are too large; reads GB18030 CSV', async () => {
    const refusal = async (bytes: Uint8Array, type: 'xlsx' | 'csv' = 'xlsx') =>
      (await checked(admin, await upload(admin, bytes, { type }))).refusal?.code;

    expect(await refusal(new TextEncoder().encode('姓名,性别\n张伟,男\n'))).toBe('not-a-workbook');

    const good = await workbook([person()]);
    const macro = await JSZip.loadAsync(good);
    macro.file('xl/vbaProject.bin', new Uint8Array(512).fill(7));
    expect(await refusal(await macro.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }))).toBe(
      'macros',
    );

    const bomb = await JSZip.loadAsync(good);
    bomb.file('xl/media/image1.bin', new Uint8Array(40 * 1024 * 1024));
    const bombBytes = await bomb.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    expect(bombBytes.byteLength).toBeLessThan(512 * 1024);
    expect(await refusal(bombBytes)).toBe('zip-bomb');

    expect(await refusal(new Uint8Array([0xff, 0xfe, 0x00, 0x41, 0x00, 0x42]), 'csv')).toBe(
      'unreadable-encoding',
    );
    expect(await refusal(await workbook([]))).toBe('no-rows');

    // The form itself holds S3 to 5 MB; a larger declaration is refused before any upload.
    const large = await admin.post('/talent/imports', {
      fileName: 'x.xlsx',
      type: 'xlsx',
      sizeBytes: 6 * 1024 * 1024,
    });
    expect(large.status).toBe(400);
    expect(large.body.error).toMatchObject({
      code: 'file-too-large',
      details: { limitBytes: 5 * 1024 * 1024 },
    });

    // GB18030, as Excel in Chinese saves "CSV": 姓名,性别,… in GBK bytes.
    const name = `陈${unique()}`;
    const csv = `姓名,性别,出生日期,部门,所在支部,政治面貌,现阶段起始日期\n${name},女,1988年8月8日,中药检验所,${branch.name},群众,2019-09-09\n`;
    const gb = Buffer.from(new TextEncoder().encode(csv));
    const encoded = await gb18030(csv);
    expect(encoded.equals(gb)).toBe(false);
    const importId = await upload(admin, encoded, { type: 'csv' });
    const report = await checked(admin, importId);
    expect(report).toMatchObject({ state: 'checked', totals: { rows: 1, valid: 1 } });
    await confirmed(admin, importId);
    expect((await peopleOf(branch.branchId)).find((p) => p.name === name)).toMatchObject({
      birthDate: '1988-08-08',
      gender: 'female',
    });
  });

  it('reads Excel serials in a 1904 workbook', async () => {
    const name = `苹果${unique()}`;
    // 31,533 days after 1904-01-01 is 1990-05-02.
    const importId = await upload(
      admin,
      await workbook([person({ 姓名: name, 出生日期: 31_533 })], { date1904: true }),
    );
    expect((await checked(admin, importId)).totals?.valid).toBe(1);
    await confirmed(admin, importId);
    expect((await peopleOf(branch.branchId)).find((p) => p.name === name)).toMatchObject({
      birthDate: '1990-05-02',
    });
  });

  it('hands out a template with dropdowns and a sheet explaining each column', async () => {
    const res = await admin.get('/talent/imports/template.xlsx');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    const sheets = await sheetsOf(res.bytes);
    expect(Object.keys(sheets)).toEqual(['人员名册', '填写说明']);
    expect(sheets.人员名册?.[0]).toContain('政治面貌');
    expect(sheets.填写说明?.map((r) => r[0])).toContain('历史佐证类型');
    const sheet = (await readWorkbook(res.bytes)).getWorksheet('人员名册');
    expect(sheet?.getCell('B2').dataValidation).toMatchObject({ type: 'list', formulae: ['"男,女"'] });
  });
});

/** GB18030 bytes of a text (Node has a decoder only): each character found by decoding candidates. */
const gb18030 = async (text: string): Promise<Buffer> => {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, number[]>();
  for (let lead = 0x81; lead <= 0xfe; lead += 1) {
    for (let trail = 0x40; trail <= 0xfe; trail += 1) {
      if (trail === 0x7f) continue;
      const ch = decoder.decode(new Uint8Array([lead, trail]));
      if (!table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) bytes.push(ch.charCodeAt(0));
    else {
      const code = table.get(ch);
      if (!code) throw new Error(`no GB18030 two-byte code for ${ch}`);
      bytes.push(...code);
    }
  }
  return Buffer.from(bytes);
};
