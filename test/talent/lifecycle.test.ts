/**
 * Membership over a whole life (talent's README, "Membership lifecycle"), through the local
 * gateway: a transfer out with its letter, a transfer in, and each end of a membership.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { talentService } from '../../services/talent/service.js';
import { newId } from '../../shared/ids.js';
import { meeting } from '../activities/support.js';
import { as, useRuntime } from '../support/api.js';
import { infoOf, startTestRuntime, type TestRuntime } from '../support/start.js';
import { DELIVERY_BUDGET_MS, until } from '../support/wait.js';
import { committee, newBranch, outbox, register, retiredMembersBranch, TODAY } from './support.js';

const at = { now: TODAY };
const decision = { on: '2026-11-20', reason: '经党委会研究决定', authority: '党委〔2026〕15号' };

/** A fresh branch with its secretary, and a full member of it. */
const branchWithMember = async () => {
  const admin = await committee();
  const { branchId } = await newBranch(admin);
  const secretary = await as({ roles: ['secretary', 'member'], branchId });
  const member = await register(admin, { branchId, politicalStatus: 'full', statusSince: '2015-07-01' });
  return { admin, branchId, secretary, member };
};

/** A new retired members' branch (离退休党支部); its id. */
const read = async (admin: Awaited<ReturnType<typeof committee>>, personId: string) => {
  const res = await admin.get(`/talent/people/${personId}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};

const listed = async (admin: Awaited<ReturnType<typeof committee>>, branchId: string) =>
  ((await admin.get(`/talent/people?branchId=${branchId}`)).body.items as { personId: string }[]).map(
    (p) => p.personId,
  );

describe('a transfer out (组织关系转出)', () => {
  const letter = {
    letterNumber: '京药检党转字〔2026〕12号',
    receivingOrganisation: '中共某某市药品监督管理局机关委员会',
    on: '2026-11-20',
  };

  it('takes the member out of the branch and its counts, the letter kept on the record', async () => {
    const { admin, branchId, secretary, member } = await branchWithMember();
    const res = await secretary.post(
      `/talent/people/${member.personId}/transfer-out`,
      { version: member.version, ...letter, note: '随调' },
      at,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.departure).toMatchObject({
      on: '2026-11-20',
      reason: 'transferred-out',
      formerBranchId: branchId,
      transfer: {
        letterNumber: letter.letterNumber,
        receivingOrganisation: letter.receivingOrganisation,
        note: '随调',
      },
    });
    expect(res.body.branchId).toBeUndefined();
    // The record stays for history; the register and its counts no longer hold them.
    expect((await read(admin, member.personId)).departure.transfer.letterNumber).toBe(letter.letterNumber);
    expect(await listed(admin, branchId)).not.toContain(member.personId);
    const ages = await admin.get(`/talent/insights/age-structure?branchId=${branchId}`, at);
    expect(ages.body.members.count).toBe(0);
    const events = (await outbox(member.personId)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['MemberLeftBranch', 'PersonUpdated']));
    const audit = await admin.get(`/talent/audit/people/${member.personId}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('person.transfer-out');
  });

  it('is refused without its letter, in the future, for who is no party member, and writes nothing', async () => {
    const { admin, branchId, member } = await branchWithMember();
    const path = `/talent/people/${member.personId}/transfer-out`;
    const { letterNumber: _l, ...noLetter } = letter;
    const missing = await admin.post(path, { version: member.version, ...noLetter }, at);
    expect(missing.status).toBe(400);
    const blank = await admin.post(path, { version: member.version, ...letter, letterNumber: '   ' }, at);
    expect(blank.status).toBe(400);
    const future = await admin.post(path, { version: member.version, ...letter, on: '2026-11-27' }, at);
    expect(future.status).toBe(422);
    expect(future.body.error.code).toBe('departure-in-future');
    const activist = await register(admin, {
      branchId,
      politicalStatus: 'activist',
      statusSince: '2025-01-01',
    });
    const notMember = await admin.post(
      `/talent/people/${activist.personId}/transfer-out`,
      { version: activist.version, ...letter },
      at,
    );
    expect(notMember.status).toBe(422);
    expect(notMember.body.error.code).toBe('not-a-party-member');
    const after = await read(admin, member.personId);
    expect(after.version).toBe(member.version);
    expect(after.departure).toBeUndefined();
  });

  it('is followed by activities: the member is no longer invited to their old branch’s meetings', async () => {
    const { admin, branchId, member } = await branchWithMember();
    const invitees = async () =>
      ((await admin.post('/activities', meeting(branchId), { now: '2026-11-20T10:00:00+08:00' })).body
        .inviteeIds ?? []) as string[];
    await until('the member is on the activities roster', DELIVERY_BUDGET_MS, async () =>
      (await invitees()).includes(member.personId),
    );
    const res = await admin.post(
      `/talent/people/${member.personId}/transfer-out`,
      { version: member.version, ...letter },
      at,
    );
    expect(res.status, res.text).toBe(200);
    await until(
      'the transferred member is off the roster',
      DELIVERY_BUDGET_MS,
      async () => !(await invitees()).includes(member.personId),
    );
  });
});

