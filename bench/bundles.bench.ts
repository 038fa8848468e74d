/**
 * 1. Bundle size and init time per Lambda, the local stand-in for a cold start: each entry
 * CDK deploys, bundled by esbuild with the construct's own options (infra/constructs/
 * lambda.ts), then imported in a fresh Node process with the flags the function runs with.
 * A service's router, relay and consumers share one bundle, so there is one row per service.
 * The budget is 100 ms of init, the import's wall time as Lambda's init duration counts it;
 * its CPU time is shown beside it. Other work on the machine stretches both (the load
 * average is in the title): the budget is judged on a quiet machine.
 *
 * 1b. The cold-start path of each: what init evaluates (support/cold-start.ts, from esbuild's
 * metafile) by package, what is bundled but left to an `import()`, and what grew since the
 * figures in bench/results.json, so a dependency that slips onto the path shows.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { bundlingOptions } from '../infra/constructs/lambda.js';
import { services } from '../services/index.js';
import { type ColdStartPath, coldStartPath, growthSince } from './support/cold-start.js';
import { median, printTable, RESULTS_FILE, round, saveResults } from './support/report.js';

const ROOT = join(import.meta.dirname, '..');
/** The budgets for a router bundle. */
const BUDGET_BYTES = 250 * 1024;
const BUDGET_INIT_MS = 100;
const RUNS = 10;

const entries = [
  ...services.map((s) => ({
    name: `${s.name} (router, relay, consumers)`,
    entry: `services/${s.name}/lambda.ts`,
  })),
  { name: 'platform partner-accounts', entry: 'infra/functions/partner-accounts.ts' },
];

/** Families weigh more than their largest member: the SDK is spread over many packages. */
const family = (pkg: string): string =>
  pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/') || pkg.startsWith('@aws-crypto/')
    ? 'AWS SDK v3 (@aws-sdk, @smithy, @aws-crypto)'
    : pkg.startsWith('@aws-lambda-powertools/')
      ? 'Powertools'
      : pkg.startsWith('@middy/')
        ? 'middy'
        : pkg;

/** One fresh process: the import alone (what Lambda's init runs, wall and CPU) and the whole process. */
const initOnce = (file: string, nodeOptions: string[]) => {
  const started = performance.now();
  const out = spawnSync(
    process.execPath,
    [
      ...nodeOptions,
      '--input-type=module',
      '-e',
      `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const u = process.cpuUsage(c); process.stdout.write(JSON.stringify({ wall: performance.now() - t, cpu: (u.user + u.system) / 1000 }));`,
    ],
    { encoding: 'utf8' },
  );
  const processMs = performance.now() - started;
  if (out.status !== 0) throw new Error(`Importing ${file} failed: ${out.stderr}`);
  const { wall, cpu } = JSON.parse(out.stdout) as { wall: number; cpu: number };
  return { importMs: wall, importCpuMs: cpu, processMs };
};

const initTimes = (file: string, nodeOptions: string[]) => {
  const runs = Array.from({ length: RUNS }, () => initOnce(file, nodeOptions));
  return {
    importMs: round(median(runs.map((r) => r.importMs))),
    importCpuMs: round(median(runs.map((r) => r.importCpuMs))),
    processMs: round(median(runs.map((r) => r.processMs))),
  };
};

/** Each function's cold-start packages as bench/results.json last recorded them. */
const recordedPaths = (): Map<string, { package: string; bytes: number }[]> => {
  try {
    const results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as {
      bundles?: { functions?: { function: string; coldStartPath?: ColdStartPath }[] };
    };
    return new Map(
      (results.bundles?.functions ?? []).flatMap((f) =>
        f.coldStartPath ? [[f.function, f.coldStartPath.packages] as const] : [],
      ),
    );
  } catch {
    return new Map();
  }
};

/** An entry bundled with the construct's own options (and `external` as given). */
const bundle = (entry: string, outfile: string, external: string[]) =>
  build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: bundlingOptions.target,
    minify: bundlingOptions.minify,
    sourcemap: bundlingOptions.sourceMap,
    mainFields: bundlingOptions.mainFields,
    external,
    banner: { js: bundlingOptions.banner as string },
    metafile: true,
    logLevel: 'silent',
  });

/**
 * The alternative the size budget invites: leaving `@aws-sdk/*` out, to be loaded from the
 * Lambda runtime's own copy. Built inside the project so Node finds the SDK in node_modules,
 * as the runtime finds its copy, unbundled, in /var/runtime/node_modules.
 */
const withRuntimeSdk = async (entry: string, outdir: string) => {
  const outfile = join(outdir, `${entry.replaceAll('/', '_')}.mjs`);
  await bundle(entry, outfile, ['@aws-sdk/*']);
  return { bytes: statSync(outfile).size, initMs: initTimes(outfile, ['--enable-source-maps']).importMs };
};

