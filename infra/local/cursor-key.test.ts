import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServiceContext, type ServiceEnv } from '../../shared/context.js';
import { cursorKeyFile, ensureCursorKey } from './cursor-key.js';

const dirs: string[] = [];
const dataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dangjian-cursor-key-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A service context as the runtime wires it (wiring.ts): the key's file in its environment. */
const serviceOn = (dir: string) => {
  const env: ServiceEnv = {
    service: 'talent',
    stage: 'local',
    tableName: 'unused',
    busName: 'unused',
    uploadLimitBytes: 1,
    logLevel: 'SILENT',
    aws: { region: 'eu-west-1' },
    cursorKey: { file: cursorKeyFile(dir) },
  };
  return createServiceContext(env);
};

describe('the local cursor key', () => {
  it('is made on the first start, readable by its owner only, and kept on the next', async () => {
    const dir = await dataDir();
    const file = await ensureCursorKey(dir);
    expect(file).toBe(cursorKeyFile(dir));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const first = await readFile(file, 'utf8');
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await ensureCursorKey(dir);
    expect(await readFile(file, 'utf8')).toBe(first);
  });

  it('opens after a restart on the same data folder what was sealed before it, and nothing of another folder', async () => {
    const dir = await dataDir();
    await ensureCursorKey(dir);
    const cursor = await serviceOn(dir).cursors.seal('people', { pk: 'PERSON#1' });
    await ensureCursorKey(dir);
    expect(await serviceOn(dir).cursors.open('people', cursor)).toEqual({ pk: 'PERSON#1' });

    const elsewhere = await dataDir();
    await ensureCursorKey(elsewhere);
    await expect(serviceOn(elsewhere).cursors.open('people', cursor)).rejects.toMatchObject({
      code: 'invalid-cursor',
    });
  });
});
