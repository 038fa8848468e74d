/**
 * Branches and people through the gateway: registration, reads, filters, optimistic PATCH,
 * branch moves and the events they publish, and who may see what.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as, minter, request } from '../support/api.js';
import { type Client, committee, newBranch, outbox, personBody, register, TODAY } from './support.js';

describe('branches', () => {
  it('the committee creates a branch with party groups; anyone signed in reads it', async () => {
    const admin = await committee();
    const branch = await newBranch(admin, [{ name: '第一党小组' }, { name: '第二党小组' }]);
    expect(branch.partyGroups).toHaveLength(2);
    const member = await as({ roles: ['member'], branchId: branch.branchId });
    const read = await member.get(`/talent/branches/${branch.branchId}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(branch);
    // Every page: other test files on this runtime make branches too, over a hundred by now.
    const listed: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await member.get(
        `/talent/branches?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      listed.push(...page.body.items.map((b: any) => b.branchId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(listed).toContain(branch.branchId);
  });

  it('only the committee creates branches', async () => {
    const secretary = await as({ roles: ['secretary'], branchId: 'X' });
    expect((await secretary.post('/talent/branches', { name: 'x' })).status).toBe(403);
  });

  it('refuses unknown fields and answers 404 for an unknown branch', async () => {
    const admin = await committee();
    const bad = await admin.post('/talent/branches', { name: 'x', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toContainEqual({ field: 'body.colour', message: 'Unknown field' });
    expect((await admin.get('/talent/branches/01JUNKNOWNBRANCH0000000000')).status).toBe(404);
  });
});

describe('registering people', () => {
  it('returns 201 with the person and publishes PersonRegistered with the snapshot at version 1', async () => {
    const admin = await committee();
    const { branchId, partyGroups } = await newBranch(admin);
    const person = await register(admin, {
      branchId,
      partyGroupId: partyGroups[0]?.id,
      phone: '13800000000',
      email: 'zhang@example.org',
    });
    // The answer to a write is not the person's own record: contact details masked (PIPL).
    expect(person).toMatchObject({ version: 1, branchId, name: '张三', phone: '138****0000' });
    const events = await outbox(person.personId);
    expect(events.map((e) => e.type)).toEqual(['PersonRegistered']);
    expect(events[0]?.detail.data.person).toEqual({
      personId: person.personId,
      version: 1,
      name: '张三',
      gender: 'male',
      birthDate: '1990-05-01',
      department: '药品检验所',
      branchId,
      partyGroupId: partyGroups[0]?.id,
      politicalStatus: 'masses',
      statusSince: '2020-01-01',
    });
    // Contact details never leave talent.
    expect(JSON.stringify(events)).not.toContain('13800000000');
  });

  it('takes the id a person already signs in with, once', async () => {
    const admin = await committee();
    const personId = newId();
    const first = await admin.post('/talent/people', personBody({ personId }), { now: TODAY });
    expect(first.status).toBe(201);
    expect(first.body.personId).toBe(personId);
    const again = await admin.post('/talent/people', personBody({ personId, name: '李四' }), { now: TODAY });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('person-exists');
    expect((await admin.get(`/talent/people/${personId}`)).body.name).toBe('张三');
    expect((await outbox(personId)).map((e) => e.type)).toEqual(['PersonRegistered']);
    expect((await admin.post('/talent/people', personBody({ personId: 'not-a-ulid' }))).status).toBe(400);
  });

  it('lets a secretary register into their own branch only', async () => {
    const admin = await committee();
    const own = await newBranch(admin);
    const other = await newBranch(admin);
    const secretary = await as({ roles: ['secretary', 'member'], branchId: own.branchId });
    const mine = await secretary.post('/talent/people', personBody(), { now: TODAY });
    expect(mine.status).toBe(201);
    expect(mine.body.branchId).toBe(own.branchId);
    const theirs = await secretary.post('/talent/people', personBody({ branchId: other.branchId }), {
      now: TODAY,
    });
    // Another branch is outside the secretary's scope: it does not exist for them.
    expect(theirs.status).toBe(404);
  });

  it('refuses an unknown branch or party group, bad fields, and writes nothing', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const unknownBranch = await admin.post('/talent/people', personBody({ branchId: 'NOPE' }), {
      now: TODAY,
    });
    expect(unknownBranch.status).toBe(422);
    expect(unknownBranch.body.error.code).toBe('unknown-branch');
    const unknownGroup = await admin.post('/talent/people', personBody({ branchId, partyGroupId: 'NOPE' }), {
      now: TODAY,
    });
    expect(unknownGroup.body.error.code).toBe('unknown-party-group');
    const bornLongAgo = await admin.post(
      '/talent/people',
      personBody({ branchId, birthDate: '0001-01-01' }),
      {
        now: TODAY,
      },
    );
    // The shared date schema refuses years before 1900 before any talent rule runs.
    expect(bornLongAgo.status).toBe(400);
    expect(bornLongAgo.body.error.details.fields).toEqual([
      { field: 'body.birthDate', message: 'Expected a date between the years 1900 and 2100' },
    ]);
    const bad = await admin.post(
      '/talent/people',
      personBody({ gender: 'x', birthDate: '1990-02-30', extra: 1 }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: any) => f.field).sort()).toEqual([
      'body.birthDate',
      'body.extra',
      'body.gender',
    ]);
    const list = await admin.get(`/talent/people?branchId=${branchId}`);
    expect(list.body.items).toEqual([]);
  });
});

describe('listing people', () => {
  it('filters by branch, status, name and pool, each a page of a Query', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const unique = `王${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const a = await register(admin, { branchId, name: `${unique}甲`, politicalStatus: 'activist' });
    const b = await register(admin, { branchId, name: `${unique}乙`, politicalStatus: 'full' });
    const c = await register(admin, { branchId, name: '李四', politicalStatus: 'full' });

    const ids = (res: any) => res.body.items.map((p: any) => p.personId).sort();
    expect(ids(await admin.get(`/talent/people?branchId=${branchId}`))).toEqual(
      [a.personId, b.personId, c.personId].sort(),
    );
    expect(ids(await admin.get(`/talent/people?branchId=${branchId}&status=full`))).toEqual(
      [b.personId, c.personId].sort(),
    );
    // Name search filters a branch's Query (the whole register would take paging through).
    expect(
      ids(await admin.get(`/talent/people?branchId=${branchId}&q=${encodeURIComponent(unique)}`)),
    ).toEqual([a.personId, b.personId].sort());
    const byStatus = await admin.get(`/talent/people?status=activist&branchId=${branchId}`);
    expect(ids(byStatus)).toEqual([a.personId]);
    // Across branches (committee): by status, or everyone, walked page by page.
    const walk = async (query: string) => {
      const found: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await admin.get(
          `/talent/people?${query}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.status).toBe(200);
        found.push(...page.body.items.map((p: any) => p.personId));
        cursor = page.body.nextCursor;
      } while (cursor);
      return found.sort();
    };
    const q = `q=${encodeURIComponent(unique)}`;
    expect(await walk(`status=full&${q}`)).toEqual([b.personId]);
    expect(await walk(q)).toEqual([a.personId, b.personId].sort());

    expect((await admin.put(`/talent/pools/young-talent/members/${a.personId}`)).status).toBe(200);
    expect(ids(await admin.get(`/talent/people?pool=young-talent&branchId=${branchId}`))).toEqual([
      a.personId,
    ]);

    // Pages: limit and cursor walk the branch.
    const first = await admin.get(`/talent/people?branchId=${branchId}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    const second = await admin.get(
      `/talent/people?branchId=${branchId}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.items).toHaveLength(1);
    // A cursor from another list is refused.
    const other = await newBranch(admin);
    const foreign = await admin.get(
      `/talent/people?branchId=${other.branchId}&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(foreign.status).toBe(400);
  });

  it("keeps a secretary to their own branch's list", async () => {
    const admin = await committee();
    const own = await newBranch(admin);
    const other = await newBranch(admin);
    const mine = await register(admin, { branchId: own.branchId });
    await register(admin, { branchId: other.branchId });
    const secretary = await as({ roles: ['secretary'], branchId: own.branchId });
    const list = await secretary.get('/talent/people');
    expect(list.body.items.map((p: any) => p.personId)).toEqual([mine.personId]);
    expect((await secretary.get(`/talent/people?branchId=${other.branchId}`)).status).toBe(404);
    expect((await (await as({ roles: ['member'] })).get('/talent/people')).status).toBe(403);
  });
});

describe('changing a person', () => {
  it('PATCH with the version read bumps it, publishes PersonUpdated; a stale version is 409', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const person = await register(admin, { branchId, position: '检验员' });
    const patched = await admin.patch(`/talent/people/${person.personId}`, {
      version: 1,
      title: '高级工程师',
      position: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ version: 2, title: '高级工程师' });
    expect(patched.body.position).toBeUndefined();
    const stale = await admin.patch(`/talent/people/${person.personId}`, { version: 1, title: 'x' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version-conflict');
    const events = await outbox(person.personId);
    expect(events.map((e) => [e.type, e.detail.data.person.version])).toEqual([
      ['PersonRegistered', 1],
      ['PersonUpdated', 2],
    ]);
    expect(events[1]?.detail.data.changed.sort()).toEqual(['position', 'title']);
  });

  it('two PATCHes with the same version at once: exactly one wins, the other is 409', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const person = await register(admin, { branchId });
    const results = await Promise.all([
      admin.patch(`/talent/people/${person.personId}`, { version: 1, department: '甲' }),
      admin.patch(`/talent/people/${person.personId}`, { version: 1, department: '乙' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200);
    const now = await admin.get(`/talent/people/${person.personId}`);
    expect(now.body).toMatchObject({ version: 2, department: winner?.body.department });
    expect((await outbox(person.personId)).map((e) => e.type)).toEqual(['PersonRegistered', 'PersonUpdated']);
  });

  it('moving to another branch publishes MemberLeftBranch and MemberJoinedBranch with the new version', async () => {
    const admin = await committee();
    const from = await newBranch(admin);
    const to = await newBranch(admin);
    const person = await register(admin, {
      branchId: from.branchId,
      partyGroupId: from.partyGroups[0]?.id,
      politicalStatus: 'full',
    });
    const moved = await admin.patch(`/talent/people/${person.personId}`, {
      version: 1,
      branchId: to.branchId,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ version: 2, branchId: to.branchId });
    expect(moved.body.partyGroupId).toBeUndefined();
    const events = (await outbox(person.personId)).slice(1);
    expect(events.map((e) => [e.type, e.detail.data.branchId, e.detail.data.person.version])).toEqual([
      ['MemberLeftBranch', from.branchId, 2],
      ['MemberJoinedBranch', to.branchId, 2],
      ['PersonUpdated', undefined, 2],
    ]);
    expect(events.every((e) => e.detail.data.person.branchId === to.branchId)).toBe(true);
    const list = await admin.get(`/talent/people?branchId=${to.branchId}`);
    expect(list.body.items.map((p: any) => p.personId)).toEqual([person.personId]);
    expect((await admin.get(`/talent/people?branchId=${from.branchId}`)).body.items).toEqual([]);

    // The old branch's secretary no longer sees them; the new one does, and cannot move them back.
    const oldSecretary = await as({ roles: ['secretary'], branchId: from.branchId });
    expect((await oldSecretary.get(`/talent/people/${person.personId}`)).status).toBe(404);
    const newSecretary = await as({ roles: ['secretary'], branchId: to.branchId });
    expect((await newSecretary.get(`/talent/people/${person.personId}`)).status).toBe(200);
    const back = await newSecretary.patch(`/talent/people/${person.personId}`, {
      version: 2,
      branchId: from.branchId,
    });
    expect(back.status).toBe(403);
  });
});

describe('who sees a person', () => {
  it('committee, own secretary and the person themselves; others 404, partners 403', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const other = await newBranch(admin);
    const person = await register(admin, { branchId, phone: '13900000000', email: 'p@example.org' });
    const path = `/talent/people/${person.personId}`;
    const callers = {
      committee: admin,
      ownSecretary: await as({ roles: ['secretary', 'member'], branchId }),
      otherSecretary: await as({ roles: ['secretary', 'member'], branchId: other.branchId }),
      self: await as({ roles: ['member'], branchId, personId: person.personId }),
      otherMember: await as({ roles: ['member'], branchId }),
      partner: await as({ roles: ['partner'], orgId: 'ORG1' }),
    };
    const status = async (c: keyof typeof callers, p = path) => (await callers[c].get(p)).status;
    expect(await status('committee')).toBe(200);
    expect(await status('ownSecretary')).toBe(200);
    expect(await status('otherSecretary')).toBe(404);
    expect(await status('self')).toBe(200);
    expect(await status('otherMember')).toBe(404);
    expect(await status('partner')).toBe(403);
    for (const c of ['committee', 'ownSecretary', 'self'] as const) {
      const body = (await callers[c].get(path)).body;
      expect(body).toMatchObject({ phone: '13900000000', email: 'p@example.org' });
    }
    // The same matrix holds for the timeline.
    expect(await status('self', `${path}/timeline`)).toBe(200);
    expect(await status('ownSecretary', `${path}/timeline`)).toBe(200);
    expect(await status('otherSecretary', `${path}/timeline`)).toBe(404);
    expect(await status('otherMember', `${path}/timeline`)).toBe(404);
    expect(await status('partner', `${path}/timeline`)).toBe(403);
    // Edits: only the committee and the own secretary.
    expect((await callers.otherSecretary.patch(path, { version: 1, title: 'x' })).status).toBe(404);
    expect((await callers.self.patch(path, { version: 1, title: 'x' })).status).toBe(403);
    expect((await callers.ownSecretary.patch(path, { version: 1, title: 'x' })).status).toBe(200);
  });

  it("GET /talent/me returns the caller's own profile, 403 no-person when not registered", async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const person = await register(admin, {
      branchId,
      politicalStatus: 'activist',
      statusSince: '2025-01-01',
    });
    const self = await as({ roles: ['member'], branchId, personId: person.personId });
    const me = await self.get('/talent/me');
    expect(me.status).toBe(200);
    expect(me.body.person.personId).toBe(person.personId);
    expect(me.body.stage).toEqual({ politicalStatus: 'activist', since: '2025-01-01' });
    expect(me.body.points).toEqual([]);
    const stranger = await (await as({ roles: ['member'] })).get('/talent/me');
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.code).toBe('no-person');
  });
});

/** A page of the audit log (the committee's), by person or by actor. */
const auditOf = async (admin: Client, by: 'people' | 'actors', id: string) => {
  const res = await admin.get(`/talent/audit/${by}/${id}?limit=100`);
  expect(res.status).toBe(200);
  return res.body.items as { action: string; actor: string; accountId: string; personId?: string }[];
};

