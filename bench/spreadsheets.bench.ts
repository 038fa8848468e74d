/**
 * 11. Spreadsheets, as the institution meets them:
 *   - an export of a branch's 三会一课 register (台账) for a year, on the demo institution
 *     (a year of meetings with attendance and evidence): time per request, size, what it read;
 *   - an import of 5,000 people from a workbook: the upload's dry run (upload to report) and
 *     the confirmed import (confirm to the last person created), with the write units both took.
 * On the local runtime in this process (DynamoDB Local on Java, the S3 server): the figures
 * compare changes to our code, they are not what AWS would answer.
 */
import ExcelJS from 'exceljs';
import { postToPresignedForm } from '../infra/local/presigned-post.js';
import { demoScale, seedInstitution } from '../infra/local/seed/institution.js';
import { registerColumns } from '../services/talent/domain/register-sheet.js';
import { newId } from '../shared/ids.js';
import { XLSX_TYPE } from '../shared/spreadsheets/workbook.js';
import { type Platform, startPlatform } from './support/platform.js';
import { ascending, percentile, printTable, round, saveResults } from './support/report.js';

const NOW = '2026-11-26T10:00:00+08:00';
const YEAR = 2026;
const EXPORT_SAMPLES = 5;
/** `BENCH_IMPORT_ROWS=500` for a quick look; the figure is 5,000. */
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 5000);
const BRANCHES = 8;

/** The workbook's bytes from a route that answers one (following a 303 to its presigned GET). */
const fetchFile = async (p: Platform, path: string, token: string) => {
  const started = performance.now();
  const res = await fetch(`${p.url}${path}`, { headers: p.headers({ token, now: NOW }) });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${bytes.toString('utf8').slice(0, 300)}`);
  return { ms: performance.now() - started, bytes };
};

const registerExport = async (p: Platform) => {
  await seedInstitution({ url: p.url, dataDir: p.dataDir, scale: demoScale, now: new Date(NOW) });
  await p.runtime.settle();
  const committee = await p.token({ roles: ['committee'], sub: newId() });
  const seeded = await p.expect(200, 'GET', '/talent/branches', { token: committee, now: NOW });
  const branches = (seeded.body.items as { branchId: string; name: string }[]).slice(0, 4);
  const rows: (string | number)[][] = [];
  const figures = [];
  for (const branch of branches) {
    const path = `/activities/exports/register.xlsx?branchId=${branch.branchId}&year=${YEAR}`;
    const times: number[] = [];
    let bytes = 0;
    p.meter.take();
    for (let i = 0; i < EXPORT_SAMPLES; i++) {
      const got = await fetchFile(p, path, committee);
      times.push(got.ms);
      bytes = got.bytes.length;
    }
    const usage = p.meter.take();
    const meetings = await p.expect(200, 'GET', `/activities?branchId=${branch.branchId}&limit=100`, {
      token: committee,
      now: NOW,
    });
    const sorted = ascending(times);
    const figure = {
      branch: branch.name,
      meetings: (meetings.body.items as unknown[]).length,
      p50Ms: round(percentile(sorted, 0.5)),
      maxMs: round(sorted.at(-1) ?? 0),
      kb: round(bytes / 1024),
      readUnits: round(usage.readUnits / EXPORT_SAMPLES, 2),
      calls: round(usage.calls / EXPORT_SAMPLES, 1),
      scans: usage.scans,
    };
    figures.push(figure);
    rows.push([
      figure.branch,
      figure.meetings,
      figure.p50Ms,
      figure.maxMs,
      figure.kb,
      figure.readUnits,
      figure.calls,
      figure.scans,
    ]);
  }
  printTable(
    `A year's 三会一课 register as .xlsx (${YEAR}), ${EXPORT_SAMPLES} requests each, one at a time`,
    ['branch', 'meetings (first page)', 'p50 ms', 'max ms', 'KB', 'read units', 'DynamoDB calls', 'scans'],
    rows,
  );
  return figures;
};

