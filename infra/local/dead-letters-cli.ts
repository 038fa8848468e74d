/**
 * npm run dead-letters                      list the local bus's dead letters (from disk; the
 *                                           runtime need not be running)
 * npm run dead-letters -- --json            the same as JSON
 * npm run dead-letters -- --redrive         redrive all of them (needs the running runtime)
 * npm run dead-letters -- --redrive <id>    redrive one
 *
 * Data dir: $DANGJIAN_DATA_DIR, default .data
 */
import { parseArgs } from 'node:util';
import { type DeadLetter, DeadLetterStore, readRuntimeInfo } from './dead-letters.js';

const USAGE = `usage: npm run dead-letters [-- --json]
       npm run dead-letters -- --redrive [id]`;

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = process.env.DANGJIAN_DATA_DIR ?? '.data';
  const store = new DeadLetterStore(dataDir);

  if (!values.redrive) {
    if (positionals.length > 0) {
      console.error(
        `unexpected argument ${positionals[0]} (did you mean --redrive ${positionals[0]}?)\n${USAGE}`,
      );
      return 2;
    }
    const letters = await store.list();
    if (values.json) console.log(JSON.stringify(letters, null, 2));
    else if (letters.length === 0) console.log(`No dead letters in ${store.dir}.`);
    else printTable(letters);
    return 0;
  }

  if (positionals.length > 1) {
    console.error(`--redrive takes at most one id\n${USAGE}`);
    return 2;
  }
  const id = positionals[0];
  return redrive(dataDir, store, id);
}

function parse() {
  return parseArgs({
    options: {
      redrive: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
  });
}

async function redrive(dataDir: string, store: DeadLetterStore, id: string | undefined): Promise<number> {
  const info = await readRuntimeInfo(dataDir);
  if (!info) {
    console.error(
      `The local runtime is not running (no ${dataDir}/runtime.json): start it with npm start, then redrive.`,
    );
    return 1;
  }
  const base = info.busAdminUrl.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/dead-letters/redrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(id === undefined ? {} : { id }),
    });
  } catch {
    console.error(
      `The local runtime is not running (nothing answers at ${base}; ${dataDir}/runtime.json is stale).`,
    );
    return 1;
  }
  const body = (await response.json().catch(() => ({}))) as {
    redriven?: string[];
    skipped?: { id: string; reason: string }[];
    error?: { code?: string; message?: string };
  };
  if (!response.ok) {
    console.error(`Redrive refused (${response.status}): ${body.error?.message ?? response.statusText}`);
    return 1;
  }
  const redriven = body.redriven ?? [];
  for (const skip of body.skipped ?? []) console.log(`skipped ${skip.id}: ${skip.reason}`);
  if (redriven.length === 0) {
    console.log('Nothing to redrive.');
    return 0;
  }
  console.log(`Redriving ${redriven.length} dead letter(s)...`);

  // Wait for the bus to settle (retries included), then see which letters are gone.
  try {
    const idle = await fetch(`${base}/idle`, { signal: AbortSignal.timeout(120_000) });
    if (!idle.ok) throw new Error(`GET /idle answered ${idle.status}`);
  } catch (err) {
    console.log(
      `Still in progress (${(err as Error).message}); run npm run dead-letters later to see the outcome.`,
    );
    return 0;
  }
  let failed = 0;
  for (const letterId of redriven) {
    const letter = await store.get(letterId);
    if (!letter) {
      console.log(`delivered  ${letterId}`);
    } else {
      failed++;
      console.log(
        `FAILED     ${letterId} (${letter.target}, ${letter.attempts} attempts): ${letter.error.message}`,
      );
    }
  }
  console.log(`${redriven.length - failed} delivered, ${failed} failed again.`);
  return failed === 0 ? 0 : 1;
}

function printTable(letters: DeadLetter[]): void {
  const rows = letters.map((letter) => [
    letter.id,
    letter.target,
    String(letter.event?.['detail-type'] ?? ''),
    truncate((letter.reason ? `[${letter.reason}] ` : '') + oneLine(letter.error?.message ?? ''), 60),
    String(letter.attempts),
    letter.lastAttemptAt,
  ]);
  const header = ['ID', 'TARGET', 'DETAIL-TYPE', 'ERROR', 'ATTEMPTS', 'LAST ATTEMPT'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(format(header));
  for (const row of rows) console.log(format(row));
  console.log(`\n${letters.length} dead letter(s). Redrive with: npm run dead-letters -- --redrive [id]`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