describe('GET /talent/me is for a person of the register', () => {
  it('refuses an account whose person the register does not hold (403 no-person), and records nothing', async () => {
    const admin = await committee();
    const ghost = await as({ roles: ['member'] });
    const res = await ghost.get('/talent/me');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('no-person');
    expect(await auditOf(admin, 'people', ghost.personId)).toEqual([]);
    expect(await auditOf(admin, 'actors', ghost.personId)).toEqual([]);
  });

  it('refuses an account linked to no person (403 no-person), whatever its account id', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const person = await register(admin, { branchId });
    // No `custom:personId`; its account id even equals the person's id.
    const token = await (await minter()).mint({ roles: ['member'], branchId, sub: person.personId });
    const res = await request('GET', '/talent/me', undefined, { token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('no-person');
    expect((await auditOf(admin, 'people', person.personId)).map((e) => e.action)).toEqual([
      'person.register',
    ]);
  });

  it("shows the account's person, never the person its account id names", async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const a = await register(admin, { branchId, name: '甲' });
    const b = await register(admin, { branchId, name: '乙' });
    // B's account, whose account id happens to be A's person id.
    const sub = a.personId;
    const token = await (await minter()).mint({ roles: ['member'], branchId, sub, personId: b.personId });
    const me = await request('GET', '/talent/me', undefined, { token });
    expect(me.status).toBe(200);
    expect(me.body.person).toMatchObject({ personId: b.personId, name: '乙' });
    const [read] = await auditOf(admin, 'people', b.personId);
    expect(read).toMatchObject({ action: 'profile.read', actor: b.personId, accountId: sub });
    expect((await auditOf(admin, 'people', a.personId)).map((e) => e.action)).toEqual(['person.register']);
  });
});
