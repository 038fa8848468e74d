/**
 * 7. Scale: the same routes at 400, 4,000 and 40,000 people (a hundred to a branch, as an
 * institution grows by branches), entered through the API at high concurrency. Every list
 * and insight must stay a Query, never a Scan; the table shows what one request reads, so a
 * cost that grows with the table is plain to see next to one that stays flat.
 */
import type { CapacityMeter } from './support/capacity.js';
import { type Platform, pool, startPlatform } from './support/platform.js';
import { ascending, percentile, printTable, round, saveResults } from './support/report.js';

const NOW = '2026-11-26T10:00:00+08:00';
const PEOPLE_PER_BRANCH = 100;
/** `BENCH_SCALE=400,4000` runs fewer steps (a quick look); the default is the issue's three. */
const STEPS = (process.env.BENCH_SCALE ?? '400,4000,40000').split(',').map(Number);
const WRITE_CONCURRENCY = 32;
/**
 * Seconds the bench may spend entering people (the whole `npm run bench` must stay under 15
 * minutes on two cores). A step that would not fit at the rate measured so far is skipped
 * and reported as such, rather than silently run for half an hour on a busy machine.
 */
const BUDGET_S = Number(process.env.BENCH_SCALE_BUDGET_S ?? 480);
const SAMPLES = 3;
const STAGES = [
  'masses',
  'applicant',
  'activist',
  'candidate',
  'probationary',
  'full',
  'full',
  'full',
] as const;

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

const personBody = (branchId: string, i: number) => {
  const stage = STAGES[i % STAGES.length] as (typeof STAGES)[number];
  return {
    name: `规模${i}`,
    gender: i % 2 ? 'male' : 'female',
    birthDate: `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
    department: '规模检验室',
    branchId,
    politicalStatus: stage,
    statusSince: stage === 'full' ? '2015-07-01' : '2024-01-01',
  };
};

const routesAt = (branchId: string) => [
  {
    route: 'GET /talent/insights/age-structure',
    scope: 'institution' as const,
    path: '/talent/insights/age-structure',
  },
  {
    route: 'GET /talent/insights/pipeline',
    scope: 'institution' as const,
    path: '/talent/insights/pipeline',
  },
  {
    route: 'GET /activities/insights/compliance',
    scope: 'institution' as const,
    path: '/activities/insights/compliance',
  },
  { route: 'GET /talent/branches', scope: 'institution' as const, path: '/talent/branches' },
  {
    route: 'GET /talent/insights/age-structure?branchId',
    scope: 'branch' as const,
    path: `/talent/insights/age-structure?branchId=${branchId}`,
  },
  {
    route: 'GET /activities/insights/participation?branchId',
    scope: 'branch' as const,
    path: `/activities/insights/participation?branchId=${branchId}`,
  },
  {
    route: 'GET /talent/people?branchId',
    scope: 'branch' as const,
    path: `/talent/people?branchId=${branchId}`,
  },
  { route: 'GET /talent/people (first page)', scope: 'institution' as const, path: '/talent/people' },
];

const measure = async (p: Platform, meter: CapacityMeter, token: string, path: string) => {
  const latencies: number[] = [];
  const usage = { readUnits: 0, itemsRead: 0, queries: 0, calls: 0, scans: 0 };
  for (let i = 0; i < SAMPLES; i++) {
    meter.take();
    const reply = await p.expect(200, 'GET', path, { token, now: NOW });
    const u = meter.take();
    latencies.push(reply.ms);
    usage.readUnits += u.readUnits / SAMPLES;
    usage.itemsRead += u.itemsRead / SAMPLES;
    usage.queries += u.queries / SAMPLES;
    usage.calls += u.calls / SAMPLES;
    usage.scans += u.scans;
  }
  return { p50Ms: round(percentile(ascending(latencies), 0.5)), ...usage };
};

export const run = async () => {
  const p = await startPlatform();
  const { meter } = p;
  try {
    const committee = await p.token({ roles: ['committee'] });
    const branchIds: string[] = [];
    const rows: Measured[] = [];
    const writes: { people: number; seconds: number; perSecond: number }[] = [];
    let people = 0;
    const skipped: { people: number; projectedSeconds: number }[] = [];
    const benchStarted = performance.now();
    for (const target of STEPS) {
      const last = writes.at(-1);
      if (last) {
        const projected = (target - people) / last.perSecond;
        const left = BUDGET_S - (performance.now() - benchStarted) / 1000;
        if (projected > left) {
          console.warn(
            `  ${target} people skipped: ${round(projected)} s at ${last.perSecond}/s would exceed the ${BUDGET_S} s budget`,
          );
          skipped.push({ people: target, projectedSeconds: round(projected) });
          continue;
        }
      }
      const started = performance.now();
      while (branchIds.length * PEOPLE_PER_BRANCH < target) {
        const b = await p.expect(201, 'POST', '/talent/branches', {
          token: committee,
          now: NOW,
          body: { name: `规模支部${branchIds.length + 1}` },
        });
        branchIds.push(b.body.branchId as string);
      }
      const from = people;
      await pool(target - from, WRITE_CONCURRENCY, async (k) => {
        const i = from + k;
        await p.expect(201, 'POST', '/talent/people', {
          token: committee,
          now: NOW,
          body: personBody(branchIds[Math.floor(i / PEOPLE_PER_BRANCH)] as string, i),
        });
      });
      people = target;
      // The rosters other services keep are fed by events: wait for them before reading.
      await p.runtime.settle();
      const seconds = (performance.now() - started) / 1000;
      writes.push({
        people: target - from,
        seconds: round(seconds),
        perSecond: round((target - from) / seconds),
      });
      console.log(
        `  ${target} people in ${branchIds.length} branches (+${target - from} in ${round(seconds)} s)`,
      );
      meter.label = `scale ${target}`;
      for (const r of routesAt(branchIds[0] as string)) {
        rows.push({
          people: target,
          branches: branchIds.length,
          route: r.route,
          scope: r.scope,
          ...(await measure(p, meter, committee, r.path)),
        });
      }
    }
    const scans = meter.scans;
    const routes = [...new Set(rows.map((r) => r.route))];
    const cell = (route: string, people: number, pick: (m: Measured) => number) => {
      const m = rows.find((r) => r.route === route && r.people === people);
      return m ? pick(m) : undefined;
    };
    printTable(
      `7. Scale: one request at ${STEPS.join(' / ')} people (${PEOPLE_PER_BRANCH} to a branch); items read (RRU) and p50 ms; Scans: ${scans.length}`,
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
    console.log(
      `  people entered through POST /talent/people at ${WRITE_CONCURRENCY} connections: ${writes.map((w) => `${w.perSecond}/s`).join(', ')}`,
    );
    saveResults('scale', {
      steps: STEPS,
      peoplePerBranch: PEOPLE_PER_BRANCH,
      samples: SAMPLES,
      writes,
      rows,
      scans,
    });
    if (scans.length > 0) {
      console.error(`\nSCAN ON A REQUEST PATH: ${JSON.stringify(scans)}`);
      process.exitCode = 1;
    }
  } finally {
    await p.stop();
  }
};
