/**
 * Workbooks the institution opens in Excel or WPS: registers handed upward, the import
 * template. One way to lay a sheet out (Chinese headers, widths, a frozen header row, dates as
 * real dates), so every export of every service reads alike. Built with exceljs.
 */
import ExcelJS from 'exceljs';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** What a cell holds: a text, a number, a calendar date (`{ date: 'YYYY-MM-DD' }`), or nothing. */
export type CellValue = string | number | boolean | { date: string } | undefined;

export interface Column<Row> {
  /** The header, in Chinese as the institution's own registers have it. */
  header: string;
  /** Characters; a CJK character counts about two. Defaults to fit the header. */
  width?: number;
  value: (row: Row) => CellValue;
  /** A dropdown of the allowed values (the import template's enumerations). */
  choices?: readonly string[];
}

export interface SheetSpec<Row> {
  /** At most 31 characters, none of `\ / ? * [ ] :` (Excel's rule). */
  name: string;
  columns: readonly Column<Row>[];
  rows: Iterable<Row>;
  /** Rows the dropdowns cover beyond the data (a template's empty rows to fill in). */
  blankRows?: number;
}

const DATE_FORMAT = 'yyyy-mm-dd';

interface RangeValidations {
  dataValidations: { add: (range: string, validation: ExcelJS.DataValidation) => void };
}

/** Display width of a text in Excel's character units: CJK characters are double width. */
export const displayWidth = (text: string): number =>
  [...text].reduce((sum, ch) => sum + ((ch.codePointAt(0) ?? 0) > 0x2e7f ? 2 : 1), 0);

/** A calendar date as Excel stores it: midnight UTC, so no zone shifts the day. */
const excelDate = (isoDate: string): Date => new Date(`${isoDate}T00:00:00Z`);

const cellOf = (value: CellValue): ExcelJS.CellValue => {
  if (value === undefined) return null;
  if (typeof value === 'object') return excelDate(value.date);
  return value;
};

const columnLetter = (index: number): string => {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
};

// biome-ignore lint/suspicious/noExplicitAny: each sheet has its own row type
const addSheet = (workbook: ExcelJS.Workbook, spec: SheetSpec<any>): void => {
  const sheet = workbook.addWorksheet(spec.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = spec.columns.map((c) => ({
    header: c.header,
    width: c.width ?? Math.max(10, displayWidth(c.header) + 2),
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle' };
  let count = 0;
  for (const row of spec.rows) {
    const added = sheet.addRow(spec.columns.map((c) => cellOf(c.value(row))));
    spec.columns.forEach((c, i) => {
      const value = c.value(row);
      if (typeof value === 'object' && value !== null) added.getCell(i + 1).numFmt = DATE_FORMAT;
    });
    count += 1;
  }
  const last = 1 + count + (spec.blankRows ?? 0);
  spec.columns.forEach((c, i) => {
    if (!c.choices || last < 2) return;
    const letter = columnLetter(i);
    // exceljs keeps a range's validation whole; its typings name only the per-cell one.
    (sheet as unknown as RangeValidations).dataValidations.add(`${letter}2:${letter}${last}`, {
      type: 'list',
      allowBlank: true,
      // Excel's inline list: quoted, comma-separated, at most 255 characters.
      formulae: [`"${c.choices.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'stop',
      error: `请从下拉列表中选择：${c.choices.join('、')}`,
    });
  });
};

/** The workbook's bytes, one sheet per spec, in order. */
// biome-ignore lint/suspicious/noExplicitAny: each sheet has its own row type
export const writeWorkbook = async (sheets: readonly SheetSpec<any>[]): Promise<Uint8Array> => {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'dangjian';
  for (const spec of sheets) addSheet(workbook, spec);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
};
