/** The figures a seed run leaves in the data folder for the next run's estimate. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPrior, recordPhase, TIMINGS_FILE, TYPICAL_MS_PER_ITEM } from './timings.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seed-timings-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const phase = (name: string, total: number, ms: number) => ({
  name,
  total,
  done: total,
  startedAt: 0,
  endedAt: ms,
});

describe('seed timings', () => {
  it('are the typical figures in a data folder no run has recorded in', async () => {
    expect(await readPrior(dir)).toEqual(TYPICAL_MS_PER_ITEM);
  });

  it('record the time per item of phases that created something, over the typical figures', async () => {
    await recordPhase(dir, phase('activities', 200, 100_000), 200);
    await recordPhase(dir, phase('people', 80, 8000), 80);
    // A rerun found everything: how fast finding is says nothing of how long creating takes.
    await recordPhase(dir, phase('people', 80, 80), 0);
    expect(await readPrior(dir)).toEqual({ ...TYPICAL_MS_PER_ITEM, activities: 500, people: 100 });
  });

  it('ignore a broken file, and leave it to the next recorded phase to replace', async () => {
    await writeFile(join(dir, TIMINGS_FILE), '{"msPerItem": {"people": "fast"');
    expect(await readPrior(dir)).toEqual(TYPICAL_MS_PER_ITEM);
    await recordPhase(dir, phase('rooms', 3, 300), 3);
    expect(JSON.parse(await readFile(join(dir, TIMINGS_FILE), 'utf8'))).toEqual({
      msPerItem: { rooms: 100 },
    });
  });
});
