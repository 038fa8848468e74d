/**
 * One runtime per data folder. Two on the same folder would share DynamoDB Local's files,
 * and the second's clean-up of "left-behind" processes would take the first's database
 * away. The lock file names the process holding the folder; a start finding it held by a
 * live process refuses, and only the leftovers of a process that is really gone are cleared.
 */
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alive, commandOf } from './processes.js';

export const LOCK_FILE = 'runtime.lock';

export interface Holder {
  pid: number;
  /** Where it serves, once known. */
  url?: string;
  startedAt: string;
}

export class DataDirInUse extends Error {
  constructor(
    readonly holder: Holder,
    readonly dataDir: string,
  ) {
    super(
      `dangjian is already ${holder.url ? `running at ${holder.url}` : `starting in ${dataDir}`} ` +
        `(pid ${holder.pid}); stop it first or use another DANGJIAN_DATA_DIR`,
    );
    this.name = 'DataDirInUse';
  }
}

export interface DataDirLock {
  /** Records where the holder serves, for the next start's refusal. */
  serving(url: string): Promise<void>;
  release(): Promise<void>;
}

/**
 * Alive and a Node process: a pid recycled since (the folder outlived a reboot) belongs to
 * something else and does not hold the folder. Without `ps`, alive is enough.
 */
const holds = async (holder: Holder): Promise<boolean> => {
  if (!alive(holder.pid)) return false;
  const command = await commandOf(holder.pid);
  return command === undefined || /node|tsx|vitest/.test(command);
};

const readHolder = async (path: string): Promise<Holder | undefined> => {
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as Holder;
    return Number.isInteger(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
};

/** The live process holding the folder, if any. */
export const holderOf = async (dataDir: string): Promise<Holder | undefined> => {
  const holder = await readHolder(join(dataDir, LOCK_FILE));
  return holder && (await holds(holder)) ? holder : undefined;
};

/** Holds the folder for this process, or throws DataDirInUse. */
export const lockDataDir = async (dataDir: string, url?: string): Promise<DataDirLock> => {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  let mine: Holder = { pid: process.pid, ...(url ? { url } : {}), startedAt: new Date().toISOString() };
  // Written whole under a name of its own, then linked: a reader never meets half a lock,
  // and of two starts at once exactly one link succeeds.
  const write = async (holder: Holder) => {
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(holder)}\n`);
    return temporary;
  };
  for (let attempt = 0; ; attempt++) {
    const temporary = await write(mine);
    try {
      await link(temporary, path);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readHolder(path);
      if (holder && (await holds(holder))) throw new DataDirInUse(holder, dataDir);
      // Another start cleared the same stale lock and took the folder meanwhile.
      if (attempt > 0) throw new DataDirInUse(holder ?? { pid: 0, startedAt: '' }, dataDir);
      // Its holder is gone (or it is unreadable): the folder is free.
      await rm(path, { force: true });
    } finally {
      await rm(temporary, { force: true });
    }
  }
  return {
    serving: async (at) => {
      mine = { ...mine, url: at };
      const temporary = await write(mine);
      await rename(temporary, path);
    },
    release: async () => {
      if ((await readHolder(path))?.pid === process.pid) await rm(path, { force: true });
    },
  };
};
