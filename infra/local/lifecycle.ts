/**
 * Every way `npm start` may be told to end reaches the runtime's stop. `npm start` is
 * npm → sh → tsx → node: Ctrl-C signals them all, a closed terminal hangs them up, but
 * `kill <npm pid>` ends npm and its shell and never reaches tsx or node. So besides the
 * signals, node watches the processes that launched it (its ancestors in its own process
 * group, which stops short of the user's shell) and stops when one of them is gone.
 */
import { execFile } from 'node:child_process';
import { alive } from './processes.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Stopping waits for the database's JVM (SIGKILL after 5 s); this is the whole budget. */
const STOP_BUDGET_MS = 20_000;
const WATCH_EVERY_MS = 500;

const groupAndParent = (pid: number): Promise<{ pgid: number; ppid: number } | undefined> =>
  new Promise((resolve) => {
    execFile('ps', ['-o', 'pgid=,ppid=', '-p', String(pid)], (error, stdout) => {
      const [pgid, ppid] = stdout.trim().split(/\s+/).map(Number);
      resolve(error || !pgid || ppid === undefined ? undefined : { pgid, ppid });
    });
  });

/** The ancestors that share this process's group, nearest first (none if `ps` is missing). */
export const launchers = async (): Promise<number[]> => {
  const own = await groupAndParent(process.pid);
  if (!own || own.pgid === process.pid) return [];
  const chain: number[] = [];
  for (let pid = process.ppid; pid > 1 && chain.length < 10; ) {
    const next = await groupAndParent(pid);
    if (!next || next.pgid !== own.pgid) break;
    chain.push(pid);
    if (pid === own.pgid) break;
    pid = next.ppid;
  }
  return chain;
};

/**
 * Calls `stop` once, on the first signal or the first launcher gone, then exits: 0 when it
 * stopped in time, 1 when it failed or overran its budget.
 */
export const stopOnEnd = async (stop: (reason: string) => Promise<void>): Promise<void> => {
  let stopping = false;
  const end = (reason: string) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), STOP_BUDGET_MS).unref();
    stop(reason).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of SIGNALS) process.on(signal, () => end(signal));
  const watched = await launchers();
  if (watched.length === 0) return;
  const timer = setInterval(() => {
    const gone = watched.find((pid) => !alive(pid));
    if (gone !== undefined) {
      clearInterval(timer);
      end(`the process that launched this one (pid ${gone}) ended`);
    }
  }, WATCH_EVERY_MS);
  timer.unref();
};
