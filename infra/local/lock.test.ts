import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUse, holderOf, LOCK_FILE, lockDataDir } from './lock.js';

describe('the data folder lock', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dangjian-lock-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a second holder while the first lives, naming where it serves', async () => {
    const lock = await lockDataDir(dataDir);
    await lock.serving('http://127.0.0.1:3999');
    const refused = await lockDataDir(dataDir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirInUse);
    expect((refused as Error).message).toBe(
      `dangjian is already running at http://127.0.0.1:3999 (pid ${process.pid}); stop it first or use another DANGJIAN_DATA_DIR`,
    );
    await lock.release();
    expect(await holderOf(dataDir)).toBeUndefined();
    await (await lockDataDir(dataDir)).release();
  });

  it('takes over a folder whose holder is gone', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: gone.pid, startedAt: '' }));
    expect(await holderOf(dataDir)).toBeUndefined();
    const lock = await lockDataDir(dataDir);
    expect(JSON.parse(await readFile(join(dataDir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('is not fooled by a recycled pid that is not a Node process', async () => {
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: stranger.pid, startedAt: '' }));
      const lock = await lockDataDir(dataDir);
      await lock.release();
    } finally {
      stranger.kill();
    }
  });
});
