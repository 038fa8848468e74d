/**
 * `npm start` as a user runs it, for the benchmarks that time what a user waits for: fresh
 * data, free ports, its own process group (so the SIGINT reaches npm, tsx and node alike),
 * and a stop that leaves nothing behind.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PID_FILE } from '../../infra/local/dynamodb-local.js';
import { freePort } from '../../infra/local/ports.js';

export const ROOT = join(import.meta.dirname, '..', '..');
const GIVE_UP_MS = 60_000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/** Processes still in the group `npm start` led. */
const leftIn = (pgid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

/**
 * DynamoDB Local's JVM runs in its own session (so a terminal's Ctrl-C reaches node, which
 * stops it last): the group does not show it, its pid file does.
 */
const javaOf = (dataDir: string): number | undefined => {
  try {
    return (JSON.parse(readFileSync(join(dataDir, 'dynamodb', PID_FILE), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export interface LocalPlatform {
  url: string;
  port: number;
  dataDir: string;
  /** From the spawn to the first 200 from /health. */
  healthyMs: number;
  health: unknown;
  /** SIGINT, SIGKILL after 15 s; kills and reports what is left; deletes the data. */
  stop(): Promise<void>;
}

/** `npm start` on fresh data in the system's temporary folder, until /health answers 200. */
export const startLocal = async (): Promise<LocalPlatform> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dangjian-bench-start-'));
  const port = await freePort();
  const cognitoPort = await freePort();
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DANGJIAN_DATA_DIR: dataDir,
      PORT: String(port),
      COGNITO_PORT: String(cognitoPort),
      LOG_LEVEL: 'WARN',
    },
    stdio: 'ignore',
    detached: true,
  });
  const pgid = child.pid as number;
  const stop = async () => {
    const java = javaOf(dataDir);
    process.kill(-pgid, 'SIGINT');
    const stopped = await Promise.race([exited(child).then(() => true), sleep(15_000).then(() => false)]);
    if (!stopped) process.kill(-pgid, 'SIGKILL');
    await exited(child);
    // npm start stops its own DynamoDB Local; what is left of the group would be a leak.
    const left = [...leftIn(pgid), ...(java !== undefined && alive(java) ? [java] : [])];
    for (const pid of left) process.kill(pid, 'SIGKILL');
    if (left.length > 0)
      console.warn(`npm start left ${left.length} process(es) behind after SIGINT; killed`);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    while (performance.now() - started < GIVE_UP_MS) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.status === 200) {
          const healthyMs = performance.now() - started;
          const health = await res.json();
          return { url: `http://127.0.0.1:${port}`, port, dataDir, healthyMs, health, stop };
        }
        await res.arrayBuffer();
      } catch {
        // not listening yet
      }
      await sleep(25);
    }
    throw new Error(`no 200 from /health within ${GIVE_UP_MS} ms`);
  } catch (error) {
    await stop();
    throw error;
  }
};
