/**
 * 7. Scale: the same routes at 400, 4,000 and 40,000 people (a hundred to a branch, as an
 * institution grows by branches). Every list and insight must stay a Query, never a Scan;
 * the table shows what one request reads, so a cost that grows with the table is plain to
 * see next to one that stays flat.
 *
 * What it runs on, and why: the people are loaded in bulk with the services' own item
 * builders and backfills (support/bulk.ts), and each request goes to the service's own HTTP
 * Lambda handler (the whole stack: routing, parsing, the caller from the JWT claims, error
 * mapping) as API Gateway hands it over, on talent's and activities' tables in a DynamoDB
 * Local of its own, created from the descriptions but without streams.
 * Through the API, people enter at about 100 a second here; and DynamoDB Local's streams
 * make a bulk load quadratic (it rolls a stream's shard over and every write to the new
 * shard pays for the records of the others: 40,000 people had not loaded after 7 minutes).
 * What a request reads does not depend on either; the api bench measures the whole path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureCursorKey } from '../infra/local/cursor-key.js';
import { ensureTable, startDynamoDbLocal } from '../infra/local/dynamodb-local.js';
import { tableInput } from '../infra/local/tables.js';
import { activitiesService } from '../services/activities/service.js';
import type { Person } from '../services/talent/domain/person.js';
import { talentService } from '../services/talent/service.js';
import { createServiceContext, type ServiceContext } from '../shared/context.js';
import { newId } from '../shared/ids.js';
import type { ServiceDescription } from '../shared/service.js';
import { invoke } from '../test/support/http-event.js';
import { type BulkLoad, loadPeople } from './support/bulk.js';
import { CapacityMeter } from './support/capacity.js';
import { pool } from './support/platform.js';
import { ascending, percentile, printTable, round, saveResults } from './support/report.js';

const NOW = '2026-11-26T10:00:00+08:00';
const PEOPLE_PER_BRANCH = 100;
/** `BENCH_SCALE=400,4000` runs fewer steps (a quick look); the default is the three. */
const STEPS = (process.env.BENCH_SCALE ?? '400,4000,40000').split(',').map(Number);
const SAMPLES = 3;
/**
 * Twenty people of a branch: a fifth in the pipeline (applicant to probationary), as in a
 * testing institute's branch, most others full members, some not in the party (群众).
 */
const STAGES = [
  ...Array<'masses'>(4).fill('masses'),
  'applicant',
  'activist',
  'candidate',
  'probationary',
  ...Array<'full'>(12).fill('full'),
] as const;
const REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/** The committee member every request comes from. */
const COMMITTEE = newId();

interface Measured {
  people: number;
  branches: number;
  route: string;
  scope: 'institution' | 'branch';
  p50Ms: number;
  readUnits: number;
  itemsRead: number;
  queries: number;
  calls: number;
  scans: number;
}

