/**
 * A child that must not outlive this process, whatever ends it (SIGKILL included, where no
 * handler runs). A tiny shell holds one end of a pipe whose other end only this process
 * has; the kernel closes it when this process dies, the shell reads end-of-file and stops
 * the child: SIGTERM first (DynamoDB Local then writes what it holds), SIGKILL after 10 s.
 * No polling and no native module; any POSIX `sh` will do.
 */
import { spawn } from 'node:child_process';

const SCRIPT = `cat >/dev/null
kill -0 "$1" 2>/dev/null || exit 0
kill -TERM "$1" 2>/dev/null
i=0
while kill -0 "$1" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 100 ]; then kill -KILL "$1" 2>/dev/null; exit 0; fi
  sleep 0.1
done`;

export interface Watchdog {
  /** The child has ended by itself or was stopped: the watchdog goes too. */
  release(): void;
}

export const stopWhenThisProcessDies = (childPid: number): Watchdog => {
  // Its own session: the terminal's Ctrl-C or hang-up must not end it before it is needed.
  const dog = spawn('sh', ['-c', SCRIPT, 'dangjian-watchdog', String(childPid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  dog.on('error', () => undefined);
  dog.stdin?.on('error', () => undefined);
  // Neither the watchdog nor its pipe may keep this process alive.
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    release: () => {
      dog.stdin?.end();
    },
  };
};
