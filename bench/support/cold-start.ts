/**
 * What a function loads before its first request, from esbuild's metafile: the modules its
 * entry reaches through static imports (evaluated when the bundle is imported, in Lambda's
 * init), apart from those reached only through `import()` (bundled too, but evaluated when
 * first asked for). Sizes are the bytes each module takes in the bundle.
 */
import type { Metafile } from 'esbuild';

/** `node_modules/@scope/pkg/…` → `@scope/pkg`; our own files → `(own code)`. */
export const packageOf = (input: string): string => {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return '(own code)';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
};

export interface ColdStartPath {
  /** Bytes in the bundle of every module evaluated at init. */
  eagerBytes: number;
  /** Bytes of modules bundled but evaluated only when an `import()` asks for them. */
  lazyBytes: number;
  /** Eager bytes by package, largest first. */
  packages: { package: string; bytes: number; modules: number }[];
  /** The largest eager modules, for finding what a package brings. */
  modules: { module: string; bytes: number }[];
  /** Modules left outside the bundle that init imports (Node's own, or externals). */
  external: string[];
}

const STATIC = new Set(['import-statement', 'require-call', 'entry-point']);

export const coldStartPath = (meta: Metafile, output: string, topModules = 10): ColdStartPath => {
  const out = meta.outputs[output];
  if (!out?.entryPoint) throw new Error(`${output} is not an entry point's output in this metafile`);
  const inBundle = out.inputs;
  const eager = new Set<string>();
  const external = new Set<string>();
  const queue = [out.entryPoint];
  while (queue.length > 0) {
    const path = queue.pop() as string;
    if (eager.has(path)) continue;
    eager.add(path);
    for (const imported of meta.inputs[path]?.imports ?? []) {
      if (!STATIC.has(imported.kind)) continue;
      if (imported.external) external.add(imported.path);
      else queue.push(imported.path);
    }
  }
  const packages = new Map<string, { bytes: number; modules: number }>();
  let eagerBytes = 0;
  let lazyBytes = 0;
  const modules: { module: string; bytes: number }[] = [];
  for (const [path, { bytesInOutput }] of Object.entries(inBundle)) {
    if (!eager.has(path)) {
      lazyBytes += bytesInOutput;
      continue;
    }
    eagerBytes += bytesInOutput;
    modules.push({ module: path, bytes: bytesInOutput });
    const name = packageOf(path);
    const entry = packages.get(name) ?? { bytes: 0, modules: 0 };
    entry.bytes += bytesInOutput;
    entry.modules += 1;
    packages.set(name, entry);
  }
  return {
    eagerBytes,
    lazyBytes,
    packages: [...packages]
      .map(([name, p]) => ({ package: name, ...p }))
      .sort((a, b) => b.bytes - a.bytes || a.package.localeCompare(b.package)),
    modules: modules.sort((a, b) => b.bytes - a.bytes).slice(0, topModules),
    external: [...external].sort(),
  };
};

/**
 * What grew on a function's cold-start path since an earlier measurement: packages new to
 * it, or heavier by at least `minBytes`. Empty when nothing did.
 */
export const growthSince = (
  before: readonly { package: string; bytes: number }[],
  now: readonly { package: string; bytes: number }[],
  minBytes = 2048,
): { package: string; before: number; now: number }[] => {
  const earlier = new Map(before.map((p) => [p.package, p.bytes]));
  return now
    .map((p) => ({ package: p.package, before: earlier.get(p.package) ?? 0, now: p.bytes }))
    .filter((p) => p.now - p.before >= minBytes);
};
