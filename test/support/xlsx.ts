/**
 * Reads a workbook an export answered, as a person opening it would see it: each sheet's rows
 * of cell values (dates as `YYYY-MM-DD`, empty cells as `undefined`), the header row first.
 */
import ExcelJS from 'exceljs';

export type Cell = string | number | boolean | undefined;

const cellValue = (value: ExcelJS.CellValue): Cell => {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return String(value.text);
    if ('result' in value) return cellValue(value.result as ExcelJS.CellValue);
    return JSON.stringify(value);
  }
  return value;
};

export const readWorkbook = async (bytes: Uint8Array): Promise<ExcelJS.Workbook> => {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return workbook;
};

/** Every sheet's rows by sheet name. */
export const sheetsOf = async (bytes: Uint8Array): Promise<Record<string, Cell[][]>> => {
  const workbook = await readWorkbook(bytes);
  const sheets: Record<string, Cell[][]> = {};
  for (const sheet of workbook.worksheets) {
    const rows: Cell[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      const cells: Cell[] = [];
      for (let i = 1; i <= sheet.columnCount; i += 1) cells.push(cellValue(row.getCell(i).value));
      rows.push(cells);
    });
    sheets[sheet.name] = rows;
  }
  return sheets;
};

/** One sheet's data rows as records keyed by the header row's texts. */
export const recordsOf = (rows: Cell[][]): Record<string, Cell>[] => {
  const [header = [], ...data] = rows;
  return data.map((cells) => Object.fromEntries(header.map((h, i) => [String(h), cells[i]])));
};
