/**
 * DynamoDB Local (the Java emulator shipped inside `amplify-dynamodb-simulator`) as a child
 * process of the local runtime.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { freePort } from './ports.js';
import { alive, commandOf } from './processes.js';
import { stopWhenThisProcessDies } from './watchdog.js';

export interface DynamoDbLocalOptions {
  /** Default: a free port. */
  port?: number;
  /** Where the database file lives (created if missing). Ignored when `inMemory`. */
  dataDir?: string;
  /** Default: true when no `dataDir` is given. */
  inMemory?: boolean;
  /** Receives every line DynamoDB Local prints. */
  log?: (line: string) => void;
  /** The `java` executable. Default: `java` from PATH. */
  javaPath?: string;
  /** How long to wait for the endpoint to answer. Default 60 s: a JVM on a busy 2-core machine (CI, several test runtimes at once) can take 20. */
  startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The JVM's. */
  pid: number | undefined;
  /** SIGTERM, then SIGKILL if still running after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL now, for fault-injection: the database vanishes mid-flight. */
  kill(): void;
  /** Settles when the process has exited, however that happened (and its pid file is gone). */
  exited: Promise<void>;
}

export const JAVA_MISSING_MESSAGE =
  "Java 17+ is required for DynamoDB Local: install it (Debian: apt-get install openjdk-17-jre-headless) and make sure 'java' is on PATH";

// Any non-empty values do: with -sharedDb, DynamoDB Local ignores who is asking.
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const emulatorDir = (): string => {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
};

const checkJava = (javaPath: string): Promise<void> =>
  new Promise((resolvePromise, reject) => {
    // `java -version` rather than trusting the spawn: macOS ships a /usr/bin/java stub that
    // exists but only prints "Unable to locate a Java Runtime" and fails.
    execFile(javaPath, ['-version'], { timeout: 15_000 }, (err) => {
      if (err) reject(new Error(JAVA_MISSING_MESSAGE));
      else resolvePromise();
    });
  });

const probeClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: localCredentials,
    maxAttempts: 1,
    // Without throwOnRequestTimeout the SDK only warns and keeps waiting, so a port taken by
    // something that accepts but never answers would stall start-up forever.
    requestHandler: { connectionTimeout: 500, requestTimeout: 1_000, throwOnRequestTimeout: true },
  });

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The one database file DynamoDB Local keeps with -sharedDb, in its -dbPath. */
export const DATABASE_FILE = 'shared-local-instance.db';

// Run in a child Node: `node:sqlite` is Node 22's (the runtime may be started on an older
// Node by hand) and prints an experimental warning the runtime's own output should not carry.
const TO_WAL = `const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1]);
process.stdout.write(db.prepare('PRAGMA journal_mode=WAL').get().journal_mode);
db.close();`;

/**
 * Puts the on-disk database in write-ahead-log mode before DynamoDB Local opens it (a fresh
 * directory gets an empty database that DynamoDB Local then fills). DynamoDB Local runs every
 * request through one SQLite connection on one thread, so each commit's fsyncs are the
 * platform's local write throughput: SQLite's default rollback journal syncs the journal and
 * the database on every commit, the log only itself. Measured on this project's 2-core
 * machine, loaded: 1.5 times the conditional puts and 3-item transactions a second. WAL is a
 * property of the file (SQLite keeps it in the header), so DynamoDB Local, which sets no
 * journal mode, inherits it. Without `node:sqlite` the database keeps its rollback journal:
 * slower, not wrong.
 */
const writeAheadLog = (dbPath: string, log?: (line: string) => void): Promise<void> =>
  new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      ['--no-warnings', '-e', TO_WAL, join(dbPath, DATABASE_FILE)],
      { timeout: 15_000 },
      (error, stdout) => {
        if (error || stdout !== 'wal') {
          log?.(
            `DynamoDB Local keeps SQLite's rollback journal (no write-ahead log: ${error?.message ?? stdout})`,
          );
        }
        resolvePromise();
      },
    );
  });

/**
 * In an on-disk data directory: the JVM serving it and the process that started it, so a
 * later start can tell one left behind from one still in use.
 */
export const PID_FILE = 'dynamodb-local.pid';

interface PidFile {
  pid: number;
  /** Absent in files written before owners were recorded. */
  owner?: number;
}

