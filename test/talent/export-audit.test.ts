/**
 * talent's audit log records every service's exports, not only its own: an export made in
 * resources or community publishes PersonalDataExported, and talent's log lists one
 * `register.export` entry for it by the actor, naming the register, its query and its rows,
 * once however often the event arrives.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportedBy } from '../../shared/exports.js';
import { newId } from '../../shared/ids.js';
import { toLocalIso } from '../../shared/time.js';
import { publishedEvent } from '../community/support.js';
import { as, publish, runtime, settle, tableClient } from '../support/api.js';
import { type DeliveringTwice, startDeliveringTwice } from '../support/twice.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';

type Client = Awaited<ReturnType<typeof as>>;
interface Entry {
  auditId: string;
  actor: string;
  accountId: string;
  actorRoles: string[];
  action: string;
  export?: {
    exportId: string;
    service: string;
    register: string;
    query: Record<string, unknown>;
    rows: number;
  };
  at: string;
  requestId: string;
}

const exportsBy = async (admin: Client, actor: string): Promise<Entry[]> => {
  const res = await admin.get(`/talent/audit/actors/${actor}?limit=100`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.items as Entry[]).filter((e) => e.action === 'register.export');
};

/** Waits for `count` export entries by the actor (the log is written from the bus, a moment later). */
const entriesOf = async (admin: Client, actor: string, count: number): Promise<Entry[]> => {
  let entries: Entry[] = [];
  await until(`${count} export entries by ${actor} in talent's audit log`, DELIVERY_BUDGET_MS, async () => {
    entries = await exportsBy(admin, actor);
    return entries.length >= count;
  });
  return entries;
};

describe("talent's audit log of exports", () => {
  it('lists exports made in resources and community (the sheet and the CSV) by the actor, with register, query and rows', async () => {
    const exporter = await as({ roles: ['committee'] });
    const admin = await as({ roles: ['committee'] });
    const assessment = await exporter.post('/resources/assessments', {
      title: '党史知识考核',
      passMark: 60,
      timeLimitMinutes: 10,
      maxAttempts: 1,
      questions: [{ kind: 'true-false', prompt: '中国共产党成立于1921年。', answer: true }],
    });
    expect(assessment.status).toBe(201);
    const assessmentId = assessment.body.assessmentId as string;
    const results = await exporter.get(`/resources/assessments/${assessmentId}/results.xlsx`);
    expect(results.status).toBe(200);
    const { eventId } = await publishedEvent({ capacity: 5 });
    const sheet = await exporter.get(`/community/events/${eventId}/registrations.xlsx`);
    expect(sheet.status).toBe(200);
    const csv = await exporter.get(`/community/events/${eventId}/registrations.csv`);
    expect(csv.status).toBe(200);

    const entries = await entriesOf(admin, exporter.personId, 3);
    const byRegister = Object.fromEntries(entries.map((e) => [e.export?.register, e]));
    expect(byRegister['resources.assessment-results']).toMatchObject({
      actor: exporter.personId,
      accountId: exporter.sub,
      actorRoles: ['committee'],
      requestId: results.headers.get('x-request-id'),
      export: { service: 'resources', query: { assessmentId }, rows: 0 },
    });
    expect(byRegister['community.sign-in-sheet']).toMatchObject({
      actor: exporter.personId,
      requestId: sheet.headers.get('x-request-id'),
      export: { service: 'community', query: { eventId, format: 'xlsx' }, rows: 0 },
    });
    expect(byRegister['community.registrations']).toMatchObject({
      requestId: csv.headers.get('x-request-id'),
      export: { service: 'community', query: { eventId, format: 'csv' }, rows: 0 },
    });
    expect(entries).toHaveLength(3);
    // The entry is the export's own: its id is the export's.
    for (const e of entries) expect(e.auditId).toBe(e.export?.exportId);
    // Room for the wait across the bus on a loaded machine.
  });

  it('keeps one entry for an export whose event arrives twice under different event ids', async () => {
    const admin = await as({ roles: ['committee'] });
    const actor = newId();
    const contract = exportedBy('activities');
    const data = {
      exportId: newId(),
      register: 'activities.register',
      actor,
      accountId: newId(),
      actorRoles: ['secretary', 'member'],
      scope: { branchId: newId(), year: 2026 },
      rows: 12,
      at: toLocalIso(new Date()),
      requestId: newId(),
    };
    // The same export published twice (a relay that sent it again): two events, one export.
    const first = await publish(contract, data);
    const second = await publish(contract, data);
    const seen = (eventId: string) =>
      tableClient()
        .send(
          new GetCommand({
            TableName: runtime().tableNames.talent as string,
            Key: { pk: `SEEN#audit-activities-exports#${eventId}`, sk: 'SEEN' },
            ConsistentRead: true,
          }),
        )
        .then((out) => out.Item !== undefined);
    await until('talent applied both events', DELIVERY_BUDGET_MS, async () =>
      (await Promise.all([seen(first.eventId), seen(second.eventId)])).every(Boolean),
    );
    const entries = await exportsBy(admin, actor);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      auditId: data.exportId,
      actorRoles: ['secretary', 'member'],
      export: { service: 'activities', register: 'activities.register', query: data.scope, rows: 12 },
    });
  });
});

describe('an export whose every event is delivered twice', () => {
  let twice: DeliveringTwice;
  beforeAll(async () => {
    twice = await startDeliveringTwice('export-audit');
  });
  afterAll(async () => {
    await twice?.stop();
  });

  it("leaves one entry in talent's log", {
    // Its waits: a settle and the audit entries.
    timeout: timeoutFor(deliveries(2)),
  }, async () => {
    const exporter = await as({ roles: ['committee'] });
    const admin = await as({ roles: ['committee'] });
    const { eventId } = await publishedEvent({ capacity: 5 });
    twice.received.clear();
    const sheet = await exporter.get(`/community/events/${eventId}/registrations.xlsx`);
    expect(sheet.status).toBe(200);
    await entriesOf(admin, exporter.personId, 1);
    // Every event, the export's included, arrived twice; only then is "one entry" a finding.
    await settle();
    expect(twice.received.size).toBeGreaterThan(0);
    expect([...new Set(twice.received.values())]).toEqual([2]);
    const entries = await exportsBy(admin, exporter.personId);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.export).toMatchObject({ register: 'community.sign-in-sheet', query: { eventId } });
  });
});