const personAt = (branchId: string, i: number): Person => {
  const stage = STAGES[i % STAGES.length] as (typeof STAGES)[number];
  return {
    personId: newId(),
    version: 1,
    name: `规模${i}`,
    gender: i % 2 ? 'male' : 'female',
    birthDate: `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
    department: '规模检验室',
    branchId,
    politicalStatus: stage,
    statusSince: stage === 'full' ? '2015-07-01' : '2024-01-01',
    createdAt: NOW,
    updatedAt: NOW,
  };
};

const routesAt = (branchId: string) =>
  [
    { service: talentService, path: '/talent/insights/age-structure', scope: 'institution', query: {} },
    { service: talentService, path: '/talent/insights/pipeline', scope: 'institution', query: {} },
    {
      service: activitiesService,
      path: '/activities/insights/compliance',
      scope: 'institution',
      query: {},
    },
    { service: talentService, path: '/talent/branches', scope: 'institution', query: {} },
    {
      service: talentService,
      path: '/talent/insights/age-structure',
      scope: 'branch',
      query: { branchId },
    },
    {
      service: activitiesService,
      path: '/activities/insights/participation',
      scope: 'branch',
      query: { branchId },
    },
    { service: talentService, path: '/talent/people', scope: 'branch', query: { branchId } },
    { service: talentService, path: '/talent/people', scope: 'institution', query: {} },
  ] as const;

type Contexts = Record<'talent' | 'activities', ServiceContext>;

/** A committee request through the service's whole HTTP Lambda, on the bench's tables. */
const call = async (
  contexts: Contexts,
  service: ServiceDescription,
  method: string,
  path: string,
  input: { query?: Record<string, string>; body?: unknown } = {},
) => {
  const res = await invoke(service, contexts[service.name as keyof Contexts], {
    method,
    path,
    ...input,
    caller: { sub: COMMITTEE, groups: ['committee'] },
    now: NOW,
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as unknown;
};

const measure = async (
  meter: CapacityMeter,
  contexts: Contexts,
  service: ServiceDescription,
  path: string,
  query: Record<string, string>,
) => {
  const latencies: number[] = [];
  const usage = { readUnits: 0, itemsRead: 0, queries: 0, calls: 0, scans: 0 };
  for (let i = 0; i < SAMPLES; i++) {
    meter.take();
    const started = performance.now();
    await call(contexts, service, 'GET', path, { query });
    latencies.push(performance.now() - started);
    const u = meter.take();
    usage.readUnits += u.readUnits / SAMPLES;
    usage.itemsRead += u.itemsRead / SAMPLES;
    usage.queries += u.queries / SAMPLES;
    usage.calls += u.calls / SAMPLES;
    usage.scans += u.scans;
  }
  return { p50Ms: round(percentile(ascending(latencies), 0.5)), ...usage };
};

export const run = async () => {
  const meter = new CapacityMeter();
  const uninstall = meter.install();
  const db = await startDynamoDbLocal({ inMemory: true });
  // The lists' next pages are sealed with a key, as in the runtime.
  const keyDir = await mkdtemp(join(tmpdir(), 'dangjian-bench-'));
  try {
    const cursorKey = { file: await ensureCursorKey(keyDir) };
    const admin = new DynamoDBClient({ endpoint: db.endpoint, region: REGION, credentials: CREDENTIALS });
    const contexts = Object.fromEntries(
      [talentService, activitiesService].map((service) => [
        service.name,
        createServiceContext({
          service: service.name,
          stage: 'bench',
          tableName: `dangjian-bench-${service.name}`,
          busName: 'unused',
          uploadLimitBytes: 1,
          logLevel: 'SILENT',
          aws: { region: REGION, endpoints: { dynamodb: db.endpoint }, credentials: CREDENTIALS },
          cursorKey,
        }),
      ]),
    ) as Contexts;
    for (const service of [talentService, activitiesService]) {
      const { StreamSpecification: _noStream, ...input } = tableInput(
        `dangjian-bench-${service.name}`,
        service.table,
      );
      await admin.send(new DeleteTableCommand({ TableName: input.TableName })).catch(() => undefined);
      await ensureTable(admin, input);
    }

    const branchIds: string[] = [];
    const rows: Measured[] = [];
    const loads: (BulkLoad & { step: number; branchesCreated: number })[] = [];
    let people = 0;
    for (const target of STEPS) {
      const started = performance.now();
      const before = branchIds.length;
      // Branches through talent's own route, so every branch item is the service's.
      await pool(Math.ceil(target / PEOPLE_PER_BRANCH) - before, 8, async (k) => {
        const created = await call(contexts, talentService, 'POST', '/talent/branches', {
          body: { name: `规模支部${before + k + 1}` },
        });
        branchIds[before + k] = (created as { branchId: string }).branchId;
      });
      const loaded = await loadPeople(
        contexts,
        Array.from({ length: target - people }, (_, k) =>
          personAt(branchIds[Math.floor((people + k) / PEOPLE_PER_BRANCH)] as string, people + k),
        ),
      );
      loads.push({ step: target, branchesCreated: branchIds.length - before, ...loaded });
      people = target;
      console.log(
        `  ${target} people in ${branchIds.length} branches (+${loaded.people} people, ${loaded.items} items in ${loaded.seconds} s, tallies rebuilt in ${loaded.tallies.seconds} s; step ${round((performance.now() - started) / 1000)} s)`,
      );
      meter.label = `scale ${target}`;
      for (const r of routesAt(branchIds[0] as string)) {
        rows.push({
          people: target,
          branches: branchIds.length,
          route: `GET ${r.path}${r.scope === 'branch' ? '?branchId' : ''}`,
          scope: r.scope,
          ...(await measure(meter, contexts, r.service, r.path, r.query)),
        });
      }
    }
    const scans = meter.scans;
    const routes = [...new Set(rows.map((r) => r.route))];
    const cell = (route: string, n: number, pick: (m: Measured) => number) => {
      const m = rows.find((r) => r.route === route && r.people === n);
      return m ? pick(m) : undefined;
    };
    printTable(
      `7. Scale: one request at ${STEPS.join(' / ')} people (${PEOPLE_PER_BRANCH} to a branch, a fifth in the pipeline); items read, RRU and the HTTP Lambda's p50 ms; Scans: ${scans.length}`,
      ['route', 'scope', ...STEPS.flatMap((n) => [`items @${n}`, `RRU @${n}`, `ms @${n}`])],
      routes.map((route) => [
        route,
        rows.find((r) => r.route === route)?.scope,
        ...STEPS.flatMap((n) => [
          cell(route, n, (m) => round(m.itemsRead)),
          cell(route, n, (m) => round(m.readUnits, 1)),
          cell(route, n, (m) => m.p50Ms),
        ]),
      ]),
    );
    saveResults('scale', {
      steps: STEPS,
      peoplePerBranch: PEOPLE_PER_BRANCH,
      samples: SAMPLES,
      loads,
      rows,
      scans,
    });
    if (scans.length > 0) {
      console.error(`\nSCAN ON A REQUEST PATH: ${JSON.stringify(scans)}`);
      process.exitCode = 1;
    }
    admin.destroy();
  } finally {
    uninstall();
    await db.stop();
    await rm(keyDir, { recursive: true, force: true });
  }
};