export const run = async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'dangjian-bundles-'));
  const inProject = join(ROOT, 'node_modules', '.cache', 'dangjian-bench');
  mkdirSync(inProject, { recursive: true });
  try {
    // The floor: a fresh Node process that imports an empty module.
    const emptyFile = join(outdir, 'empty.mjs');
    await build({ stdin: { contents: 'export {};' }, outfile: emptyFile, format: 'esm', logLevel: 'silent' });
    const floor = initTimes(emptyFile, []);

    const recorded = recordedPaths();
    const rows = [];
    for (const { name, entry } of entries) {
      const outfile = join(outdir, name.split(' ')[0] as string, 'index.mjs');
      const result = await bundle(entry, outfile, bundlingOptions.externalModules ?? []);
      const bytes = statSync(outfile).size;
      const path = coldStartPath(result.metafile, relative(process.cwd(), outfile));
      const packages = path.packages;
      const families = new Map<string, number>();
      for (const { package: pkg, bytes: size } of packages) {
        families.set(family(pkg), (families.get(family(pkg)) ?? 0) + size);
      }
      const [heaviestFamily, familyBytes] = [...families].sort((a, b) => b[1] - a[1])[0] ?? ['?', 0];
      const heaviestPackage = packages.find((p) => p.package !== '(own code)') ?? { package: '?', bytes: 0 };
      // The functions run with NODE_OPTIONS=--enable-source-maps (service-stack.ts), which
      // makes Node read the source map at load: measured both ways.
      const withMaps = initTimes(outfile, ['--enable-source-maps']);
      const withoutMaps = initTimes(outfile, []);
      const runtimeSdk = await withRuntimeSdk(entry, inProject);
      const before = recorded.get(name);
      rows.push({
        function: name,
        entry,
        bytes,
        sourceMapBytes: statSync(`${outfile}.map`).size,
        initMs: withMaps.importMs,
        initCpuMs: withMaps.importCpuMs,
        initMsWithoutSourceMaps: withoutMaps.importMs,
        initCpuMsWithoutSourceMaps: withoutMaps.importCpuMs,
        processMs: withMaps.processMs,
        withinBudget: { size: bytes <= BUDGET_BYTES, init: withMaps.importMs <= BUDGET_INIT_MS },
        heaviestFamily: { name: heaviestFamily, bytes: familyBytes },
        heaviestPackage: { name: heaviestPackage.package, bytes: heaviestPackage.bytes },
        topPackages: packages.slice(0, 8).map((p) => ({ package: p.package, bytes: p.bytes })),
        coldStartPath: path,
        // Undefined when nothing was recorded to compare with.
        grewSinceRecorded: before ? growthSince(before, packages) : undefined,
        runtimeSdk,
      });
    }

    printTable(
      `1. Bundle size and init time per Lambda (esbuild as CDK bundles; import in a fresh Node ${process.version}, median of ${RUNS}; budget ≤ ${BUDGET_BYTES / 1024} KB and ≤ ${BUDGET_INIT_MS} ms of init; empty-module process ${floor.processMs} ms; load average ${round(loadavg()[0] ?? 0)})`,
      [
        'function',
        'KB',
        'init ms',
        'init CPU ms',
        'no maps: init ms',
        'process ms',
        'budget',
        'heaviest',
        'KB',
        'of which',
        'KB',
        'SDK from runtime: KB',
        'init ms',
      ],
      rows.map((r) => [
        r.function,
        round(r.bytes / 1024),
        r.initMs,
        r.initCpuMs,
        r.initMsWithoutSourceMaps,
        r.processMs,
        `size ${r.withinBudget.size ? 'ok' : 'OVER'}, init ${r.withinBudget.init ? 'ok' : 'OVER'}`,
        r.heaviestFamily.name,
        round(r.heaviestFamily.bytes / 1024),
        r.heaviestPackage.name,
        round(r.heaviestPackage.bytes / 1024),
        round(r.runtimeSdk.bytes / 1024),
        r.runtimeSdk.initMs,
      ]),
    );
    const kb = (bytes: number) => round(bytes / 1024);
    printTable(
      '1b. Cold-start path: what each function evaluates before its first request, by package (KB in the bundle); what grew since bench/results.json',
      [
        'function',
        'at init KB',
        'left to import() KB',
        'packages at init, largest first',
        'grew since recorded',
      ],
      rows.map((r) => [
        r.function.split(' ')[0],
        kb(r.coldStartPath.eagerBytes),
        kb(r.coldStartPath.lazyBytes),
        r.coldStartPath.packages
          .slice(0, 6)
          .map((p) => `${p.package} ${kb(p.bytes)}`)
          .join(', ') +
          (r.coldStartPath.packages.length > 6 ? `, ${r.coldStartPath.packages.length - 6} more` : ''),
        r.grewSinceRecorded === undefined
          ? 'nothing recorded'
          : r.grewSinceRecorded.length === 0
            ? 'nothing'
            : r.grewSinceRecorded.map((g) => `${g.package} ${kb(g.before)} → ${kb(g.now)}`).join(', '),
      ]),
    );
    saveResults('bundles', {
      budget: { bytes: BUDGET_BYTES, initMs: BUDGET_INIT_MS },
      runs: RUNS,
      emptyModule: floor,
      functions: rows,
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(inProject, { recursive: true, force: true });
  }
};