/** 5,000 people of eight branches as a person fills the template: every one new, names and birth dates distinct. */
const importWorkbook = async (branchNames: readonly string[]): Promise<Uint8Array> => {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('人员名册');
  sheet.addRow(registerColumns.map((c) => c.header));
  for (let i = 0; i < IMPORT_ROWS; i++) {
    const row: Record<string, string> = {
      姓名: `导入基准${i}`,
      性别: i % 2 ? '男' : '女',
      出生日期: `19${60 + (i % 40)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      部门: '基准检验室',
      所在支部: branchNames[i % branchNames.length] as string,
      政治面貌: '群众',
      现阶段起始日期: '2020-01-01',
    };
    sheet.addRow(registerColumns.map((c) => row[c.header] ?? null));
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
};

/** Polls the import until `done` holds (a 5,000-row import takes minutes here). */
const waitFor = async (p: Platform, token: string, importId: string, done: (body: any) => boolean) => {
  for (;;) {
    const r = await p.expect(200, 'GET', `/talent/imports/${importId}?limit=1`, { token, now: NOW });
    if (done(r.body)) return r.body;
    if (r.body.state === 'refused') throw new Error(`import refused: ${JSON.stringify(r.body.refusal)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

const importPeople = async (p: Platform) => {
  const committee = await p.token({ roles: ['committee'], sub: newId() });
  const names: string[] = [];
  for (let b = 0; b < BRANCHES; b++) {
    const name = `导入基准支部${b}`;
    await p.expect(201, 'POST', '/talent/branches', { token: committee, now: NOW, body: { name } });
    names.push(name);
  }
  const bytes = await importWorkbook(names);
  p.meter.take();
  const started = performance.now();
  const made = await p.expect(201, 'POST', '/talent/imports', {
    token: committee,
    now: NOW,
    body: { fileName: '名册.xlsx', type: 'xlsx', sizeBytes: bytes.byteLength },
  });
  const posted = await postToPresignedForm(made.body.upload, bytes, XLSX_TYPE);
  if (posted.status !== 204) throw new Error(`upload answered ${posted.status}`);
  const checked = await waitFor(p, committee, made.body.importId, (b) => b.state !== 'uploading');
  const dryRunMs = performance.now() - started;
  const dryRun = p.meter.take();
  if (checked.totals?.valid !== IMPORT_ROWS) throw new Error(`dry run: ${JSON.stringify(checked.totals)}`);
  const confirmedAt = performance.now();
  await p.expect(202, 'POST', `/talent/imports/${made.body.importId}/confirm`, {
    token: committee,
    now: NOW,
  });
  const imported = await waitFor(p, committee, made.body.importId, (b) => b.state === 'imported');
  const importMs = performance.now() - confirmedAt;
  // What the registrations caused elsewhere (copies of the register, accounts, notices) too.
  await p.runtime.settle();
  const settledMs = performance.now() - confirmedAt;
  const confirm = p.meter.take();
  const figures = {
    rows: IMPORT_ROWS,
    fileKb: round(bytes.byteLength / 1024),
    dryRunS: round(dryRunMs / 1000),
    importS: round(importMs / 1000),
    settledS: round(settledMs / 1000),
    created: imported.result?.created,
    dryRunWriteUnits: round(dryRun.writeUnits),
    importWriteUnits: round(confirm.writeUnits),
    writeUnitsPerPerson: round(confirm.writeUnits / IMPORT_ROWS, 1),
    scans: dryRun.scans + confirm.scans,
  };
  printTable(
    `Importing ${IMPORT_ROWS} people from one workbook (${figures.fileKb} KB), every row new`,
    ['step', 'seconds', 'write units', 'note'],
    [
      ['upload → dry-run report', figures.dryRunS, figures.dryRunWriteUnits, 'read, parse, check, keep rows'],
      ['confirm → imported', figures.importS, '', `${figures.created} people in chunks of 25`],
      [
        'confirm → platform settled',
        figures.settledS,
        figures.importWriteUnits,
        `every service's copy too: ${figures.writeUnitsPerPerson} units a person`,
      ],
    ],
  );
  return figures;
};

export const run = async () => {
  const p = await startPlatform();
  try {
    // `BENCH_SHEETS=import` skips the demo seed the register needs (about three minutes).
    const only = process.env.BENCH_SHEETS;
    if (only !== 'import') saveResults('spreadsheetsRegister', { register: await registerExport(p) });
    if (only !== 'register') saveResults('spreadsheetsImport', await importPeople(p));
  } finally {
    await p.stop();
  }
};