const readPidFile = async (path: string): Promise<PidFile | undefined> => {
  const text = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const parsed = JSON.parse(text) as PidFile;
    return Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A JVM whose runtime was killed outright keeps the data directory's database open until its
 * watchdog has stopped it (a moment), or for good if it predates watchdogs. The next start
 * on the same directory stops it, but never one whose runtime is alive (it still serves),
 * and only a process whose command line is DynamoDB Local's on this very directory, so a
 * recycled pid is never touched.
 */
const stopLeftBehind = async (pidFile: string, dbPath: string) => {
  const found = await readPidFile(pidFile);
  if (!found) return;
  const { pid, owner } = found;
  if (owner !== undefined && owner !== process.pid && alive(owner)) {
    throw new Error(
      `DynamoDB Local on ${dbPath} (pid ${pid}) belongs to process ${owner}, which is still running: stop it first`,
    );
  }
  const command = await commandOf(pid);
  if (command?.includes('DynamoDBLocal.jar') && command.includes(dbPath)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 5_000;
    while (alive(pid) && Date.now() < deadline) await delay(50);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    while (alive(pid)) await delay(50);
  }
  await rm(pidFile, { force: true });
};

export const startDynamoDbLocal = async (opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  const javaPath = opts.javaPath ?? 'java';
  await checkJava(javaPath);

  const port = opts.port ?? (await freePort());
  const inMemory = opts.inMemory ?? opts.dataDir === undefined;
  const dir = emulatorDir();
  const args = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    // Without -sharedDb every access key + region pair gets its own set of tables, so two
    // clients configured slightly differently would silently see different data.
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  let pidFile: string | undefined;
  if (inMemory) {
    args.push('-inMemory');
  } else if (opts.dataDir !== undefined) {
    const dbPath = resolve(opts.dataDir);
    await mkdir(dbPath, { recursive: true });
    args.push('-dbPath', dbPath);
    pidFile = join(dbPath, PID_FILE);
    await stopLeftBehind(pidFile, dbPath);
    await writeAheadLog(dbPath, opts.log);
  }

  // Its own process group: a Ctrl-C reaches the runtime, which stops the database last, after
  // everything that writes to it; the watchdog below ends it if the runtime cannot.
  const child: ChildProcess = spawn(javaPath, args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const watchdog = child.pid === undefined ? undefined : stopWhenThisProcessDies(child.pid);
  const endpoint = `http://127.0.0.1:${port}`;

  let stderrTail = '';
  const forward = (stream: NodeJS.ReadableStream | null, isStderr: boolean) => {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      if (isStderr) stderrTail = (stderrTail + chunk).slice(-4_000);
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.length > 0) opts.log?.(line);
    });
  };
  forward(child.stdout, false);
  forward(child.stderr, true);

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const processExited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      watchdog?.release();
      resolveExit();
    });
    child.once('error', (err) => {
      spawnError = err;
      // 'exit' does not follow a failed spawn.
      if (child.pid === undefined) resolveExit();
    });
  });

  // Gone means gone from the data directory too: the pid file goes with the process.
  const written = pidFile && child.pid !== undefined ? pidFile : undefined;
  if (written) await writeFile(written, JSON.stringify({ pid: child.pid, owner: process.pid }));
  const exited = written ? processExited.then(() => rm(written, { force: true })) : processExited;

  // The emulator must not outlive the runtime (a crashed test run would otherwise leave
  // JVMs holding ports). Only 'exit' is hooked: signal handling belongs to the entry point.
  // SIGTERM, so an on-disk database keeps what it acknowledged; the watchdog insists if need be.
  const killOnExit = () => {
    if (exitInfo === undefined) child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const kill = () => {
    if (exitInfo === undefined) child.kill('SIGKILL');
  };

  const stop = async () => {
    if (exitInfo !== undefined || child.pid === undefined) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(kill, 5_000);
    await exited;
    clearTimeout(timer);
  };

  const client = probeClient(endpoint);
  try {
    const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
    for (;;) {
      if (spawnError !== undefined && child.pid === undefined) {
        throw (spawnError as NodeJS.ErrnoException).code === 'ENOENT'
          ? new Error(JAVA_MISSING_MESSAGE)
          : new Error(`could not start DynamoDB Local: ${spawnError.message}`);
      }
      // A failed bind kills the main thread but not the JVM (other threads keep it alive), so
      // waiting for the exit would take the whole timeout.
      if (/Exception in thread "main"/.test(stderrTail)) {
        throw new Error(`DynamoDB Local failed to start on port ${port}: ${stderrTail.trim()}`);
      }
      if (exitInfo !== undefined) {
        throw new Error(
          `DynamoDB Local exited (${exitInfo.signal ?? `code ${exitInfo.code}`}) before it was ready` +
            (stderrTail.trim() ? `: ${stderrTail.trim()}` : ''),
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1_500) });
        break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `DynamoDB Local did not answer on ${endpoint} within ${opts.startTimeoutMs ?? 60_000} ms` +
            (stderrTail.trim() ? `: ${stderrTail.trim()}` : ''),
        );
      }
      await delay(100);
    }
  } catch (err) {
    kill();
    await exited;
    throw err;
  } finally {
    client.destroy();
  }

  return { endpoint, port, pid: child.pid, stop, kill, exited };
};

/**
 * Creates the table unless it exists, then waits until it is ACTIVE. An existing table gets
 * the global secondary indexes `input` names that it lacks (one UpdateTable each, as
 * DynamoDB allows), so a data folder from before a new index keeps working; nothing else of
 * an existing table is changed, nor any index removed.
 */
export const ensureTable = async (
  client: DynamoDBClient,
  input: CreateTableCommandInput,
  timeoutMs = 30_000,
): Promise<void> => {
  const name = input.TableName;
  if (name === undefined) throw new Error('ensureTable: TableName is required');
  let existed = false;
  try {
    await client.send(new CreateTableCommand(input));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    existed = true;
  }
  const deadline = Date.now() + timeoutMs;
  const active = async () => {
    for (;;) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      const indexes = Table?.GlobalSecondaryIndexes ?? [];
      if (Table?.TableStatus === 'ACTIVE' && indexes.every((i) => i.IndexStatus === 'ACTIVE')) return Table;
      if (Date.now() > deadline) {
        throw new Error(`table ${name} is still ${Table?.TableStatus ?? 'unknown'} after ${timeoutMs} ms`);
      }
      await delay(100);
    }
  };
  const table = await active();
  if (!existed) return;
  const held = new Set((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of input.GlobalSecondaryIndexes ?? []) {
    if (held.has(index.IndexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: input.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    await active();
  }
};