describe('a transfer in (组织关系转入)', () => {
  const arrival = (branchId: string) => ({
    name: `转入 ${newId()}`,
    gender: 'female',
    birthDate: '1988-03-02',
    department: '食品检验所',
    branchId,
    politicalStatus: 'full',
    statusSince: '2012-07-01',
    transfer: {
      letterNumber: '沪药检党转字〔2026〕8号',
      issuedOn: '2026-11-10',
      sendingOrganisation: '中共某某研究院委员会',
    },
  });

  it('registers the member with the letter as evidence, marked as transferred in, once per key', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const key = { headers: { 'Idempotency-Key': `transfer-in-${newId()}` }, ...at };
    const body = arrival(branchId);
    const res = await admin.post('/talent/people/transfer-in', body, key);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      branchId,
      politicalStatus: 'full',
      statusSince: '2012-07-01',
      arrivedWith: {
        history: true,
        stage: 'full',
        since: '2012-07-01',
        evidence: { kind: 'transfer-letter', reference: body.transfer.letterNumber, issuedOn: '2026-11-10' },
        transferredFrom: body.transfer.sendingOrganisation,
      },
    });
    const again = await admin.post('/talent/people/transfer-in', body, key);
    expect(again.status).toBe(201);
    expect(again.body.personId).toBe(res.body.personId);
    expect(await listed(admin, branchId)).toEqual([res.body.personId]);
    expect((await outbox(res.body.personId)).map((e) => e.type)).toContain('PersonRegistered');
  });

  it('is the committee’s, for a party member with a letter', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const secretary = await as({ roles: ['secretary', 'member'], branchId });
    expect((await secretary.post('/talent/people/transfer-in', arrival(branchId), at)).status).toBe(403);
    const { transfer: _t, ...noLetter } = arrival(branchId);
    expect((await admin.post('/talent/people/transfer-in', noLetter, at)).status).toBe(400);
    const activist = { ...arrival(branchId), politicalStatus: 'activist' };
    expect((await admin.post('/talent/people/transfer-in', activist, at)).status).toBe(400);
    const early = {
      ...arrival(branchId),
      transfer: { ...arrival(branchId).transfer, issuedOn: '2011-01-01' },
    };
    const refused = await admin.post('/talent/people/transfer-in', early, at);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('history-evidence-before-stage');
    expect(await listed(admin, branchId)).toEqual([]);
  });
});

