import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { decodeCsv, readImportFile } from './import-file.js';
import {
  dryRun,
  type ImportContext,
  naturalKeyOf,
  type RawRow,
  serialToDate,
  textToDate,
} from './imports.js';
import { registerColumns } from './register-sheet.js';

describe('dates', () => {
  it('reads Excel serials in the 1900 system, with its 1900-02-29 that never was', () => {
    expect(serialToDate(1)).toBe('1900-01-01');
    expect(serialToDate(59)).toBe('1900-02-28');
    expect(serialToDate(60)).toBeUndefined();
    expect(serialToDate(61)).toBe('1900-03-01');
    expect(serialToDate(32_995)).toBe('1990-05-02');
    expect(serialToDate(45_000.75)).toBe('2023-03-15');
    expect(serialToDate(0)).toBeUndefined();
    expect(serialToDate(19_900_512)).toBeUndefined();
  });

  it('reads serials in the 1904 system', () => {
    expect(serialToDate(0, true)).toBe('1904-01-01');
    expect(serialToDate(31_533, true)).toBe('1990-05-02');
  });

  it('reads dates typed as text in the forms people type them, and nothing else', () => {
    expect(textToDate('1990-05-12')).toBe('1990-05-12');
    expect(textToDate('1990/5/12')).toBe('1990-05-12');
    expect(textToDate('1990年5月12日')).toBe('1990-05-12');
    expect(textToDate(' 1990.5.2 ')).toBe('1990-05-02');
    expect(textToDate('1990-02-30')).toBeUndefined();
    expect(textToDate('12/05/1990')).toBeUndefined();
    expect(textToDate('19900512')).toBeUndefined();
  });
});

describe('natural key', () => {
  it('is the name without spaces, in one width, and the birth date', () => {
    expect(naturalKeyOf('张 伟', '1990-05-12')).toBe(naturalKeyOf('张伟', '1990-05-12'));
    expect(naturalKeyOf('ＡＢＣ', '1990-05-12')).toBe(naturalKeyOf('abc', '1990-05-12'));
    expect(naturalKeyOf('张伟', '1990-05-12')).not.toBe(naturalKeyOf('张伟', '1990-05-13'));
  });
});

const ctx: ImportContext = {
  today: '2026-11-26',
  byCommittee: true,
  branches: [{ branchId: 'B1', name: '第一支部', partyGroups: [{ id: 'G1', name: '第一党小组' }] }],
  held: new Set([naturalKeyOf('老王', '1970-01-01')]),
};

const row = (n: number, cells: RawRow['cells']): RawRow => ({
  row: n,
  cells: {
    name: '张伟',
    gender: '男',
    birthDate: '1990-05-12',
    department: '化学药品检验所',
    branch: '第一支部',
    politicalStatus: '群众',
    statusSince: { date: '2020-01-01' },
    ...cells,
  },
});

describe('dry run', () => {
  it('registers good rows and names every bad one by row, column and code', () => {
    const report = dryRun(
      [
        row(2, {}),
        row(3, { name: '李娜', birthDate: 32_995, gender: '女', phone: '138****5678' }),
        row(4, { name: '王五', birthDate: '1990-02-30' }),
        row(5, { name: '赵六', department: { formula: '=A1' } }),
        row(6, { name: '张 伟' }),
        row(7, { name: '老王', birthDate: '1970-01-01' }),
        row(8, { name: '孙七', branch: '不存在的支部' }),
        row(9, { name: '周八', politicalStatus: '正式党员' }),
        row(10, {
          name: '吴九',
          politicalStatus: '正式党员',
          statusSince: '2012-07-01',
          evidenceKind: '党员档案',
          evidenceReference: 'DA-1',
          evidenceIssuedOn: '2012-07-01',
        }),
        row(11, { name: '郑十', gender: '未知', partyGroup: '第二党小组' }),
      ],
      ctx,
      false,
    );
    expect(report.totals).toEqual({
      rows: 10,
      valid: 3,
      invalid: 6,
      needingCommittee: 1,
      alreadyRegistered: 1,
    });
    expect(report.people.map((p) => p.row)).toEqual([2, 3, 10]);
    expect(report.people[1]).toMatchObject({ birthDate: '1990-05-02', gender: 'female' });
    expect(report.people[1]?.phone).toBeUndefined();
    expect(report.people[2]?.history).toEqual({
      kind: 'party-file',
      reference: 'DA-1',
      issuedOn: '2012-07-01',
    });
    expect(report.issues.map((i) => [i.row, i.column, i.code, i.severity])).toEqual([
      [3, '手机', 'masked-value-ignored', 'notice'],
      [4, '出生日期', 'invalid-date', 'error'],
      [5, '部门', 'formula-in-cell', 'error'],
      [6, '姓名', 'duplicate-in-file', 'error'],
      [7, '姓名', 'already-registered', 'notice'],
      [8, '所在支部', 'unknown-branch', 'error'],
      [9, '政治面貌', 'registration-not-at-pipeline-start', 'error'],
      [10, '政治面貌', 'needs-committee-authority', 'notice'],
      [11, '性别', 'invalid-choice', 'error'],
    ]);
    expect(report.issues[1]?.message.zh).toContain('不是有效日期');
    expect(report.issues[1]?.message.en).toContain('Not a date');
  });

  it('gives a secretary their own branch only, and no history', () => {
    const secretary: ImportContext = {
      ...ctx,
      byCommittee: false,
      ownBranchId: 'B2',
      branches: [...ctx.branches, { branchId: 'B2', name: '第二支部', partyGroups: [] }],
    };
    const report = dryRun(
      [
        row(2, { branch: undefined }),
        row(3, { name: '甲', branch: '第一支部' }),
        row(4, { name: '乙', branch: undefined, politicalStatus: '入党积极分子' }),
      ],
      secretary,
      false,
    );
    expect(report.people.map((p) => [p.row, p.branchId])).toEqual([[2, 'B2']]);
    expect(report.issues.map((i) => [i.row, i.code])).toEqual([
      [3, 'unknown-branch'],
      [4, 'history-committee-only'],
    ]);
  });
});

