/**
 * 11. Spreadsheets, as the institution meets them:
 *   - an export of a branch's 三会一课 register (台账) for a year, on the demo institution
 *     (a year of meetings with attendance and evidence): time per request, size, what it read;
 *   - an import of 5,000 people from a workbook: the upload's dry run (upload to report) and
 *     the confirmed import (confirm to the last person created), with the write units both took.
 * On the local runtime in this process (DynamoDB Local on Java, the S3 server): the figures
 * compare changes to our code, they are not what AWS would answer.
 */
import { demoScale, seedInstitution } from '../infra/local/seed/institution.js';
import { newId } from '../shared/ids.js';
import { type Platform, startPlatform } from './support/platform.js';
import { ascending, percentile, printTable, round, saveResults } from './support/report.js';

const NOW = '2026-11-26T10:00:00+08:00';
const YEAR = 2026;
const EXPORT_SAMPLES = 5;

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

export const run = async () => {
  const p = await startPlatform();
  try {
    const register = await registerExport(p);
    saveResults('spreadsheets', { register });
  } finally {
    await p.stop();
  }
};
