/** Helpers for imports and exports of the register: workbooks built with exceljs, uploaded with the presigned form. */
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import { registerColumns } from '../../services/talent/domain/register-sheet.js';
import { uploadWith } from '../resources/support.js';
import { DELIVERY_BUDGET_MS, until } from '../support/wait.js';
import { type Client, TODAY } from './support.js';

export type Row = Record<string, string | number | Date | { formula: string } | undefined>;

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A register as a person fills the template: the headers, then one row per record keyed by header. */
export const workbook = async (
  rows: readonly Row[],
  over: { date1904?: boolean } = {},
): Promise<Uint8Array> => {
  const wb = new ExcelJS.Workbook();
  if (over.date1904) wb.properties.date1904 = true;
  const sheet = wb.addWorksheet('人员名册');
  sheet.addRow(registerColumns.map((c) => c.header));
  for (const row of rows) sheet.addRow(registerColumns.map((c) => row[c.header] ?? null));
  return new Uint8Array(await wb.xlsx.writeBuffer());
};

export interface Report {
  importId: string;
  state: string;
  byCommittee: boolean;
  refusal?: { code: string; message: { zh: string; en: string }; detail?: string };
  totals?: {
    rows: number;
    valid: number;
    invalid: number;
    needingCommittee: number;
    alreadyRegistered: number;
  };
  result?: { created: number; skipped: number };
  issues: {
    row: number;
    column?: string;
    code: string;
    severity: string;
    message: { zh: string; en: string };
  }[];
  nextCursor?: string;
}

/** Starts an import, uploads the file with its form; the import's id. */
export const upload = async (
  client: Client,
  bytes: Uint8Array,
  { type = 'xlsx', now = TODAY, branchId }: { type?: 'xlsx' | 'csv'; now?: string; branchId?: string } = {},
): Promise<string> => {
  const res = await client.post(
    '/talent/imports',
    { fileName: `名册.${type}`, type, sizeBytes: bytes.byteLength, ...(branchId ? { branchId } : {}) },
    { now },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const { importId, upload: form } = res.body as {
    importId: string;
    upload: { url: string; fields: Record<string, string> };
  };
  const posted = await uploadWith(form, bytes, type === 'xlsx' ? XLSX : 'text/csv');
  expect(posted.status).toBe(204);
  return importId;
};

export const readReport = async (client: Client, importId: string, query = 'limit=500'): Promise<Report> => {
  const res = await client.get(`/talent/imports/${importId}?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Report;
};

/** Waits for the dry run (the import leaves `uploading`). */
export const checked = async (client: Client, importId: string): Promise<Report> => {
  let report: Report | undefined;
  await until(`import ${importId} checked`, DELIVERY_BUDGET_MS, async () => {
    report = await readReport(client, importId);
    return report.state !== 'uploading';
  });
  return report as Report;
};

/** Confirms and waits until every chunk ran. */
export const confirmed = async (client: Client, importId: string): Promise<Report> => {
  const res = await client.post(`/talent/imports/${importId}/confirm`, undefined, { now: TODAY });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  let report: Report | undefined;
  await until(`import ${importId} imported`, 60_000, async () => {
    report = await readReport(client, importId);
    return report.state === 'imported';
  });
  return report as Report;
};
