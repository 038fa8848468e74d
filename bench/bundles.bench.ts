/**
 * 1. Bundle size and init time per Lambda, the local stand-in for a cold start: each entry
 * CDK deploys, bundled by esbuild with the construct's own options (infra/constructs/
 * lambda.ts), then imported in a fresh Node process with the flags the function runs with.
 * A service's router, relay and consumers share one bundle, so there is one row per service.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { bundlingOptions } from '../infra/constructs/lambda.js';
import { services } from '../services/index.js';
import { median, printTable, round, saveResults } from './support/report.js';

const ROOT = join(import.meta.dirname, '..');
/** The budgets for a router bundle. */
const BUDGET_BYTES = 250 * 1024;
const BUDGET_INIT_MS = 150;
const RUNS = 10;

const entries = [
  ...services.map((s) => ({
    name: `${s.name} (router, relay, consumers)`,
    entry: `services/${s.name}/lambda.ts`,
  })),
  { name: 'platform partner-accounts', entry: 'infra/functions/partner-accounts.ts' },
];

/** `node_modules/@scope/pkg/…` → `@scope/pkg`; our own files → `(own code)`. */
const packageOf = (input: string): string => {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return '(own code)';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
};

const byPackage = (meta: Metafile, output: string) => {
  const sizes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[output]?.inputs ?? {})) {
    const name = packageOf(input);
    sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
};

/** Families weigh more than their largest member: the SDK is spread over many packages. */
const family = (pkg: string): string =>
  pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/') || pkg.startsWith('@aws-crypto/')
    ? 'AWS SDK v3 (@aws-sdk, @smithy, @aws-crypto)'
    : pkg.startsWith('@aws-lambda-powertools/')
      ? 'Powertools'
      : pkg.startsWith('@middy/')
        ? 'middy'
        : pkg;

/** One fresh process: the import alone (what Lambda's init runs) and the whole process. */
const initOnce = (file: string, nodeOptions: string[]) => {
  const started = performance.now();
  const out = spawnSync(
    process.execPath,
    [
      ...nodeOptions,
      '--input-type=module',
      '-e',
      `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`,
    ],
    { encoding: 'utf8' },
  );
  const processMs = performance.now() - started;
  if (out.status !== 0) throw new Error(`Importing ${file} failed: ${out.stderr}`);
  return { importMs: Number(out.stdout), processMs };
};

const initTimes = (file: string, nodeOptions: string[]) => {
  const runs = Array.from({ length: RUNS }, () => initOnce(file, nodeOptions));
  return {
    importMs: round(median(runs.map((r) => r.importMs))),
    processMs: round(median(runs.map((r) => r.processMs))),
  };
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

    const rows = [];
    for (const { name, entry } of entries) {
      const outfile = join(outdir, name.split(' ')[0] as string, 'index.mjs');
      const result = await bundle(entry, outfile, bundlingOptions.externalModules ?? []);
      const bytes = statSync(outfile).size;
      const packages = byPackage(result.metafile, relative(process.cwd(), outfile));
      const families = new Map<string, number>();
      for (const [pkg, size] of packages) families.set(family(pkg), (families.get(family(pkg)) ?? 0) + size);
      const [heaviestFamily, familyBytes] = [...families].sort((a, b) => b[1] - a[1])[0] ?? ['?', 0];
      const [heaviestPackage, packageBytes] = packages.find(([p]) => p !== '(own code)') ?? ['?', 0];
      // The functions run with NODE_OPTIONS=--enable-source-maps (service-stack.ts), which
      // makes Node read the source map at load: measured both ways.
      const withMaps = initTimes(outfile, ['--enable-source-maps']);
      const withoutMaps = initTimes(outfile, []);
      const runtimeSdk = await withRuntimeSdk(entry, inProject);
      rows.push({
        function: name,
        entry,
        bytes,
        sourceMapBytes: statSync(`${outfile}.map`).size,
        initMs: withMaps.importMs,
        initMsWithoutSourceMaps: withoutMaps.importMs,
        processMs: withMaps.processMs,
        withinBudget: { size: bytes <= BUDGET_BYTES, init: withMaps.importMs <= BUDGET_INIT_MS },
        heaviestFamily: { name: heaviestFamily, bytes: familyBytes },
        heaviestPackage: { name: heaviestPackage, bytes: packageBytes },
        topPackages: packages.slice(0, 8).map(([p, b]) => ({ package: p, bytes: b })),
        runtimeSdk,
      });
    }

    printTable(
      `1. Bundle size and init time per Lambda (esbuild as CDK bundles; import in a fresh Node ${process.version}, median of ${RUNS}; budget ≤ ${BUDGET_BYTES / 1024} KB and ≤ ${BUDGET_INIT_MS} ms; empty-module process ${floor.processMs} ms)`,
      [
        'function',
        'KB',
        'init ms',
        'init ms (no maps)',
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
