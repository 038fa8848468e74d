/**
 * Where the services' logs go locally. On Lambda, Powertools Logger prints JSON lines to
 * stdout and Lambda ships them to the function's log group; a test that must know what
 * reaches the log groups (no phone numbers, no e-mails) reads those same lines here.
 */
import type { Logger } from '@aws-lambda-powertools/logger';

type Printer = (line: unknown) => void;

/**
 * Powertools Logger has no documented output hook: it prints through its own `console`
 * (a Console on process.stdout). Swapping that console keeps everything else — level,
 * formatting, the JSON replacer, error serialisation — exactly as on Lambda.
 */
export const redirectLogger = (logger: Logger, sink: (line: string) => void): void => {
  const print: Printer = (line) => sink(String(line));
  const target = logger as unknown as { console: Record<string, Printer> };
  if (typeof target.console?.info !== 'function') {
    throw new Error('This Powertools Logger version prints elsewhere: update infra/local/log-capture.ts');
  }
  target.console = { log: print, debug: print, info: print, warn: print, error: print, trace: print };
};
