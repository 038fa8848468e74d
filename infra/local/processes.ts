/** Questions about other processes, asked the same way wherever the runtime needs them. */
import { execFile } from 'node:child_process';

/** The process exists (a zombie not yet reaped counts), whoever owns it. */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Its command line, or undefined when it is gone (or `ps` is missing). */
export const commandOf = (pid: number): Promise<string | undefined> =>
  new Promise((resolve) => {
    execFile('ps', ['-p', String(pid), '-o', 'args='], (error, stdout) =>
      resolve(error ? undefined : stdout.trim()),
    );
  });
