/**
 * The functions as they deploy: every Lambda entry (each service's `lambda.ts`, each platform
 * function's) bundled by esbuild with the construct's own options (infra/constructs/
 * bundling.ts), into `.build/functions/<name>/`, and the local Lambda host the runtime loads
 * them in (lambda-host.ts). `npm start` runs these bundles, so a bundling mistake (a module
 * left out, an import esbuild cannot follow, a file read at run time) fails here, not after
 * a deploy. `npm run bundle` builds and lists them.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build } from 'esbuild';
import type { ServiceDescription } from '../../shared/service.js';
import { bundlingOptions } from '../constructs/bundling.js';
import { platformFunctions } from '../functions/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Git-ignored; rebuilt at every `npm start` on bundles. */
export const BUILD_DIR = join(ROOT, '.build');

/**
 * CDK's NodejsFunction turns its options into esbuild's command line (`--bundle <entry>
 * --target --platform=node --format --outfile=index.mjs --minify --sourcemap …`); this is
 * that translation, for esbuild's API. An option it does not translate stops the build: a
 * new bundling option must be mapped here before the local runtime can claim to run what
 * deploys.
 */
export const esbuildOptionsOf = (
  options: BundlingOptions,
  entry: string,
  outDir: string,
): BuildOptions & { outfile: string } => {
  const mapped = new Set([
    'minify',
    'sourceMap',
    'sourceMapMode',
    'sourcesContent',
    'target',
    'format',
    'externalModules',
    'mainFields',
    'banner',
    'footer',
    'define',
    'loader',
    'keepNames',
    'logLevel',
    'metafile',
    'tsconfig',
    'inject',
    // Where esbuild runs, not what it makes.
    'forceDockerBundling',
  ]);
  const unmapped = Object.keys(options).filter((key) => !mapped.has(key));
  if (unmapped.length > 0) {
    throw new Error(`bundlingOptions has ${unmapped.join(', ')}: map it in infra/local/bundles.ts`);
  }
  const format = options.format ?? 'cjs';
  const sourcemap = options.sourceMapMode ?? options.sourceMap;
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: options.target ?? 'node22',
    format,
    // CDK's names: the Lambda handler is `index.<export>`.
    outfile: join(outDir, format === 'esm' ? 'index.mjs' : 'index.js'),
    minify: options.minify ?? false,
    // CDK's `default` mode is esbuild's plain --sourcemap (a linked .map file).
    ...(sourcemap ? { sourcemap: sourcemap === true || sourcemap === 'default' ? true : sourcemap } : {}),
    ...(options.sourcesContent === false ? { sourcesContent: false } : {}),
    // CDK leaves @aws-sdk/* out unless told otherwise; the construct always says.
    external: options.externalModules ?? ['@aws-sdk/*'],
    ...(options.mainFields ? { mainFields: options.mainFields } : {}),
    ...(options.banner ? { banner: { js: options.banner } } : {}),
    ...(options.footer ? { footer: { js: options.footer } } : {}),
    ...(options.define ? { define: options.define } : {}),
    ...(options.loader ? { loader: options.loader as BuildOptions['loader'] } : {}),
    ...(options.keepNames ? { keepNames: true } : {}),
    ...(options.tsconfig ? { tsconfig: join(ROOT, options.tsconfig) } : {}),
    ...(options.inject ? { inject: options.inject } : {}),
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  };
};

/** One function's code, as CDK would upload it. */
export interface Bundle {
  /** `activities`, `platform-accounts`, … */
  name: string;
  /** The entry, from the project root. */
  entry: string;
  /** The file Lambda loads (`index.mjs`). */
  file: string;
  bytes: number;
  /** First 12 hex digits of the bundle's SHA-256: which build is running. */
  sha256: string;
}

export interface Build {
  dir: string;
  tookMs: number;
  /** By name. */
  bundles: Record<string, Bundle>;
  /** The local Lambda host the runtime starts each function in (lambda-host.ts). */
  host: string;
}

/** What CDK deploys for these services: one bundle per service, one per platform function. */
export const functionEntries = (
  services: readonly ServiceDescription[],
): { name: string; entry: string }[] => [
  ...services.map((s) => ({ name: s.name, entry: `services/${s.name}/lambda.ts` })),
  ...platformFunctions.map((f) => ({ name: `platform-${f.name}`, entry: f.entry })),
];

export interface BuildOptionsInput {
  services: readonly ServiceDescription[];
  dir?: string;
  /** The options to bundle with; the construct's unless a test breaks them on purpose. */
  bundling?: BundlingOptions;
}

export const buildBundles = async (input: BuildOptionsInput): Promise<Build> => {
  const started = performance.now();
  const dir = input.dir ?? BUILD_DIR;
  const options = input.bundling ?? bundlingOptions;
  const entries = functionEntries(input.services);
  for (const { entry } of entries) {
    if (!existsSync(join(ROOT, entry))) throw new Error(`No Lambda entry at ${entry}`);
  }
  await rm(join(dir, 'functions'), { recursive: true, force: true });
  const hostFile = join(dir, 'lambda-host.mjs');
  // One esbuild call for every entry: each still gets its own whole bundle (no splitting),
  // the same bytes as one call per entry, but the shared modules are parsed once.
  const esbuildOptions = esbuildOptionsOf(options, '', join(dir, 'functions', 'x'));
  const { outfile, entryPoints: _one, ...shared } = esbuildOptions;
  await Promise.all([
    build({
      ...shared,
      entryPoints: Object.fromEntries(entries.map(({ name, entry }) => [`${name}/index`, join(ROOT, entry)])),
      outdir: join(dir, 'functions'),
      outExtension: { '.js': extname(outfile) },
    }),
    // The host is the runtime's own code (Lambda's runtime interface, locally), not a function's.
    build({
      entryPoints: [join(ROOT, 'infra/local/lambda-host.ts')],
      outfile: hostFile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      logLevel: 'silent',
    }),
  ]);
  const bundles: Record<string, Bundle> = {};
  for (const { name, entry } of entries) {
    const file = join(dir, 'functions', name, basename(outfile));
    const code = await readFile(file);
    bundles[name] = {
      name,
      entry,
      file,
      bytes: code.length,
      sha256: createHash('sha256').update(code).digest('hex').slice(0, 12),
    };
  }
  return { dir, tookMs: Math.round(performance.now() - started), bundles, host: hostFile };
};

/** One line per bundle, for the CLI and the banner. */
export const describeBuild = (b: Build): string[] =>
  Object.values(b.bundles)
    .sort((x, y) => x.name.localeCompare(y.name))
    .map(
      (x) =>
        `${x.name.padEnd(28)} ${`${(x.bytes / 1024).toFixed(0)} KB`.padStart(8)}  ${x.sha256}  ${relative(ROOT, x.file)}`,
    );
