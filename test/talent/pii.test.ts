/**
 * Personal information (PIPL Art. 6): contact details are masked wherever people are listed or
 * a write is answered, whole only on one person's own record to those who may see it, and
 * never in events; no body sets ids, political status, versions or other server-kept fields.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { committee, newBranch, outbox, register, TODAY } from './support.js';

const PHONE = '13912345678';
const EMAIL = 'lisi@example.cn';
const MASKED = { phone: '139****5678', email: 'l***@example.cn' };
const WHOLE = { phone: PHONE, email: EMAIL };

const contactOf = (p: { phone?: string; email?: string; [k: string]: unknown }) => ({
  phone: p.phone,
  email: p.email,
});

const setUp = async () => {
  const admin = await committee();
  const { branchId } = await newBranch(admin);
  const created = await register(admin, { branchId, phone: PHONE, email: EMAIL });
  const secretary = await as({ roles: ['secretary', 'member'], branchId });
  const self = await as({ roles: ['member'], branchId, personId: created.personId });
  return { admin, branchId, created, personId: created.personId, secretary, self };
};

describe('contact details', () => {
  it('are masked in lists of people: the branch list, a stage, a pool', async () => {
    const { admin, branchId, personId, secretary } = await setUp();
    for (const caller of [admin, secretary]) {
      const list = await caller.get(`/talent/people?branchId=${branchId}`);
      expect(list.status).toBe(200);
      const listed = list.body.items.find((p: { personId: string }) => p.personId === personId);
      expect(contactOf(listed)).toEqual(MASKED);
      expect(list.text).not.toContain(PHONE);
      expect(list.text).not.toContain(EMAIL);
    }
    const byStage = await admin.get(`/talent/people?branchId=${branchId}&status=masses`);
    expect(contactOf(byStage.body.items[0])).toEqual(MASKED);
    expect((await admin.put(`/talent/pools/young-talent/members/${personId}`)).status).toBe(200);
    const pool = await secretary.get('/talent/pools/young-talent?limit=100');
    expect(contactOf(pool.body.items.find((p: { personId: string }) => p.personId === personId))).toEqual(
      MASKED,
    );
    const filtered = await admin.get(`/talent/people?branchId=${branchId}&pool=young-talent`);
    expect(contactOf(filtered.body.items[0])).toEqual(MASKED);
  });

  it('are masked in the answers to writes, which are not the person’s own record', async () => {
    const { admin, created, personId, secretary } = await setUp();
    expect(contactOf(created)).toEqual(MASKED);
    const patched = await secretary.patch(`/talent/people/${personId}`, { version: 1, title: '主管药师' });
    expect(patched.status).toBe(200);
    expect(contactOf(patched.body)).toEqual(MASKED);
    const moved = await admin.post(
      `/talent/people/${personId}/transitions`,
      { to: 'applicant', effectiveOn: '2024-03-01' },
      { now: TODAY },
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    expect(contactOf(moved.body.person)).toEqual(MASKED);
  });

  it('are whole on the person’s own record: to the committee, their secretary and themselves', async () => {
    const { admin, personId, secretary, self } = await setUp();
    for (const caller of [admin, secretary, self]) {
      const res = await caller.get(`/talent/people/${personId}`);
      expect(res.status).toBe(200);
      expect(contactOf(res.body)).toEqual(WHOLE);
    }
    const me = await self.get('/talent/me');
    expect(me.status).toBe(200);
    expect(contactOf(me.body.person)).toEqual(WHOLE);
    // Anyone else does not learn the record exists.
    const stranger = await as({ roles: ['secretary', 'member'], branchId: newId() });
    expect((await stranger.get(`/talent/people/${personId}`)).status).toBe(404);
  });

  it('never go into events, not even when they change', async () => {
    const { personId, secretary } = await setUp();
    const res = await secretary.patch(`/talent/people/${personId}`, {
      version: 1,
      phone: '13700001111',
      email: 'new@example.cn',
    });
    expect(res.status).toBe(200);
    const events = await outbox(personId);
    expect(events.map((e) => e.type)).toEqual(['PersonRegistered', 'PersonUpdated']);
    const text = JSON.stringify(events);
    for (const value of [PHONE, EMAIL, '13700001111', 'new@example.cn']) expect(text).not.toContain(value);
  });
});

describe('mass assignment', () => {
  it('no body sets an id, the political status, a version or a timestamp the service keeps', async () => {
    const { admin, branchId, personId, secretary } = await setUp();
    const path = `/talent/people/${personId}`;
    for (const field of [
      { politicalStatus: 'full' },
      { status: 'full' },
      { statusSince: '2021-01-01' },
      { personId: newId() },
      { createdAt: '2020-01-01T00:00:00Z' },
      { probation: { startedOn: '2026-01-01' } },
      { pipeline: { politicalReviewOn: '2026-01-01' } },
      { contactPersonIds: [newId()] },
      { points: 100 },
    ]) {
      const res = await secretary.patch(path, { version: 1, ...field });
      expect(res.status, JSON.stringify(field)).toBe(400);
    }
    for (const field of [{ version: 3 }, { createdAt: '2020-01-01T00:00:00Z' }, { probation: {} }]) {
      const res = await admin.post('/talent/people', {
        name: '王五',
        gender: 'male',
        birthDate: '1990-05-01',
        department: '药品检验所',
        politicalStatus: 'masses',
        statusSince: '2020-01-01',
        branchId,
        ...field,
      });
      expect(res.status, JSON.stringify(field)).toBe(400);
    }
    const records = `${path}/records`;
    expect(
      (await admin.post(records, { kind: 'training', date: '2026-01-01', title: 't', recordId: newId() }))
        .status,
    ).toBe(400);
    expect(
      (await admin.post(records, { kind: 'training', date: '2026-01-01', title: 't', recordedBy: newId() }))
        .status,
    ).toBe(400);
    // A new branch's party groups get their ids from the service.
    const branch = await admin.post('/talent/branches', {
      name: `支部 ${newId()}`,
      partyGroups: [{ id: newId(), name: '第一党小组' }],
    });
    expect(branch.status).toBe(400);
    expect((await admin.get(path)).body).toMatchObject({ version: 1, politicalStatus: 'masses' });
  });
});
