/**
 * The API through the local runtime: requests per second and latency percentiles for a
 * read, a write with its outbox event, and contended registrations, at a few levels of
 * concurrency. Everything runs on this machine (DynamoDB Local on Java included), so the
 * figures compare changes to our code, not what AWS would do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalIssuer } from '../infra/local/auth.js';
import { startRuntime } from '../infra/local/runtime.js';
import { services } from '../services/index.js';

interface Measured {
  requests: number;
  seconds: number;
  latencies: number[];
  statuses: Map<number, number>;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

const measure = async (
  concurrency: number,
  total: number,
  call: (i: number) => Promise<number>,
): Promise<Measured> => {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        const status = await call(i);
        latencies.push(performance.now() - t);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return { requests: total, seconds: (performance.now() - started) / 1000, latencies, statuses };
};

const report = (name: string, concurrency: number, m: Measured) => {
  const sorted = [...m.latencies].sort((a, b) => a - b);
  const statuses = [...m.statuses].map(([s, n]) => `${s}×${n}`).join(' ');
  console.log(
    `${name.padEnd(38)} ${String(concurrency).padStart(3)}  ${(m.requests / m.seconds).toFixed(0).padStart(7)}  ` +
      `${percentile(sorted, 0.5).toFixed(1).padStart(7)}  ${percentile(sorted, 0.95).toFixed(1).padStart(7)}  ` +
      `${percentile(sorted, 0.99).toFixed(1).padStart(7)}  ${statuses}`,
  );
};

export const run = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dangjian-bench-'));
  const runtime = await startRuntime({ services, dataDir, inMemory: true, port: 0, logLevel: 'SILENT' });
  try {
    const issuer = await createLocalIssuer({ dataDir });
    const committee = await issuer.issueToken({ roles: ['committee'] });
    const json = (token: string) => ({
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    });
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${runtime.url}${path}`, {
        method,
        headers: json(token),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      await res.arrayBuffer();
      return res.status;
    };

    const branch = await fetch(`${runtime.url}/talent/branches`, {
      method: 'POST',
      headers: json(committee),
      body: JSON.stringify({ name: '基准测试支部' }),
    }).then((r) => r.json() as Promise<{ branchId: string }>);
    const person = (i: number) => ({
      name: `党员${i}`,
      gender: i % 2 ? 'male' : 'female',
      birthDate: '1990-05-01',
      department: '化学室',
      branchId: branch.branchId,
      politicalStatus: 'full',
      statusSince: '2015-07-01',
    });

    const event = await fetch(`${runtime.url}/community/events`, {
      method: 'POST',
      headers: { ...json(committee), 'x-dangjian-now': '2026-11-01T10:00:00+08:00' },
      body: JSON.stringify({
        title: '基准 联合主题党日',
        kind: 'joint-theme-day',
        description: '-',
        location: '-',
        capacity: 100,
        startsAt: '2099-03-12T09:00:00+08:00',
        endsAt: '2099-03-12T11:00:00+08:00',
        registrationOpensAt: '2026-01-01T09:00:00+08:00',
        registrationClosesAt: '2099-03-10T18:00:00+08:00',
      }),
    }).then((r) => r.json() as Promise<{ jointEventId: string }>);
    await call('POST', `/community/events/${event.jointEventId}/publish`, committee);
    const members = await Promise.all(
      Array.from({ length: 400 }, () => issuer.issueToken({ roles: ['member'] })),
    );

    console.log('scenario                               conc    req/s   p50 ms   p95 ms   p99 ms  statuses');
    for (const concurrency of [1, 8, 32]) {
      report(
        'GET /health',
        concurrency,
        await measure(concurrency, 300, () => call('GET', '/health', committee)),
      );
    }
    let n = 0;
    for (const concurrency of [1, 8, 32]) {
      report(
        'POST /talent/people (+ outbox)',
        concurrency,
        await measure(concurrency, 200, () => call('POST', '/talent/people', committee, person(n++))),
      );
    }
    for (const concurrency of [1, 8, 32]) {
      report(
        'GET /talent/people?branchId (page 20)',
        concurrency,
        await measure(concurrency, 200, () =>
          call('GET', `/talent/people?branchId=${branch.branchId}`, committee),
        ),
      );
    }
    report(
      '400 registrations, 100 places',
      32,
      await measure(32, 400, (i) =>
        call('POST', `/community/events/${event.jointEventId}/registrations`, members[i] as string, {}),
      ),
    );
    const settleStart = performance.now();
    await runtime.settle();
    console.log(
      `settle after the writes (relays + bus + consumers): ${(performance.now() - settleStart).toFixed(0)} ms`,
    );
  } finally {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};
