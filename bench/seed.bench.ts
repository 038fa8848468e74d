/**
 * 8. The demo's first seed as a user meets it: `npm start` on fresh data (in the system's
 * temporary folder, on disk unless it is a tmpfs), then `npm run seed` in its own process,
 * timed from its spawn to its exit; each phase's time from the lines it prints; then a
 * second `npm run seed`, which must find everything and create nothing. The aim is a minute.
 */
import { execFileSync, spawn } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { exited, ROOT, startLocal } from './support/npm-start.js';
import { printTable, round, saveResults } from './support/report.js';

const AIM_MS = 60_000;

/** `850 ms`, `12 s`, `2 min 05 s`, `1 h 04 min`: the seed's own durations, back to ms. */
export const parseDuration = (text: string): number => {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)\s*(ms|s|min|h)\b/g)) {
    ms += Number(n) * ({ ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[unit as 'ms'] ?? 0);
  }
  return ms;
};

/** Each phase's end line: `seed: people (5/9) 82/82 in 12 s, 82 new; about 2 min left`. */
export const phasesOf = (stderr: string) =>
  [...stderr.matchAll(/^seed: (.+?) \(\d+\/\d+\) (\d+)\/\d+ in ([^,;\n]+)/gm)].map(
    ([, name, items, took]) => ({
      phase: name as string,
      items: Number(items),
      ms: parseDuration(took as string),
    }),
  );

const seedOnce = async (url: string, dataDir: string) => {
  const port = new URL(url).port;
  const started = performance.now();
  const child = spawn('npm', ['run', '-s', 'seed'], {
    cwd: ROOT,
    env: { ...process.env, PORT: port, DANGJIAN_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  await exited(child);
  const ms = performance.now() - started;
  if (child.exitCode !== 0)
    throw new Error(`npm run seed exited with ${child.exitCode}: ${stderr.slice(-2000)}`);
  return { ms: round(ms), stdout, stderr };
};

/** The file system the data is on: a tmpfs makes DynamoDB Local's commits far cheaper. */
const fileSystemOf = (path: string): string => {
  try {
    return execFileSync('df', ['--output=fstype', path], { encoding: 'utf8' }).split('\n')[1]?.trim() ?? '?';
  } catch {
    return '?';
  }
};

export const run = async () => {
  const loadBefore = round(loadavg()[0] ?? 0);
  const platform = await startLocal();
  let first: Awaited<ReturnType<typeof seedOnce>>;
  let second: Awaited<ReturnType<typeof seedOnce>>;
  try {
    first = await seedOnce(platform.url, platform.dataDir);
    second = await seedOnce(platform.url, platform.dataDir);
  } finally {
    await platform.stop();
  }
  const loadAfter = round(loadavg()[0] ?? 0);
  const phases = phasesOf(first.stderr);
  const createdNothing = second.stdout.includes('nothing (everything was there already)');
  const fileSystem = fileSystemOf(tmpdir());
  printTable(
    `8. The demo's first seed: npm start on fresh data (${tmpdir()}, ${fileSystem}), then npm run seed; aim under ${AIM_MS / 1000} s; load average ${loadBefore} before, ${loadAfter} after; phases run side by side, so their times overlap`,
    ['what', 'ms', 'items', 'aim'],
    [
      ['npm run seed, first run (spawn to exit)', first.ms, undefined, first.ms <= AIM_MS ? 'ok' : 'OVER'],
      ...phases.map((p) => [`  ${p.phase}`, p.ms, p.items, undefined]),
      [
        'npm run seed again (finds everything)',
        second.ms,
        undefined,
        createdNothing ? 'created nothing' : 'CREATED',
      ],
    ],
  );
  saveResults('seed', {
    aimMs: AIM_MS,
    loadAverage: { before: loadBefore, after: loadAfter },
    dataFileSystem: fileSystem,
    firstRunMs: first.ms,
    phases,
    rerunMs: second.ms,
    rerunCreatedNothing: createdNothing,
  });
  if (!createdNothing) throw new Error(`The second seed created something:\n${second.stdout}`);
};