describe('an end of membership', () => {
  it('records a death, a stopped membership and an expulsion as departures with their decision', async () => {
    const { admin, branchId, secretary, member } = await branchWithMember();
    const path = (id: string) => `/talent/people/${id}/end-membership`;
    const died = await secretary.post(
      path(member.personId),
      { version: member.version, kind: 'deceased', ...decision },
      at,
    );
    expect(died.status, died.text).toBe(200);
    expect(died.body.departure).toMatchObject({
      reason: 'deceased',
      decision: { authority: decision.authority, reason: decision.reason },
    });

    const stopped = await register(admin, { branchId, politicalStatus: 'full', statusSince: '2015-07-01' });
    const stop = await secretary.post(
      path(stopped.personId),
      { version: stopped.version, kind: 'membership-stopped', ...decision },
      at,
    );
    expect(stop.body.departure.reason).toBe('membership-stopped');

    const expelled = await register(admin, {
      branchId,
      politicalStatus: 'probationary',
      statusSince: '2026-06-01',
    });
    const bySecretary = await secretary.post(
      path(expelled.personId),
      { version: expelled.version, kind: 'expelled', ...decision },
      at,
    );
    expect(bySecretary.status).toBe(403);
    expect(bySecretary.body.error.code).toBe('expulsion-committee-only');
    const byCommittee = await admin.post(
      path(expelled.personId),
      { version: expelled.version, kind: 'expelled', ...decision },
      at,
    );
    expect(byCommittee.status, byCommittee.text).toBe(200);
    expect(byCommittee.body.departure.reason).toBe('expelled');

    // Only current members count: the register, the age structure and the pipeline.
    expect(await listed(admin, branchId)).toEqual([]);
    const ages = await admin.get(`/talent/insights/age-structure?branchId=${branchId}`, at);
    expect(ages.body.members.count).toBe(0);
    const audit = await admin.get(`/talent/audit/people/${member.personId}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('person.end-membership');
  });

  it('is refused in the future, and writes nothing', async () => {
    const { admin, member } = await branchWithMember();
    const res = await admin.post(
      `/talent/people/${member.personId}/end-membership`,
      { version: member.version, kind: 'deceased', ...decision, on: '2026-11-27' },
      at,
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('effective-date-in-future');
    expect((await read(admin, member.personId)).departure).toBeUndefined();
  });

  it('moves a retiree into the retired members’ branch (离退休党支部) named, a current member still', async () => {
    const { admin, branchId, secretary, member } = await branchWithMember();
    const retired = await retiredMembersBranch(admin);
    const path = `/talent/people/${member.personId}/end-membership`;
    const body = { version: member.version, kind: 'retired', ...decision, retiredBranchId: retired };
    // Moving between branches is the committee's.
    expect((await secretary.post(path, body, at)).status).toBe(403);
    const res = await admin.post(path, body, at);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      branchId: retired,
      retirement: { on: '2026-11-20', authority: decision.authority, retiredBranchId: retired },
    });
    expect(res.body.departure).toBeUndefined();
    expect(await listed(admin, branchId)).not.toContain(member.personId);
    expect(await listed(admin, retired)).toEqual([member.personId]);
    const events = (await outbox(member.personId)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['MemberLeftBranch', 'MemberJoinedBranch']));
    const again = await admin.post(path, { ...body, version: res.body.version }, at);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already-retired');
  });

  it('names only a retired members’ branch, and writes nothing otherwise', async () => {
    const { admin, branchId, member } = await branchWithMember();
    const working = await newBranch(admin);
    const path = `/talent/people/${member.personId}/end-membership`;
    const body = { version: member.version, kind: 'retired', ...decision };
    const elsewhere = await admin.post(path, { ...body, retiredBranchId: working.branchId }, at);
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.error.code).toBe('not-a-retired-members-branch');
    const own = await admin.post(path, { ...body, retiredBranchId: branchId }, at);
    expect(own.body.error.code).toBe('not-a-retired-members-branch');
    const nowhere = await admin.post(path, { ...body, retiredBranchId: newId() }, at);
    expect(nowhere.status).toBe(422);
    expect(nowhere.body.error.code).toBe('unknown-branch');
    const after = await read(admin, member.personId);
    expect(after).toMatchObject({ version: member.version, branchId });
    expect(after.retirement).toBeUndefined();
  });

  it('keeps a retiree who is in a retired members’ branch already where they are', async () => {
    const admin = await committee();
    const retired = await retiredMembersBranch(admin);
    const secretary = await as({ roles: ['secretary', 'member'], branchId: retired });
    const member = await register(admin, {
      branchId: retired,
      politicalStatus: 'full',
      birthDate: '1962-03-01',
      statusSince: '1990-07-01',
    });
    // Whatever other retired members' branches there are, none is needed: the secretary records it.
    await retiredMembersBranch(admin);
    const res = await secretary.post(
      `/talent/people/${member.personId}/end-membership`,
      { version: member.version, kind: 'retired', ...decision },
      at,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ branchId: retired, retirement: { on: '2026-11-20' } });
    expect(res.body.retirement.retiredBranchId).toBeUndefined();
  });

  it('needs the branch named when the institution has several retired members’ branches', async () => {
    const { admin, branchId, member } = await branchWithMember();
    // Two here; other files may add more, never fewer.
    await retiredMembersBranch(admin);
    const second = await retiredMembersBranch(admin);
    const path = `/talent/people/${member.personId}/end-membership`;
    const body = { version: member.version, kind: 'retired', ...decision };
    const unnamed = await admin.post(path, body, at);
    expect(unnamed.status).toBe(422);
    expect(unnamed.body.error.code).toBe('retired-branch-required');
    expect((await read(admin, member.personId)).retirement).toBeUndefined();
    const named = await admin.post(path, { ...body, retiredBranchId: second }, at);
    expect(named.status, named.text).toBe(200);
    expect(named.body.branchId).toBe(second);
    expect(await listed(admin, branchId)).not.toContain(member.personId);
  });
});

/**
 * Whether the institution has none, one or several retired members' branches is a fact of the
 * whole register, which the shared runtime's other files change: these cases run on a
 * runtime of their own (talent alone), where this file alone creates branches.
 */
describe('a retirement, by how many retired members’ branches the institution has', () => {
  let own: TestRuntime | undefined;
  let dataDir: string | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dangjian-retirement-'));
    own = await startTestRuntime({ services: [talentService], dataDir, inMemory: true });
    useRuntime(infoOf(own));
  });
  afterAll(async () => {
    useRuntime(undefined);
    await own?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const retire = (
    caller: Awaited<ReturnType<typeof committee>>,
    member: { personId: string; version: number },
  ) =>
    caller.post(
      `/talent/people/${member.personId}/end-membership`,
      { version: member.version, kind: 'retired', ...decision },
      at,
    );

  it('stays in place with none, moves to the only one, and needs one named among several', async () => {
    const { admin, branchId, secretary, member } = await branchWithMember();
    // None: the retirement is recorded in the person's branch, by their secretary too.
    const inPlace = await retire(secretary, member);
    expect(inPlace.status, inPlace.text).toBe(200);
    expect(inPlace.body).toMatchObject({ branchId, retirement: { on: '2026-11-20' } });
    expect(inPlace.body.retirement.retiredBranchId).toBeUndefined();

    // One: the retiree moves there unnamed, which makes it a move, the committee's.
    const only = await retiredMembersBranch(admin);
    const next = await register(admin, { branchId, politicalStatus: 'full', statusSince: '2015-07-01' });
    expect((await retire(secretary, next)).status).toBe(403);
    const moved = await retire(admin, next);
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ branchId: only, retirement: { retiredBranchId: only } });
    expect(await listed(admin, only)).toEqual([next.personId]);

    // Several: which one is the committee's to say.
    await retiredMembersBranch(admin);
    const last = await register(admin, { branchId, politicalStatus: 'full', statusSince: '2015-07-01' });
    const refused = await retire(admin, last);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('retired-branch-required');
    expect((await read(admin, last.personId)).version).toBe(last.version);
  });
});
