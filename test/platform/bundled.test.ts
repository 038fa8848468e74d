/**
 * The runtime on the bundles CDK deploys (infra/local/bundles.ts), as `npm start` runs it:
 * every function in a worker of its own with its Lambda environment, driven end to end
 * through the gateway. A write, its event relayed from the stream, a consumer's effect; a
 * paged list whose cursor key the router reads from the local Secrets Manager; an upload
 * through the presigned POST, checked by the consumer S3's event reaches. What would fail
 * only after a deploy (a module left out of a bundle, an import esbuild cannot follow, an
 * environment variable the stack does not set) fails here.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../services/index.js';
import { branchWithMembers, meeting } from '../activities/support.js';
import { announcePdf, expectStatus, pdfBytes, uploadWith } from '../resources/support.js';
import { settle } from '../support/api.js';
import { startOwnRuntime } from '../support/own-runtime.js';
import type { TestRuntime } from '../support/start.js';
import { until } from '../support/wait.js';

/**
 * Each function's first invocation starts its worker and imports its bundle (a cold start,
 * a second or more each on a busy machine), and a test here reaches a dozen functions.
 */
const COLD_STARTS_MS = 180_000;

let runtime: TestRuntime;
let stop: (() => Promise<void>) | undefined;
const serviceLines: string[] = [];

beforeAll(async () => {
  ({ runtime, stop } = await startOwnRuntime('bundled', {
    services,
    build: 'bundles',
    logLevel: 'INFO',
    serviceLog: (line) => serviceLines.push(line),
  }));
}, 300_000);

afterAll(() => stop?.());

interface Health {
  status: string;
  build: string;
  bundles: Record<string, { entry: string; sha256: string; bytes: number }>;
  parts: { functions: { status: string; failing?: unknown } };
}

const health = async (): Promise<Health> => (await fetch(`${runtime.url}/health`)).json() as Promise<Health>;

describe('the runtime on the deployed bundles', () => {
  it('says in /health that it runs the bundles, each by the hash and size of the file it loads', async () => {
    const report = await health();
    expect(report.build).toBe('bundles');
    const build = runtime.build;
    if (build === 'sources') throw new Error('the runtime runs the sources');
    expect(Object.keys(report.bundles).sort()).toEqual(
      [...services.map((s) => s.name), 'platform-accounts', 'platform-partner-accounts'].sort(),
    );
    for (const bundle of Object.values(build.bundles)) {
      const code = await readFile(bundle.file);
      expect(report.bundles[bundle.name]).toEqual({
        entry: bundle.entry,
        bytes: code.length,
        sha256: createHash('sha256').update(code).digest('hex').slice(0, 12),
      });
    }
  });

  it(
    "relays an activity's event from its bundle's stream to the notices bundle, which fills the invitees' inboxes",
    async () => {
      const { branchId, secretary, members } = await branchWithMembers(2);
      const scheduled = await secretary.post('/activities', meeting(branchId), {
        now: '2026-11-20T10:00:00+08:00',
      });
      expectStatus(scheduled, 201);
      const activityId = scheduled.body.activityId as string;
      for (const member of members) {
        await until('the activity in the invitee’s inbox', 60_000, async () => {
          const res = await member.get('/notices/me?limit=100');
          expectStatus(res, 200);
          return (res.body.items as { activityId?: string }[]).some((e) => e.activityId === activityId);
        });
      }
      // Paged one by one: the router seals and opens the cursor with the key it read from Secrets Manager.
      const other = await secretary.post('/activities', meeting(branchId, { title: '组织生活会' }), {
        now: '2026-11-20T10:00:00+08:00',
      });
      expectStatus(other, 201);
      const both = [activityId, other.body.activityId as string].sort();
      const reader = members[0] as (typeof members)[number];
      await until('both activities in the inbox', 60_000, async () => {
        const res = await reader.get('/notices/me?limit=100');
        const ids = (res.body.items as { activityId?: string }[]).map((e) => e.activityId);
        return both.every((id) => ids.includes(id));
      });
      const first = await reader.get('/notices/me?limit=1');
      expectStatus(first, 200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await reader.get(
        `/notices/me?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      );
      expectStatus(second, 200);
      expect(
        [...first.body.items, ...second.body.items].map((e: { activityId: string }) => e.activityId).sort(),
      ).toEqual(both);
      // The functions' own log lines reach the runtime, as Lambda ships them to their log groups.
      expect(serviceLines.some((line) => line.includes('"service":"activities"'))).toBe(true);
      expect((await health()).parts.functions).toMatchObject({ status: 'up' });
    },
    COLD_STARTS_MS,
  );

  it(
    'takes an upload through the presigned POST and makes it available once the consumer checked it',
    async () => {
      const { secretary, members } = await branchWithMembers(1);
      const bytes = pdfBytes('三会一课 学习材料');
      const { resourceId, upload } = await announcePdf(secretary, '党章学习', bytes);
      expect(upload.url.startsWith(runtime.s3Endpoint)).toBe(true);
      expect((await uploadWith(upload, bytes, 'application/pdf')).status).toBe(204);
      await settle();
      const read = await members[0]?.get(`/resources/${resourceId}`);
      expect(read?.body).toMatchObject({ status: 'available', title: '党章学习' });
      const download = await members[0]?.get(`/resources/${resourceId}/download`);
      expectStatus(download as never, 200);
      const fetched = await fetch(download?.body.url);
      expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(bytes);
    },
    COLD_STARTS_MS,
  );
});