const workbookOf = async (fill: (sheet: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void) => {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('人员名册');
  sheet.addRow(registerColumns.map((c) => c.header));
  fill(sheet, wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
};

describe('reading a file', () => {
  it('reads a workbook: real dates, serials in the 1904 system, formulas as formulas', async () => {
    const bytes = await workbookOf((sheet, wb) => {
      wb.properties.date1904 = true;
      sheet.addRow(['张伟', '男', new Date('1990-05-12T00:00:00Z'), '部门', '', '', '群众', 31_533]);
      sheet.addRow(['李娜', '女', '1990/5/12', { formula: 'A2' }, '', '', '群众', '2020年1月1日']);
    });
    const read = await readImportFile(bytes, 'xlsx');
    if (!('rows' in read)) throw new Error(JSON.stringify(read));
    expect(read.date1904).toBe(true);
    expect(read.rows[0]?.cells).toMatchObject({ birthDate: { date: '1990-05-12' }, statusSince: 31_533 });
    expect(read.rows[1]?.cells.department).toEqual({ formula: '=A2' });
  });

  it('refuses what is no workbook, macros, a zip bomb, too many rows and missing columns', async () => {
    expect(await readImportFile(new TextEncoder().encode('姓名,性别\n'), 'xlsx')).toEqual({
      refused: 'not-a-workbook',
    });
    const good = await workbookOf((sheet) => sheet.addRow(['张伟']));
    const macro = await JSZip.loadAsync(good);
    macro.file('xl/vbaProject.bin', new Uint8Array(100));
    const macroBytes = await macro.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    expect(await readImportFile(macroBytes, 'xlsx')).toEqual({ refused: 'macros' });
    const bomb = await JSZip.loadAsync(good);
    bomb.file('xl/media/zeros.bin', new Uint8Array(30 * 1024 * 1024));
    const bombBytes = await bomb.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    expect(bombBytes.length).toBeLessThan(1024 * 1024);
    expect(await readImportFile(bombBytes, 'xlsx')).toEqual({ refused: 'zip-bomb' });
    const many = await workbookOf((sheet) => {
      for (let i = 0; i < 6; i += 1) sheet.addRow([`人${i}`]);
    });
    expect(await readImportFile(many, 'xlsx', { ...limits, maxRows: 5 })).toMatchObject({
      refused: 'too-many-rows',
    });
    const headless = new ExcelJS.Workbook();
    headless.addWorksheet('x').addRow(['姓名', '性别']);
    const noColumns = new Uint8Array(await headless.xlsx.writeBuffer());
    expect(await readImportFile(noColumns, 'xlsx')).toMatchObject({ refused: 'missing-columns' });
  });

  it('decodes CSV as UTF-8 (with or without a BOM) or GB18030', () => {
    const text = '姓名,性别\n张伟,男\n';
    const utf8 = new TextEncoder().encode(text);
    expect(decodeCsv(utf8)).toBe(text);
    expect(decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]))).toBe(text);
    // 张伟 in GB18030 (GBK): D5C5 CEB0; 男 C4D0; 姓名 D0D5 C3FB; 性别 D0D4 B1F0.
    const gb = new Uint8Array([
      0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0xd0, 0xd4, 0xb1, 0xf0, 0x0a, 0xd5, 0xc5, 0xce, 0xb0, 0x2c, 0xc4, 0xd0,
      0x0a,
    ]);
    expect(decodeCsv(gb)).toBe(text);
    expect(decodeCsv(new Uint8Array([0x00, 0x01, 0xff]))).toBeUndefined();
  });
});

const limits = {
  maxBytes: 5 * 1024 * 1024,
  maxRows: 5000,
  maxUncompressedBytes: 100 * 1024 * 1024,
  maxRatio: 200,
};
