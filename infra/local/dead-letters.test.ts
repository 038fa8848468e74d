import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeadLetterStore, type NewDeadLetter, readRuntimeInfo } from './dead-letters.js';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dangjian-dead-letters-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function letter(n: number): NewDeadLetter {
  return {
    target: `svc.target-${n}`,
    event: {
      version: '0',
      id: `event-${n}`,
      'detail-type': 'Thing',
      source: 'dangjian.test',
      account: '000000000000',
      time: '2025-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: { n },
    },
    error: { message: `boom ${n}`, stack: `Error: boom ${n}\n    at somewhere` },
    attempts: 5,
    firstAttemptAt: '2025-01-01T00:00:00.000Z',
    lastAttemptAt: '2025-01-01T00:00:03.000Z',
  };
}

describe('DeadLetterStore', () => {
  it('lists nothing when the directory does not exist yet', async () => {
    expect(await new DeadLetterStore(join(dataDir, 'nowhere')).list()).toEqual([]);
  });

  it('adds letters under ULIDs, lists them oldest first, gets and removes them', async () => {
    const store = new DeadLetterStore(dataDir);
    const added = [];
    for (let n = 1; n <= 5; n++) added.push(await store.add(letter(n)));

    expect(added.every((l) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(l.id))).toBe(true);
    const listed = await store.list();
    expect(listed.map((l) => l.target)).toEqual([1, 2, 3, 4, 5].map((n) => `svc.target-${n}`));
    expect(listed.map((l) => l.id)).toEqual(added.map((l) => l.id));
    expect(listed[0]).toEqual(added[0]);

    const second = added[1];
    if (!second) throw new Error('no second letter');
    expect(await store.get(second.id)).toEqual({ id: second.id, ...letter(2) });
    expect(await store.remove(second.id)).toBe(true);
    expect(await store.remove(second.id)).toBe(false);
    expect(await store.get(second.id)).toBeUndefined();
    expect((await store.list()).map((l) => l.target)).toEqual([
      'svc.target-1',
      'svc.target-3',
      'svc.target-4',
      'svc.target-5',
    ]);
  });

  it('another store instance on the same directory sees the same letters, in order', async () => {
    const a = await new DeadLetterStore(dataDir).add(letter(1));
    const b = await new DeadLetterStore(dataDir).add(letter(2));
    expect((await new DeadLetterStore(dataDir).list()).map((l) => l.id)).toEqual([a.id, b.id]);
  });

  it('writes one JSON file per letter and leaves no temp files behind', async () => {
    const store = new DeadLetterStore(dataDir);
    const a = await store.add(letter(1));
    await store.update({ ...a, attempts: 10 });
    expect(await readdir(store.dir)).toEqual([`${a.id}.json`]);
    expect((await store.get(a.id))?.attempts).toBe(10);
  });

  it('ignores stray temp files (a write killed half way) and refuses ids that are not ULIDs', async () => {
    const store = new DeadLetterStore(dataDir);
    const a = await store.add(letter(1));
    await writeFile(join(store.dir, `.${a.id}.123.abcd.tmp`), '{"half":');
    expect((await store.list()).map((l) => l.id)).toEqual([a.id]);
    expect(await store.get('../../etc/passwd')).toBeUndefined();
    expect(await store.remove('../runtime')).toBe(false);
  });
});

describe('readRuntimeInfo', () => {
  it('is undefined when the runtime has not written runtime.json', async () => {
    expect(await readRuntimeInfo(dataDir)).toBeUndefined();
  });

  it('reads the bus admin URL', async () => {
    await writeFile(
      join(dataDir, 'runtime.json'),
      JSON.stringify({ busAdminUrl: 'http://127.0.0.1:4010', pid: 1 }),
    );
    expect(await readRuntimeInfo(dataDir)).toEqual({ busAdminUrl: 'http://127.0.0.1:4010', pid: 1 });
  });

  it('is undefined for a file without a bus admin URL', async () => {
    await writeFile(join(dataDir, 'runtime.json'), '{}');
    expect(await readRuntimeInfo(dataDir)).toBeUndefined();
  });
});
