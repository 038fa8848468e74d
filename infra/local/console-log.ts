/**
 * What `npm start` prints while it runs. `pretty` (the default) is for a person at a
 * terminal: one short line per request, service logs as one line each, errors in full.
 * `json` prints the services' lines as Lambda would ship them (Powertools JSON) and the
 * runtime's warnings as JSON, for tools that read the output.
 */
import type { AccessEntry } from './gateway.js';

export type LogFormat = 'pretty' | 'json';

export interface ConsoleLog {
  log: (entry: Record<string, unknown>) => void;
  /** Absent: the services print their JSON to stdout themselves. */
  serviceLog?: (line: string) => void;
  access?: (entry: AccessEntry) => void;
}

interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const clock = (at: Date) => at.toTimeString().slice(0, 8);

/** Fields every Powertools line carries that a person at a terminal does not need. */
const NOISE = new Set([
  'level',
  'message',
  'msg',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_name',
  'function_memory_size',
  'function_arn',
  'function_request_id',
  'error',
]);

const scalar = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

const fieldsOf = (entry: Record<string, unknown>): string =>
  Object.entries(entry)
    .filter(([key, value]) => !NOISE.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${scalar(value)}`)
    .join(' ');

/** An error in full: its stack if it has one, every other field as JSON. */
const errorLines = (error: unknown): string[] => {
  if (error === undefined) return [];
  if (typeof error !== 'object' || error === null) return [`  ${String(error)}`];
  const { stack, ...rest } = error as { stack?: unknown };
  const lines = typeof stack === 'string' ? stack.split('\n').map((l) => `  ${l}`) : [];
  if (Object.keys(rest).length > 0) lines.push(`  ${JSON.stringify(rest)}`);
  return lines;
};

const isSerious = (level: string) => /^(warn|error|critical|fatal)$/i.test(level);

/** One line for an entry, and the error under it when it is a warning or worse. */
const describe = (source: string, entry: Record<string, unknown>, at: Date): string[] => {
  const level = String(entry.level ?? 'info').toUpperCase();
  const message = String(entry.message ?? entry.msg ?? '');
  const fields = fieldsOf(entry);
  const head = `${clock(at)} ${level === 'INFO' ? '' : `${level} `}${source}: ${message}${fields ? `  ${fields}` : ''}`;
  return isSerious(level) ? [head, ...errorLines(entry.error)] : [head];
};

export const accessLine = (entry: AccessEntry, at = new Date()): string =>
  `${clock(at)} ${entry.method.padEnd(6)} ${entry.path}  ${entry.status}  ${entry.ms} ms${entry.code ? `  ${entry.code}` : ''}`;

export const consoleLog = (format: LogFormat, output: Output = stdio): ConsoleLog => {
  const runtimeLog = (entry: Record<string, unknown>) => {
    const level = String(entry.level ?? '');
    if (!isSerious(level)) return;
    if (format === 'json') output.err(JSON.stringify(entry));
    else output.err(describe('runtime', entry, new Date()).join('\n'));
  };
  if (format === 'json') return { log: runtimeLog };
  return {
    log: runtimeLog,
    access: (entry) => output.out(accessLine(entry)),
    serviceLog: (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        output.out(line);
        return;
      }
      const level = String(entry.level ?? 'INFO');
      // The gateway's line for the same request says it already (with the path, not the route).
      if (entry.message === 'request' && !isSerious(level)) return;
      const at = typeof entry.timestamp === 'string' ? new Date(entry.timestamp) : new Date();
      const text = describe(String(entry.service ?? 'service'), entry, at).join('\n');
      if (isSerious(level)) output.err(text);
      else output.out(text);
    },
  };
};
