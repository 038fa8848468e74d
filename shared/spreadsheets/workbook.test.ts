import { describe, expect, it } from 'vitest';
import { readWorkbook, recordsOf, sheetsOf } from '../../test/support/xlsx.js';
import { displayWidth, writeWorkbook } from './workbook.js';

interface Row {
  name: string;
  born: string;
  gender: string;
  count?: number;
}

const columns = [
  { header: '姓名', value: (r: Row) => r.name },
  { header: '出生日期', value: (r: Row) => ({ date: r.born }) },
  { header: '性别', value: (r: Row) => r.gender, choices: ['男', '女'] },
  { header: '次数', value: (r: Row) => r.count },
];

describe('writeWorkbook', () => {
  it('writes Chinese headers, real dates and empty cells, and reads back the same rows', async () => {
    const rows: Row[] = [
      { name: '张伟', born: '1990-05-12', gender: '男', count: 3 },
      { name: '=cmd|"/c calc"!A1', born: '2000-02-29', gender: '女' },
    ];
    const bytes = await writeWorkbook([{ name: '人员名册', columns, rows }]);
    const sheets = await sheetsOf(bytes);
    expect(recordsOf(sheets.人员名册 ?? [])).toEqual([
      { 姓名: '张伟', 出生日期: '1990-05-12', 性别: '男', 次数: 3 },
      // A text that looks like a formula stays a text: an .xlsx string cell is never evaluated.
      { 姓名: '=cmd|"/c calc"!A1', 出生日期: '2000-02-29', 性别: '女', 次数: undefined },
    ]);
    const sheet = (await readWorkbook(bytes)).getWorksheet('人员名册');
    expect(sheet?.getCell('A3').formula).toBeUndefined();
    expect(sheet?.getCell('B2').value).toBeInstanceOf(Date);
  });

  it('freezes the header row, sizes columns for CJK headers and puts dropdowns on the rows to fill', async () => {
    const bytes = await writeWorkbook([{ name: '模板', columns, rows: [], blankRows: 100 }]);
    const sheet = (await readWorkbook(bytes)).getWorksheet('模板');
    expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet?.getColumn(2).width).toBeGreaterThanOrEqual(displayWidth('出生日期'));
    expect(sheet?.getCell('C101').dataValidation).toMatchObject({ type: 'list', formulae: ['"男,女"'] });
    expect(sheet?.getCell('C102').dataValidation).toBeUndefined();
    expect(sheet?.getCell('A50').dataValidation).toBeUndefined();
  });
});
