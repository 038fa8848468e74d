/**
 * Separation of duties and scope, as an attacker tried them: a secretary managing their own
 * record (withdrawing the committee's 处分, rewarding or nominating themselves, editing it), a
 * committee member managing their own, a secretary entering 奖惩, and person ids in bodies
 * that would reveal who exists in another branch. Each refusal writes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { type Client, committee, newBranch, personBody, register, TODAY } from './support.js';

let admin: Client;
let branchId: string;
let otherBranchId: string;
/** The secretary of the branch, as a person of it, and signed in as themselves. */
let secretaryId: string;
let secretary: Client;
/** Another person of the branch, whom the secretary manages. */
let memberId: string;

const auditOf = async (personId: string) =>
  (await admin.get(`/talent/audit/people/${personId}?limit=100`)).body.items as {
    action: string;
    changes?: { field: string; before?: unknown; after?: unknown }[];
  }[];

beforeAll(async () => {
  admin = await committee();
  branchId = (await newBranch(admin)).branchId;
  otherBranchId = (await newBranch(admin)).branchId;
  secretaryId = (await register(admin, { branchId, politicalStatus: 'full', statusSince: '2015-07-01' }))
    .personId;
  memberId = (await register(admin, { branchId, politicalStatus: 'full', statusSince: '2015-07-01' }))
    .personId;
  secretary = await as({ roles: ['secretary', 'member'], branchId, personId: secretaryId });
});

const expectCode = (res: { status: number; text: string; body: any }, status: number, code: string) => {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error.code).toBe(code);
};

describe('nobody manages their own record', () => {
  it('a secretary cannot withdraw the committee’s 处分 against them, reward, nominate, edit or advance themselves', async () => {
    const own = `/talent/people/${secretaryId}`;
    const discipline = await admin.post(`${own}/records`, {
      kind: 'discipline',
      date: '2026-10-01',
      title: '党内警告处分',
    });
    expect(discipline.status, discipline.text).toBe(201);
    const training = await admin.post(`${own}/records`, {
      kind: 'training',
      date: '2026-10-02',
      title: '培训',
    });
    const before = await admin.get(own);
    const writes = async () => (await auditOf(secretaryId)).filter((e) => !e.action.endsWith('.read')).length;
    const writtenBefore = await writes();

    const attempts = [
      secretary.post(`${own}/records/${discipline.body.recordId}/withdrawal`, { reason: '我不同意' }),
      secretary.patch(`${own}/records/${training.body.recordId}`, { version: 1, title: '改' }),
      secretary.post(`${own}/records`, { kind: 'training', date: '2026-10-03', title: '自己加的' }),
      secretary.put(`/talent/pools/reserve-cadre/members/${secretaryId}`),
      secretary.delete(`/talent/pools/young-talent/members/${secretaryId}`),
      secretary.patch(own, { version: before.body.version, title: '正高级' }),
      secretary.post(`${own}/transitions`, {
        to: 'masses',
        effectiveOn: '2026-11-01',
        evidence: { reason: 'x' },
      }),
      secretary.post(`${own}/oath`, { takenOn: '2026-11-01' }),
      secretary.post(`${own}/pipeline-events`, { kind: 'quarterly-discussion', on: '2026-11-01' }),
      secretary.post(`${own}/probation-extension`, { months: 6, decidedOn: '2026-11-01', reason: 'x' }),
    ];
    for (const res of await Promise.all(attempts)) expectCode(res, 403, 'own-record');

    // Nothing written: the record, its records and pools as they were, and no audit entry.
    expect((await admin.get(own)).body).toEqual(before.body);
    const me = await secretary.get('/talent/me');
    expect(me.body.pools).toEqual([]);
    expect(me.body.records.map((r: any) => [r.kind, r.version, r.withdrawnAt])).toEqual(
      expect.arrayContaining([
        ['discipline', 1, undefined],
        ['training', 1, undefined],
      ]),
    );
    expect(me.body.records).toHaveLength(2);
    expect(await writes()).toBe(writtenBefore);

    // Reading one's own record stays allowed.
    expect((await secretary.get(own)).status).toBe(200);
    expect((await secretary.get(`${own}/timeline`)).status).toBe(200);
  });

  it('nor registers themselves', async () => {
    const unregistered = await as({ roles: ['secretary', 'member'], branchId, personId: newId() });
    const res = await unregistered.post(
      '/talent/people',
      personBody({ personId: unregistered.personId, branchId }),
      { now: TODAY },
    );
    expectCode(res, 403, 'own-record');
    expect((await admin.get(`/talent/people/${unregistered.personId}`)).status).toBe(404);
  });

  it('a committee member’s own record is another committee member’s to manage', async () => {
    const memberOfCommittee = (
      await register(admin, { politicalStatus: 'full', statusSince: '2010-07-01', name: '党委委员' })
    ).personId;
    const self = await as({ roles: ['committee'], personId: memberOfCommittee });
    const path = `/talent/people/${memberOfCommittee}`;
    expectCode(
      await self.post(`${path}/records`, { kind: 'reward', date: '2026-10-01', title: '自评先进' }),
      403,
      'own-record',
    );
    expectCode(await self.patch(path, { version: 1, title: '自改' }), 403, 'own-record');
    expect(
      (await admin.post(`${path}/records`, { kind: 'reward', date: '2026-10-01', title: '优秀党务工作者' }))
        .status,
    ).toBe(201);
  });
});

