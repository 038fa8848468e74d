/**
 * Reading an uploaded register (.xlsx or CSV) into raw rows, or refusing the whole file with
 * a code. A workbook's zip directory is read first (jszip, which inflates nothing until
 * asked): macros, a zip bomb or something that is no workbook are refused before exceljs
 * inflates a byte. Formulas are never evaluated: a formula cell is reported as such.
 */
import { parseString } from '@fast-csv/parse';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { type FileRefusal, IMPORT_LIMITS, type ImportLimits, type RawCell, type RawRow } from './imports.js';
import { type RegisterField, registerColumns } from './register-sheet.js';

export type ImportFileType = 'xlsx' | 'csv';

export type ReadFile = { refused: FileRefusal; detail?: string } | { rows: RawRow[]; date1904: boolean };

type Limits = ImportLimits;

/** jszip keeps each entry's sizes from the central directory on `_data` (not in its typings). */
interface Sized {
  _data?: { compressedSize?: number; uncompressedSize?: number };
}

/**
 * What the zip says it holds, and then what it actually inflates to: entries may understate
 * their size, so each is inflated as a stream and counted, and the count stops the read as
 * soon as the total passes the limit.
 */
const checkZip = async (bytes: Uint8Array, limits: Limits): Promise<FileRefusal | JSZip> => {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes, { checkCRC32: false });
  } catch {
    return 'not-a-workbook';
  }
  const entries = Object.values(zip.files).filter((f) => !f.dir);
  const names = new Set(entries.map((f) => f.name));
  if (!names.has('xl/workbook.xml') || !names.has('[Content_Types].xml')) return 'not-a-workbook';
  if ([...names].some((n) => /vbaProject\.bin$/i.test(n))) return 'macros';
  const contentTypes = await zip.file('[Content_Types].xml')?.async('string');
  if (contentTypes && /macroEnabled|vbaProject/i.test(contentTypes)) return 'macros';
  let declared = 0;
  for (const f of entries) declared += (f as unknown as Sized)._data?.uncompressedSize ?? 0;
  if (declared > limits.maxUncompressedBytes || declared > bytes.length * limits.maxRatio) return 'zip-bomb';
  let inflated = 0;
  for (const f of entries) {
    const over = await new Promise<boolean>((resolve, reject) => {
      const stream = f.nodeStream('nodebuffer') as NodeJS.ReadableStream & { destroy?: () => void };
      stream
        .on('data', (chunk: Uint8Array) => {
          inflated += chunk.length;
          if (inflated > limits.maxUncompressedBytes || inflated > bytes.length * limits.maxRatio) {
            stream.pause();
            stream.removeAllListeners('data');
            resolve(true);
          }
        })
        .on('error', reject)
        .on('end', () => resolve(false));
    }).catch(() => 'broken' as const);
    if (over === 'broken') return 'not-a-workbook';
    if (over) return 'zip-bomb';
  }
  return zip;
};

const headerField = new Map(registerColumns.map((c) => [c.header, c.field]));

/** Maps the header row's texts to the register's fields; every required column must be there. */
const headerMap = (headers: readonly (string | undefined)[]): Map<number, RegisterField> | FileRefusal => {
  const map = new Map<number, RegisterField>();
  headers.forEach((h, i) => {
    const field = h === undefined ? undefined : headerField.get(h.trim());
    if (field) map.set(i, field);
  });
  const present = new Set(map.values());
  return registerColumns.every((c) => !c.required || present.has(c.field)) ? map : 'missing-columns';
};

const missingColumns = (headers: readonly (string | undefined)[]): string =>
  registerColumns
    .filter((c) => c.required && !headers.some((h) => h?.trim() === c.header))
    .map((c) => c.header)
    .join('、');

const utcDate = (d: Date): string => {
  // exceljs reads a date cell as midnight UTC (an hour or so off for a time of day): the day is the UTC day, rounded.
  const rounded = new Date(Math.round(d.getTime() / 86_400_000) * 86_400_000);
  return rounded.toISOString().slice(0, 10);
};

const rawOf = (value: ExcelJS.CellValue): RawCell => {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? { error: 'date' } : { date: utcDate(value) };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if ('formula' in value || 'sharedFormula' in value) {
    const f = value as { formula?: string; sharedFormula?: string };
    return { formula: `=${f.formula ?? f.sharedFormula ?? ''}` };
  }
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('hyperlink' in value) {
    const text = (value as ExcelJS.CellHyperlinkValue).text as unknown;
    if (typeof text === 'string') return text;
    return rawOf(text as ExcelJS.CellValue);
  }
  if ('error' in value) return { error: String(value.error) };
  return undefined;
};

const textOfHeader = (value: ExcelJS.CellValue): string | undefined => {
  const raw = rawOf(value);
  return typeof raw === 'string' ? raw : raw === undefined ? undefined : String(raw);
};

