/**
 * The OpenAPI document as a tool nobody here wrote reads it: `@redocly/cli lint` with its
 * recommended rules and the exceptions in redocly.yaml (each with its reason), on the file
 * `npm run openapi` writes and on the document `npm start` serves. Zero errors; the
 * failure lists each problem with its rule and where it is.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openApiDocument } from '../../infra/local/openapi.js';
import { services } from '../../services/index.js';

interface LintReport {
  problems: {
    ruleId: string;
    severity: 'error' | 'warn';
    message: string;
    location: { source: { ref: string }; pointer: string }[];
  }[];
}

const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
const config = new URL('../../redocly.yaml', import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dangjian-openapi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One file per run: redocly prints one JSON report per file it lints. */
const lint = async (file: string): Promise<LintReport> => {
  // redocly exits 1 when it finds errors; the report on stdout is what counts.
  const run = await promisify(execFile)(
    process.execPath,
    [cli, 'lint', file, '--config', config, '--format', 'json', '--max-problems', '1000'],
    {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    if (!error.stdout) throw new Error(`redocly did not report: ${error.stderr ?? String(error)}`);
    return { stdout: error.stdout };
  });
  return JSON.parse(run.stdout) as LintReport;
};

it('passes redocly lint (recommended rules) without errors', async () => {
  const documents = {
    'the file npm run openapi writes': openApiDocument(services),
    'the document npm start serves': openApiDocument(services, 'http://localhost:3000'),
  };
  const errors = (
    await Promise.all(
      Object.entries(documents).map(async ([name, document], i) => {
        const file = join(dir, `openapi-${i}.json`);
        await writeFile(file, JSON.stringify(document, null, 2));
        const report = await lint(file);
        return report.problems
          .filter((p) => p.severity === 'error')
          .map((p) => `${name}: ${p.ruleId} at ${p.location.map((l) => l.pointer).join(', ')}: ${p.message}`);
      }),
    )
  ).flat();
  expect(errors, `redocly lint found errors:\n${errors.join('\n')}`).toEqual([]);
}, 60_000);
