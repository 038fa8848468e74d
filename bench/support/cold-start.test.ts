/** The cold-start path read from a metafile made by hand: what init evaluates, and what grew. */
import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { coldStartPath, growthSince, packageOf } from './cold-start.js';

const meta: Metafile = {
  inputs: {
    'services/x/lambda.ts': {
      bytes: 100,
      imports: [
        { path: 'shared/http.ts', kind: 'import-statement', original: '../../shared/http.js' },
        {
          path: 'node_modules/@aws-sdk/client-s3/dist/index.js',
          kind: 'dynamic-import',
          original: '@aws-sdk/client-s3',
        },
        { path: 'node:crypto', kind: 'import-statement', external: true },
      ],
    },
    'shared/http.ts': {
      bytes: 50,
      imports: [{ path: 'node_modules/zod/index.js', kind: 'import-statement', original: 'zod' }],
    },
    'node_modules/zod/index.js': { bytes: 900, imports: [] },
    'node_modules/@aws-sdk/client-s3/dist/index.js': {
      bytes: 5000,
      imports: [
        { path: 'node_modules/@smithy/core/index.js', kind: 'import-statement', original: '@smithy/core' },
      ],
    },
    'node_modules/@smithy/core/index.js': { bytes: 3000, imports: [] },
  },
  outputs: {
    'out/index.mjs': {
      bytes: 7000,
      entryPoint: 'services/x/lambda.ts',
      imports: [],
      exports: [],
      inputs: {
        'services/x/lambda.ts': { bytesInOutput: 80 },
        'shared/http.ts': { bytesInOutput: 40 },
        'node_modules/zod/index.js': { bytesInOutput: 700 },
        'node_modules/@aws-sdk/client-s3/dist/index.js': { bytesInOutput: 4000 },
        'node_modules/@smithy/core/index.js': { bytesInOutput: 2000 },
      },
    },
  },
};

describe('coldStartPath', () => {
  it('counts what static imports reach from the entry, and leaves what only import() reaches for later', () => {
    const path = coldStartPath(meta, 'out/index.mjs');
    expect(path.eagerBytes).toBe(820);
    expect(path.lazyBytes).toBe(6000);
    expect(path.packages).toEqual([
      { package: 'zod', bytes: 700, modules: 1 },
      { package: '(own code)', bytes: 120, modules: 2 },
    ]);
    expect(path.modules[0]).toEqual({ module: 'node_modules/zod/index.js', bytes: 700 });
    expect(path.external).toEqual(['node:crypto']);
  });

  it('names a package by its scope and name', () => {
    expect(packageOf('node_modules/@smithy/core/dist-es/index.js')).toBe('@smithy/core');
    expect(packageOf('node_modules/.pnpm/x/node_modules/zod/v4/index.js')).toBe('zod');
    expect(packageOf('shared/errors.ts')).toBe('(own code)');
  });
});

describe('growthSince', () => {
  it('names packages new to the path or heavier by the threshold, and nothing else', () => {
    const before = [
      { package: 'zod', bytes: 90_000 },
      { package: '(own code)', bytes: 80_000 },
    ];
    const now = [
      { package: 'zod', bytes: 91_000 },
      { package: '(own code)', bytes: 85_000 },
      { package: '@aws-sdk/client-s3', bytes: 170_000 },
    ];
    expect(growthSince(before, now)).toEqual([
      { package: '(own code)', before: 80_000, now: 85_000 },
      { package: '@aws-sdk/client-s3', before: 0, now: 170_000 },
    ]);
    expect(growthSince(now, now)).toEqual([]);
  });
});