const isEmpty = (cells: Partial<Record<RegisterField, RawCell>>): boolean =>
  Object.values(cells).every((c) => c === undefined || (typeof c === 'string' && c.trim() === ''));

const readWorkbook = async (bytes: Uint8Array, limits: Limits): Promise<ReadFile> => {
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) {
    return { refused: 'not-a-workbook' };
  }
  const zip = await checkZip(bytes, limits);
  if (typeof zip === 'string') return { refused: zip };
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch {
    return { refused: 'not-a-workbook' };
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return { refused: 'no-rows' };
  const headerRow = sheet.getRow(1);
  const headers: (string | undefined)[] = [];
  for (let i = 1; i <= Math.max(headerRow.cellCount, registerColumns.length); i += 1) {
    headers.push(textOfHeader(headerRow.getCell(i).value));
  }
  const map = headerMap(headers);
  if (typeof map === 'string') return { refused: map, detail: missingColumns(headers) };
  const rows: RawRow[] = [];
  let tooMany = false;
  sheet.eachRow((row, number) => {
    if (number === 1 || tooMany) return;
    const cells: Partial<Record<RegisterField, RawCell>> = {};
    for (const [index, field] of map) cells[field] = rawOf(row.getCell(index + 1).value);
    if (isEmpty(cells)) return;
    rows.push({ row: number, cells });
    if (rows.length > limits.maxRows) tooMany = true;
  });
  if (tooMany) return { refused: 'too-many-rows', detail: `> ${limits.maxRows}` };
  if (rows.length === 0) return { refused: 'no-rows' };
  return { rows, date1904: workbook.properties.date1904 === true };
};

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * A CSV's text. A BOM says UTF-8; without one, UTF-8 is tried strictly first, then GB18030:
 * Chinese text in GB18030 is practically never valid UTF-8 (its lead bytes 0x81–0xFE are
 * followed by bytes UTF-8 does not allow there), while UTF-8 Chinese decoded as GB18030
 * would be silent garbage, so the strict UTF-8 attempt decides. Neither, or NUL bytes (a
 * binary file), is `unreadable-encoding`.
 */
export const decodeCsv = (bytes: Uint8Array): string | undefined => {
  const bom = UTF8_BOM.every((b, i) => bytes[i] === b);
  const attempts: [string, Uint8Array][] = bom
    ? [['utf-8', bytes.subarray(3)]]
    : [
        ['utf-8', bytes],
        ['gb18030', bytes],
      ];
  for (const [encoding, body] of attempts) {
    try {
      const text = new TextDecoder(encoding, { fatal: true }).decode(body);
      return text.includes('\u0000') ? undefined : text;
    } catch {
      // the next encoding
    }
  }
  return undefined;
};

const readCsv = async (bytes: Uint8Array, limits: Limits): Promise<ReadFile> => {
  const text = decodeCsv(bytes);
  if (text === undefined) return { refused: 'unreadable-encoding' };
  const records: string[][] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const stream = parseString<string[], string[]>(text, { ignoreEmpty: false, trim: false });
      stream
        .on('data', (record: string[]) => {
          records.push(record);
          // The header, the rows allowed, and one more to know there are too many.
          if (records.length > limits.maxRows + 1) stream.destroy();
        })
        .on('error', reject)
        .on('end', () => resolve())
        .on('close', () => resolve());
    });
  } catch {
    return { refused: 'unreadable-encoding' };
  }
  const [headers = [], ...data] = records;
  const map = headerMap(headers);
  if (typeof map === 'string') return { refused: map, detail: missingColumns(headers) };
  if (data.length > limits.maxRows) return { refused: 'too-many-rows', detail: `> ${limits.maxRows}` };
  const rows: RawRow[] = [];
  data.forEach((record, i) => {
    const cells: Partial<Record<RegisterField, RawCell>> = {};
    for (const [index, field] of map) {
      const cell = record[index];
      // Excel would evaluate a CSV cell starting with "=" on opening: reported as a formula too.
      if (cell === undefined || cell.trim() === '') cells[field] = undefined;
      else cells[field] = cell.trimStart().startsWith('=') ? { formula: cell.trim() } : cell;
    }
    if (!isEmpty(cells)) rows.push({ row: i + 2, cells });
  });
  if (rows.length === 0) return { refused: 'no-rows' };
  return { rows, date1904: false };
};

/** The file's rows, or the reason the whole file is refused. */
export const readImportFile = async (
  bytes: Uint8Array,
  type: ImportFileType,
  limits: Limits = IMPORT_LIMITS,
): Promise<ReadFile> => {
  if (bytes.length > limits.maxBytes) return { refused: 'too-large' };
  return type === 'xlsx' ? readWorkbook(bytes, limits) : readCsv(bytes, limits);
};
