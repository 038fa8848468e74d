/**
 * Correcting and withdrawing a person's records (PATCH /talent/people/{p}/records/{r}, POST
 * …/withdrawal): the rating stays within its kind, corrections are optimistic, a withdrawn
 * record stays on file marked as withdrawn, and only the person's secretary or the committee may.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { toLocalIso } from '../../shared/time.js';
import { as, runtime, tableClient } from '../support/api.js';
import { type Client, committee, newBranch, register } from './support.js';

const NOW = '2026-11-26T10:00:00+08:00';

/** A fresh branch with one person in it and a performance record on them. */
const setUp = async () => {
  const admin = await committee();
  const { branchId } = await newBranch(admin);
  const personId = (await register(admin, { branchId })).personId;
  const secretary = await as({ roles: ['secretary', 'member'], branchId });
  const created = await secretary.post(
    `/talent/people/${personId}/records`,
    { kind: 'performance', date: '2026-01-15', title: '2025年度考核', rating: 'competent' },
    { now: NOW },
  );
  expect(created.status).toBe(201);
  const recordId = created.body.recordId as string;
  expect(recordId).toMatch(/^[0-9A-Z]{26}$/);
  expect(created.body.version).toBe(1);
  return {
    admin,
    branchId,
    personId,
    secretary,
    recordId,
    path: `/talent/people/${personId}/records/${recordId}`,
  };
};

const timelineRecords = async (client: Client, personId: string) =>
  ((await client.get(`/talent/people/${personId}/timeline`)).body.items as any[]).filter(
    (e) => e.type === 'record',
  );

