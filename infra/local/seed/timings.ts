/**
 * How long each phase of the seed took per item, kept in the data folder beside the data it
 * made, so a run after a stop (or a rerun) estimates from this machine rather than from
 * figures measured elsewhere. Deleting the data folder forgets both together.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MsPerItem, PhaseState } from './estimate.js';

export const TIMINGS_FILE = 'seed-timings.json';

/**
 * Per item, from a first run of the demo seed on a quiet 2-core machine (data on disk), its
 * phases side by side (`npm run bench -- seed`, 7 December 2026, 46 s in all): what the
 * estimate goes by until a run in this data folder has measured its own. A busier machine is
 * slower, and the estimate follows once the first phases have shown how much.
 */
export const TYPICAL_MS_PER_ITEM: MsPerItem = {
  branches: 110,
  rooms: 110,
  resources: 250,
  partners: 360,
  people: 50,
  'committee and secretaries': 150,
  activities: 160,
  assessment: 550,
  'joint events': 9_000,
  announcements: 25,
  // A base, or a month of a quarter paid together: a small transaction per base or quarter.
  dues: 18,
  // A person looked up, registered, moved or transferred, and their base: a few requests each.
  'transfers and retirements': 1_400,
};

interface Stored {
  msPerItem: Record<string, number>;
}

/** The figures a previous run recorded, over the typical ones; never fails the seed. */
export const readPrior = async (dataDir: string): Promise<MsPerItem> => {
  try {
    const stored = JSON.parse(await readFile(join(dataDir, TIMINGS_FILE), 'utf8')) as Partial<Stored>;
    const recorded = Object.entries(stored.msPerItem ?? {}).filter(
      ([, ms]) => typeof ms === 'number' && Number.isFinite(ms) && ms > 0,
    );
    return { ...TYPICAL_MS_PER_ITEM, ...Object.fromEntries(recorded) };
  } catch {
    return TYPICAL_MS_PER_ITEM;
  }
};

/**
 * Records a phase's time per item, but only when it created something: a phase that found
 * everything there already says how fast a rerun is, not how long the work takes. A phase
 * that counts nothing (undefined) cannot tell, and keeps its typical figure.
 */
export const recordPhase = async (
  dataDir: string,
  phase: Readonly<PhaseState>,
  created: number | undefined,
): Promise<void> => {
  if (!created || phase.total === 0 || phase.startedAt === undefined || phase.endedAt === undefined) return;
  const file = join(dataDir, TIMINGS_FILE);
  let stored: Stored = { msPerItem: {} };
  try {
    stored = { msPerItem: { ...(JSON.parse(await readFile(file, 'utf8')) as Stored).msPerItem } };
  } catch {
    // No file yet, or a broken one: this run's figures replace it.
  }
  stored.msPerItem[phase.name] = Math.round((phase.endedAt - phase.startedAt) / phase.total);
  try {
    await mkdir(dataDir, { recursive: true });
    // Written aside and renamed, so a seed stopped mid-write leaves the old figures whole.
    await writeFile(`${file}.tmp`, `${JSON.stringify(stored, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
  } catch {
    // Timings only improve an estimate; a read-only data folder must not stop the seed.
  }
};
