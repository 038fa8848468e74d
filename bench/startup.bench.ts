/**
 * 6. Start-up: from `npm start` to the first 200 from `/health` (which answers 200 only
 * when the database, storage, bus and every relay are up; the tables are created before the
 * gateway listens), with fresh data each time; and DynamoDB Local's JVM alone. LocalStack
 * needs about 9 s to the same point; the aim is under 5 s.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PID_FILE, startDynamoDbLocal } from '../infra/local/dynamodb-local.js';
import { freePort } from '../infra/local/ports.js';
import { median, printTable, round, saveResults } from './support/report.js';

const RUNS = 3;
const AIM_MS = 5_000;
const GIVE_UP_MS = 60_000;
const ROOT = join(import.meta.dirname, '..');

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/** Processes still in the group `npm start` led (DynamoDB Local's java among them). */
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

const startOnce = async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dangjian-startup-'));
  const port = await freePort();
  const started = performance.now();
  // Its own process group, so that the SIGINT reaches npm, tsx and node alike.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: { ...process.env, DANGJIAN_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'WARN' },
    stdio: 'ignore',
    detached: true,
  });
  const pgid = child.pid as number;
  try {
    let healthyMs: number | undefined;
    let health: unknown;
    while (healthyMs === undefined && performance.now() - started < GIVE_UP_MS) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.status === 200) {
          healthyMs = performance.now() - started;
          health = await res.json();
        } else await res.arrayBuffer();
      } catch {
        // not listening yet
      }
      if (healthyMs === undefined) await new Promise((r) => setTimeout(r, 25));
    }
    if (healthyMs === undefined) throw new Error(`no 200 from /health within ${GIVE_UP_MS} ms`);
    return { healthyMs: round(healthyMs), health };
  } finally {
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
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const jvmOnce = async () => {
  const started = performance.now();
  const db = await startDynamoDbLocal({ inMemory: true });
  const ms = performance.now() - started;
  await db.stop();
  return round(ms);
};

export const run = async () => {
  const starts = [];
  for (let i = 0; i < RUNS; i++) starts.push(await startOnce());
  const jvm = [];
  for (let i = 0; i < RUNS; i++) jvm.push(await jvmOnce());
  const startMs = median(starts.map((s) => s.healthyMs));
  const jvmMs = median(jvm);
  printTable(
    `6. Start-up (fresh data each run, median of ${RUNS}; aim under ${AIM_MS / 1000} s, LocalStack about 9 s)`,
    ['what', 'median ms', 'runs ms', 'aim'],
    [
      [
        '`npm start` → first 200 from /health, tables ready',
        startMs,
        starts.map((s) => s.healthyMs).join(', '),
        startMs <= AIM_MS ? 'ok' : 'OVER',
      ],
      ['DynamoDB Local (JVM) alone, in memory, until it answers', jvmMs, jvm.join(', '), undefined],
    ],
  );
  saveResults('startup', {
    aimMs: AIM_MS,
    runs: RUNS,
    npmStartToHealthyMs: startMs,
    npmStartRunsMs: starts.map((s) => s.healthyMs),
    dynamodbLocalJvmMs: jvmMs,
    dynamodbLocalRunsMs: jvm,
    health: starts[0]?.health,
  });
};