describe('correcting a record', () => {
  it('corrects a rating within its kind; a rating of another kind is a 400', async () => {
    const { secretary, admin, personId, recordId, path } = await setUp();
    const fixed = await secretary.patch(
      path,
      { version: 1, rating: 'excellent', details: '复核后更正' },
      { now: NOW },
    );
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(fixed.body).toMatchObject({
      recordId,
      personId,
      kind: 'performance',
      rating: 'excellent',
      details: '复核后更正',
      title: '2025年度考核',
      version: 2,
      correctedBy: secretary.personId,
    });
    // 'qualified' is a democratic-evaluation rating, not a performance one.
    const wrongKind = await admin.patch(path, { version: 2, rating: 'qualified' });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.error.details.fields).toEqual([
      { field: 'body.rating', message: expect.stringContaining('performance rating is one of') },
    ]);
    const cleared = await admin.patch(path, { version: 2, details: null, date: '2026-01-20' });
    expect(cleared.status).toBe(200);
    expect(cleared.body).not.toHaveProperty('details');
    const shown = await timelineRecords(admin, personId);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({
      recordId,
      rating: 'excellent',
      on: '2026-01-20',
      date: '2026-01-20',
      version: 3,
    });
    expect(shown[0]).not.toHaveProperty('details');
  });

  it('refuses a rating on a kind that takes none', async () => {
    const { admin, personId } = await setUp();
    const reward = await admin.post(`/talent/people/${personId}/records`, {
      kind: 'reward',
      date: '2026-05-01',
      title: '先进工作者',
    });
    expect(reward.status).toBe(201);
    const path = `/talent/people/${personId}/records/${reward.body.recordId}`;
    expect((await admin.patch(path, { version: 1, rating: 'excellent' })).status).toBe(400);
    expect((await admin.patch(path, { version: 1, title: '优秀共产党员' })).body).toMatchObject({
      title: '优秀共产党员',
      version: 2,
    });
    expect((await admin.patch(path, { version: 2, kind: 'discipline' })).status).toBe(400);
  });

  it('refuses a stale version with 409; of two corrections from one read, one wins', async () => {
    const { admin, personId, path } = await setUp();
    expect((await admin.patch(path, { version: 1, title: '第一次更正' })).status).toBe(200);
    const stale = await admin.patch(path, { version: 1, title: '旧读' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version-conflict');
    const results = await Promise.all(['甲', '乙'].map((title) => admin.patch(path, { version: 2, title })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200);
    expect((await timelineRecords(admin, personId))[0]).toMatchObject({
      title: winner?.body.title,
      version: 3,
    });
  });

  it('many corrections from the same read at once: exactly one lands', async () => {
    // Eight at once make several pass the read check, so the write's version condition decides.
    const { admin, personId, path } = await setUp();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => admin.patch(path, { version: 1, title: `更正${i}` })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    expect((await timelineRecords(admin, personId))[0]).toMatchObject({ version: 2 });
  });

  it('a record written before versioning counts as version 1', async () => {
    const { admin, personId } = await setUp();
    const recordId = newId();
    // As POST wrote records before they carried a version.
    await tableClient().send(
      new PutCommand({
        TableName: runtime().tableNames.talent as string,
        Item: {
          pk: `PERSON#${personId}`,
          sk: `RECORD#${recordId}`,
          kind: 'record',
          recordKind: 'evaluation',
          recordId,
          personId,
          date: '2025-12-01',
          on: '2025-12-01',
          title: '民主评议',
          rating: 'qualified',
          recordedBy: admin.personId,
          recordedAt: '2025-12-01T08:00:00+08:00',
        },
      }),
    );
    const path = `/talent/people/${personId}/records/${recordId}`;
    expect((await admin.patch(path, { version: 2, rating: 'excellent' })).status).toBe(409);
    const res = await admin.patch(path, { version: 1, rating: 'excellent' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ kind: 'evaluation', rating: 'excellent', version: 2 });
  });
});

describe('withdrawing a record', () => {
  it('keeps it on file, shown as withdrawn, in the timeline and the person’s own view; it is never changed again', async () => {
    const { secretary, admin, branchId, personId, recordId, path } = await setUp();
    const self = await as({ roles: ['member'], branchId, personId: personId });
    const withdrawn = await secretary.post(
      `${path}/withdrawal`,
      { reason: '考核结果录错了人' },
      { now: NOW },
    );
    expect(withdrawn.status, withdrawn.text).toBe(200);
    expect(withdrawn.body).toMatchObject({
      recordId,
      version: 2,
      title: '2025年度考核',
      withdrawnAt: toLocalIso(new Date(NOW)),
      withdrawnBy: secretary.personId,
      withdrawalReason: '考核结果录错了人',
    });
    expect(await timelineRecords(admin, personId)).toEqual([
      expect.objectContaining({ recordId, withdrawalReason: '考核结果录错了人', version: 2 }),
    ]);
    expect((await self.get('/talent/me')).body.records).toEqual([
      expect.objectContaining({ recordId, withdrawnBy: secretary.personId }),
    ]);
    // Withdrawn means kept as it was: neither corrected nor withdrawn again.
    for (const again of [
      await secretary.post(`${path}/withdrawal`, { reason: '再撤一次' }),
      await admin.patch(path, { version: 2, title: 'x' }),
    ]) {
      expect(again.status, again.text).toBe(409);
      expect(again.body.error.code).toBe('record-withdrawn');
    }
  });

  it('needs a reason, and there is no hard delete', async () => {
    const { admin, path } = await setUp();
    for (const body of [{}, { reason: '' }, { reason: '  ' }]) {
      expect((await admin.post(`${path}/withdrawal`, body)).status).toBe(400);
    }
    expect((await admin.delete(path)).status).toBe(404);
    expect((await admin.patch(path, { version: 1, title: '仍在' })).status).toBe(200);
  });
});

describe('who may correct records', () => {
  it('a secretary of another branch gets 404; a member (even the person) is refused', async () => {
    const { admin, branchId, personId, path } = await setUp();
    const elsewhere = await as({
      roles: ['secretary', 'member'],
      branchId: (await newBranch(admin)).branchId,
    });
    expect((await elsewhere.patch(path, { version: 1, title: 'x' })).status).toBe(404);
    expect((await elsewhere.post(`${path}/withdrawal`, { reason: 'x' })).status).toBe(404);
    for (const member of [
      await as({ roles: ['member'], branchId, personId: personId }),
      await as({ roles: ['member'], branchId }),
    ]) {
      expect((await member.patch(path, { version: 1, title: 'x' })).status).toBe(403);
      expect((await member.post(`${path}/withdrawal`, { reason: 'x' })).status).toBe(403);
    }
    // Nothing changed: the record is still there at version 1.
    expect((await timelineRecords(admin, personId))[0]).toMatchObject({ title: '2025年度考核', version: 1 });
    // A record id that is not this person's is not found, even for the committee.
    expect((await admin.patch(`/talent/people/${personId}/records/${newId()}`, { version: 1 })).status).toBe(
      404,
    );
    expect(
      (await admin.post(`/talent/people/${newId()}/records/${newId()}/withdrawal`, { reason: 'x' })).status,
    ).toBe(404);
  });
});
