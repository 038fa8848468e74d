/** The seed and the browser tests aim at the same runtime, chosen by the same variables. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { elsewhereHint, runtimeTarget } from './target.js';

describe('runtimeTarget', () => {
  it('is npm start’s gateway and data folder by default', () => {
    expect(runtimeTarget({})).toEqual({ url: 'http://127.0.0.1:3000', dataDir: '.data' });
  });

  it('follows PORT and DANGJIAN_DATA_DIR, as npm start does', () => {
    expect(runtimeTarget({ PORT: '4123', DANGJIAN_DATA_DIR: '/tmp/d' })).toEqual({
      url: 'http://127.0.0.1:4123',
      dataDir: '/tmp/d',
    });
  });

  it('takes DANGJIAN_URL over PORT, without its trailing slash', () => {
    expect(runtimeTarget({ PORT: '4123', DANGJIAN_URL: 'http://10.0.0.5:8080/' }).url).toBe(
      'http://10.0.0.5:8080',
    );
  });
});

describe('elsewhereHint', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('names the PORT the data folder’s runtime listens on when it is not the one aimed at', async () => {
    dir = await mkdtemp(join(tmpdir(), 'seed-target-'));
    await writeFile(join(dir, 'runtime.json'), JSON.stringify({ url: 'http://127.0.0.1:4555' }));
    expect(await elsewhereHint({ url: 'http://127.0.0.1:3000', dataDir: dir })).toBe(
      `the runtime of ${dir} said it listens at http://127.0.0.1:4555 (PORT=4555)`,
    );
    expect(await elsewhereHint({ url: 'http://127.0.0.1:4555', dataDir: dir })).toBeUndefined();
  });

  it('says nothing without a runtime.json', async () => {
    dir = await mkdtemp(join(tmpdir(), 'seed-target-'));
    expect(await elsewhereHint({ url: 'http://127.0.0.1:3000', dataDir: dir })).toBeUndefined();
  });
});