describe('奖惩 are the committee’s', () => {
  it('a secretary enters, corrects and withdraws training but not rewards or discipline, even in their own branch', async () => {
    const records = `/talent/people/${memberId}/records`;
    for (const kind of ['reward', 'discipline']) {
      expectCode(
        await secretary.post(records, { kind, date: '2026-10-01', title: '支部书记录入' }),
        403,
        'record-kind-committee-only',
      );
      const entered = await admin.post(records, { kind, date: '2026-10-01', title: '党委决定' });
      expect(entered.status).toBe(201);
      const path = `${records}/${entered.body.recordId}`;
      expectCode(await secretary.patch(path, { version: 1, title: '改' }), 403, 'record-kind-committee-only');
      expectCode(
        await secretary.post(`${path}/withdrawal`, { reason: '撤' }),
        403,
        'record-kind-committee-only',
      );
      const withdrawn = await admin.post(`${path}/withdrawal`, { reason: '党委复议撤销' });
      expect(withdrawn.status, withdrawn.text).toBe(200);
    }
    const training = await secretary.post(records, { kind: 'training', date: '2026-10-01', title: '培训' });
    expect(training.status).toBe(201);
    const path = `${records}/${training.body.recordId}`;
    expect((await secretary.post(`${path}/withdrawal`, { reason: '重复录入' })).status).toBe(200);
  });
});

describe('out of scope is not found, and looks like nothing at all', () => {
  it('a secretary names no id for a new person: the same refusal for an id of another branch, of their own, or of no one', async () => {
    const elsewhere = (await register(admin, { branchId: otherBranchId })).personId;
    const answers = [];
    for (const personId of [elsewhere, memberId, newId()]) {
      const res = await secretary.post('/talent/people', personBody({ personId, branchId }), { now: TODAY });
      expectCode(res, 403, 'person-id-committee-only');
      answers.push(JSON.stringify(res.body.error));
    }
    expect(new Set(answers).size).toBe(1);
    // The committee, who sees the whole register, names ids; one taken is a conflict.
    const taken = await admin.post('/talent/people', personBody({ personId: elsewhere, branchId }), {
      now: TODAY,
    });
    expectCode(taken, 409, 'person-exists');
  });

  it('a contact person or introducer of another branch is not found, the same as no one', async () => {
    const applicant = (
      await register(secretary, { branchId, politicalStatus: 'applicant', statusSince: '2026-06-01' }, TODAY)
    ).personId;
    const outsiderFull = (await register(admin, { branchId: otherBranchId, politicalStatus: 'full' }))
      .personId;
    const outsiderMasses = (await register(admin, { branchId: otherBranchId })).personId;
    const answers = [];
    for (const contact of [outsiderFull, outsiderMasses, newId()]) {
      const res = await secretary.post(
        `/talent/people/${applicant}/transitions`,
        { to: 'activist', effectiveOn: '2026-11-26', evidence: { contactPersonIds: [contact] } },
        { now: TODAY },
      );
      expectCode(res, 404, 'not-found');
      answers.push(res.body);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    // The committee sees every branch: the outsider who is a full member will do.
    expect(
      (
        await admin.post(
          `/talent/people/${applicant}/transitions`,
          { to: 'activist', effectiveOn: '2026-11-26', evidence: { contactPersonIds: [outsiderFull] } },
          { now: TODAY },
        )
      ).status,
    ).toBe(201);
  });
});

describe('the audit log keeps what changed', () => {
  it('a correction’s fields before and after, contact details masked', async () => {
    const person = await register(admin, { branchId, phone: '13912345678', title: '药师' });
    const res = await admin.patch(`/talent/people/${person.personId}`, {
      version: 1,
      title: '主管药师',
      phone: '13800001111',
    });
    expect(res.status, res.text).toBe(200);
    const [update] = await auditOf(person.personId);
    expect(update).toMatchObject({
      action: 'person.update',
      changes: [
        { field: 'title', before: '药师', after: '主管药师' },
        { field: 'phone', before: '139****5678', after: '138****1111' },
      ],
    });
  });
});
