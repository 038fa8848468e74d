/**
 * `npm start` as a person runs it (npm → sh → tsx → node, java spawned by node), in a
 * process group of its own as a terminal's job is: a second start on the same data folder
 * and a start on a busy port refuse in one line and leave the first alone; every way of
 * stopping it (SIGTERM to npm, SIGKILL to node, Ctrl-C) leaves no process and no port behind.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PID_FILE } from '../../infra/local/dynamodb-local.js';
import { LOCK_FILE } from '../../infra/local/lock.js';
import { freePort, portRefusal } from '../../infra/local/ports.js';
import { alive } from '../../infra/local/processes.js';
import { until } from '../support/wait.js';

const run = promisify(execFile);
/**
 * A JVM's start on a busy 2-core machine, and the rest of the platform after it; beside
 * the JVM (with `--bundles`, esbuild bundles every function: 20-25 s at a load of 20).
 */
const START_BUDGET_MS = 150_000;
/** Stopping: the runtime's parts, then DynamoDB Local (SIGKILL after 5 s). */
const STOP_BUDGET_MS = 15_000;

/** Processes in a session; a zombie awaiting its reaper counts as gone. */
const sessionMembers = async (sid: number): Promise<string[]> => {
  const out = await run('ps', ['-o', 'pid=,stat=,args=', '-s', String(sid)]).catch(() => ({ stdout: '' }));
  return out.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^\d+\s+Z/.test(line));
};

const watchdogsOf = async (javaPid: number): Promise<string[]> => {
  const out = await run('ps', ['-eo', 'pid=,stat=,args=']);
  return out.stdout
    .split('\n')
    .filter((line) => line.includes('dangjian-watchdog') && line.trim().endsWith(` ${javaPid}`))
    .filter((line) => !/^\s*\d+\s+Z/.test(line));
};

interface Started {
  npm: ChildProcess;
  /** npm's pid: its process group and session, as for a terminal's job. */
  group: number;
  /** The Node process running infra/local/start.ts (the lock's holder). */
  node: number;
  java: number;
  stdout: () => string;
}

describe('npm start', () => {
  let dataDir: string;
  let port: number;
  let cognitoPort: number;
  let mailPorts: number[];
  const launched: ChildProcess[] = [];

  const env = (overrides: Record<string, string> = {}) => {
    const { LOG_FORMAT: _format, LOG_LEVEL: _level, ...inherited } = process.env;
    return {
      ...inherited,
      DANGJIAN_DATA_DIR: dataDir,
      PORT: String(port),
      COGNITO_PORT: String(cognitoPort),
      MAIL_PORT: String(mailPorts[0]),
      SMTP_PORT: String(mailPorts[1]),
      ...overrides,
    };
  };

  const launch = (overrides: Record<string, string> = {}) => {
    const npm = spawn('npm', ['start', '--silent'], {
      detached: true,
      env: env(overrides),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launched.push(npm);
    let stdout = '';
    let stderr = '';
    npm.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    npm.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    return { npm, exited, stdout: () => stdout, stderr: () => stderr };
  };

  const start = async (overrides: Record<string, string> = {}): Promise<Started> => {
    const child = launch(overrides);
    let ended = false;
    void child.exited.then(() => {
      ended = true;
    });
    await until('the banner', START_BUDGET_MS, () => {
      if (ended) throw new Error(`npm start ended before it was ready: ${child.stderr()}`);
      return child.stdout().includes('dangjian is running');
    });
    const lock = JSON.parse(await readFile(join(dataDir, LOCK_FILE), 'utf8'));
    const database = JSON.parse(await readFile(join(dataDir, 'dynamodb', PID_FILE), 'utf8'));
    return {
      npm: child.npm,
      group: child.npm.pid as number,
      node: lock.pid,
      java: database.pid,
      stdout: child.stdout,
    };
  };

  /** What must hold after any way of stopping: nothing of it runs, nothing listens. */
  const allGone = async (started: Started) => {
    await until('the JVM gone', STOP_BUDGET_MS, () => !alive(started.java));
    await until(
      'npm, sh, tsx and node gone',
      STOP_BUDGET_MS,
      async () => (await sessionMembers(started.group)).length === 0,
    );
    await until(
      'the watchdog gone',
      STOP_BUDGET_MS,
      async () => (await watchdogsOf(started.java)).length === 0,
    );
    await until('the API port let go', STOP_BUDGET_MS, async () => (await portRefusal(port)) === undefined);
    await until(
      'the Cognito port let go',
      STOP_BUDGET_MS,
      async () => (await portRefusal(cognitoPort)) === undefined,
    );
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dangjian-start-'));
    port = await freePort();
    cognitoPort = await freePort();
    mailPorts = [await freePort(), await freePort()];
  });

  afterAll(async () => {
    for (const npm of launched) {
      try {
        if (npm.pid) process.kill(-npm.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a second start on the same data folder, and a busy port, in one line each; SIGTERM to npm stops everything', async () => {
    const first = await start();
    expect(first.stdout()).toContain(`/docs`);
    expect(first.stdout()).toContain('npm run seed');
    expect(first.stdout()).toContain('npm run -s token -- --person <id>');
    // No test control: those are test/support/controls.ts's, and npm start passes none.
    expect((await fetch(`http://127.0.0.1:${port}/__local/settle`, { method: 'POST' })).status).toBe(404);
    const { busAdminUrl } = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
    expect((await fetch(`${busAdminUrl}/faults`)).status).toBe(404);

    const second = launch();
    expect(await second.exited).not.toBe(0);
    expect(second.stderr().trim()).toBe(
      `dangjian is already running at http://127.0.0.1:${port} (pid ${first.node}); stop it first or use another DANGJIAN_DATA_DIR`,
    );

    const otherDir = await mkdtemp(join(tmpdir(), 'dangjian-start-other-'));
    try {
      const busy = launch({ DANGJIAN_DATA_DIR: otherDir, COGNITO_PORT: String(await freePort()) });
      expect(await busy.exited).not.toBe(0);
      expect(busy.stderr().trim()).toBe(
        `port ${port} (the API) is already in use: stop what listens there, or choose another with PORT=<port>`,
      );
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
    // The first one never noticed.
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect(alive(first.java)).toBe(true);

    process.kill(first.group, 'SIGTERM');
    await allGone(first);
    expect(await readFile(join(dataDir, LOCK_FILE), 'utf8').catch(() => 'gone')).toBe('gone');
  }, 240_000);

  it('takes the JVM down when node is killed outright, starts again over the leftovers, and stops on Ctrl-C', async () => {
    const killed = await start();
    process.kill(killed.node, 'SIGKILL');
    // npm, sh and tsx end with node; the watchdog stops the JVM.
    await allGone(killed);

    const again = await start({ CORS_ORIGINS: 'http://localhost:4200' });
    expect(again.java).not.toBe(killed.java);
    // A front end's dev server may call it: Vite's, as the dev stage allows it, and one CORS_ORIGINS adds.
    for (const origin of ['http://localhost:5173', 'http://localhost:4200']) {
      const preflight = await fetch(`http://127.0.0.1:${port}/talent/branches`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
      expect(preflight.status, origin).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin'), origin).toBe(origin);
    }
    expect(again.stdout()).toContain(
      'http://localhost:5173, https://dev.dangjian.example.cn, http://localhost:4200',
    );
    // What a terminal's Ctrl-C does: SIGINT to every process of the job.
    process.kill(-again.group, 'SIGINT');
    await allGone(again);
  }, 400_000);
});
