/**
 * Which running platform a client of `npm start` talks to: the seed and the browser tests
 * find it the same way, so one PORT (or DANGJIAN_URL) aims both.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RuntimeTarget {
  /** The gateway, without a trailing slash. */
  url: string;
  /** Where the runtime keeps its data, and its runtime.json (the pool tokens are minted for). */
  dataDir: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** DANGJIAN_URL, else the local gateway at PORT; 3000 and `.data` are `npm start`'s defaults. */
export const runtimeTarget = (env: Env = process.env): RuntimeTarget => ({
  url: (env.DANGJIAN_URL ?? `http://127.0.0.1:${env.PORT ?? 3000}`).replace(/\/$/, ''),
  dataDir: env.DANGJIAN_DATA_DIR ?? '.data',
});

/**
 * When nothing answers at the target: the runtime of that data folder may be up at another
 * address (started with another PORT). Its runtime.json says where, if it is there.
 */
export const elsewhereHint = async (target: RuntimeTarget): Promise<string | undefined> => {
  try {
    const { url } = JSON.parse(await readFile(join(target.dataDir, 'runtime.json'), 'utf8')) as {
      url?: unknown;
    };
    if (typeof url !== 'string' || url.replace(/\/$/, '') === target.url) return undefined;
    const port = new URL(url).port;
    return `the runtime of ${target.dataDir} said it listens at ${url}${port ? ` (PORT=${port})` : ''}`;
  } catch {
    return undefined;
  }
};
