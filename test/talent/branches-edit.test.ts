/**
 * Correcting a branch (PATCH /talent/branches/{id}): name, secretary and party groups, with
 * optimistic concurrency, and a group that still has people cannot be removed.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as, runtime, tableClient } from '../support/api.js';
import { committee, newBranch, register } from './support.js';

describe('correcting a branch', () => {
  it('renames it and changes, then clears, its secretary; every write moves the version on', async () => {
    const admin = await committee();
    const branch = await newBranch(admin);
    expect(branch).toMatchObject({ version: 1 });
    const { personId: secretaryId } = await register(admin, { branchId: branch.branchId });
    const renamed = await admin.patch(`/talent/branches/${branch.branchId}`, {
      version: 1,
      name: '第二党支部',
      secretaryId,
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body).toMatchObject({ name: '第二党支部', secretaryId, version: 2 });
    expect(renamed.body.partyGroups).toEqual(branch.partyGroups);
    expect((await admin.get(`/talent/branches/${branch.branchId}`)).body).toEqual(renamed.body);
    // The person named holds the role, which their account follows.
    expect((await admin.get(`/talent/people/${secretaryId}`)).body.roles).toEqual(['secretary', 'member']);

    const cleared = await admin.patch(`/talent/branches/${branch.branchId}`, {
      version: 2,
      secretaryId: null,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.version).toBe(3);
    expect(cleared.body).not.toHaveProperty('secretaryId');
    expect((await admin.get(`/talent/branches/${branch.branchId}`)).body).not.toHaveProperty('secretaryId');
    expect((await admin.get(`/talent/people/${secretaryId}`)).body.roles).toEqual(['member']);
  });

  it('leaves the branch without a secretary when its secretary moves to another branch', async () => {
    const admin = await committee();
    const branch = await newBranch(admin);
    const other = await newBranch(admin);
    const secretary = await register(admin, { branchId: branch.branchId });
    await admin.patch(`/talent/branches/${branch.branchId}`, { version: 1, secretaryId: secretary.personId });
    const moved = await admin.patch(`/talent/people/${secretary.personId}`, {
      version: secretary.version + 1,
      branchId: other.branchId,
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.roles).toEqual(['member']);
    const after = (await admin.get(`/talent/branches/${branch.branchId}`)).body;
    expect(after).not.toHaveProperty('secretaryId');
    expect(after.version).toBe(3);
  });

  it('adds a party group with a new id and renames one that keeps its id', async () => {
    const admin = await committee();
    const branch = await newBranch(admin, [{ name: '第一党小组' }]);
    const first = branch.partyGroups[0] as { id: string; name: string };
    const res = await admin.patch(`/talent/branches/${branch.branchId}`, {
      version: 1,
      partyGroups: [{ id: first.id, name: '检验一组党小组' }, { name: '第二党小组' }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const groups = res.body.partyGroups as { id: string; name: string }[];
    expect(groups).toHaveLength(2);
    expect(groups[0]).toEqual({ id: first.id, name: '检验一组党小组' });
    expect(groups[1]?.name).toBe('第二党小组');
    expect(groups[1]?.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(groups[1]?.id).not.toBe(first.id);
    // The new group is a real one: a person can be placed in it.
    await register(admin, { branchId: branch.branchId, partyGroupId: groups[1]?.id });
  });

  it('refuses an id that names no group of the branch rather than silently replacing groups', async () => {
    const admin = await committee();
    const branch = await newBranch(admin);
    const res = await admin.patch(`/talent/branches/${branch.branchId}`, {
      version: 1,
      partyGroups: [{ id: newId(), name: 'x' }],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('unknown-party-group');
    expect((await admin.get(`/talent/branches/${branch.branchId}`)).body.partyGroups).toEqual(
      branch.partyGroups,
    );
  });

  it('removes an empty group, but not one that still has people, naming it', async () => {
    const admin = await committee();
    const branch = await newBranch(admin, [{ name: '在用党小组' }, { name: '空党小组' }]);
    const [used] = branch.partyGroups as [{ id: string; name: string }];
    await register(admin, { branchId: branch.branchId, partyGroupId: used.id });
    // Someone in another branch pointing nowhere near this one does not count; only this branch's people.
    await register(admin, { branchId: (await newBranch(admin)).branchId });

    const removeEmpty = await admin.patch(`/talent/branches/${branch.branchId}`, {
      version: 1,
      partyGroups: [used],
    });
    expect(removeEmpty.status, JSON.stringify(removeEmpty.body)).toBe(200);
    expect(removeEmpty.body.partyGroups).toEqual([used]);

    const removeUsed = await admin.patch(`/talent/branches/${branch.branchId}`, {
      version: 2,
      partyGroups: [],
    });
    expect(removeUsed.status).toBe(409);
    expect(removeUsed.body.error.code).toBe('party-group-in-use');
    expect(removeUsed.body.error.message).toContain('在用党小组');
    expect(removeUsed.body.error.details).toEqual({ partyGroupId: used.id, name: '在用党小组', people: 1 });
    const after = (await admin.get(`/talent/branches/${branch.branchId}`)).body;
    expect(after).toMatchObject({ version: 2, partyGroups: [used] });
  });

  it('a group emptied by moving its people out can then be removed', async () => {
    const admin = await committee();
    const branch = await newBranch(admin, [{ name: 'A组' }, { name: 'B组' }]);
    const [a, b] = branch.partyGroups as [{ id: string; name: string }, { id: string; name: string }];
    const person = await register(admin, { branchId: branch.branchId, partyGroupId: a.id });
    const moved = await admin.patch(`/talent/people/${person.personId}`, { version: 1, partyGroupId: b.id });
    expect(moved.status).toBe(200);
    const res = await admin.patch(`/talent/branches/${branch.branchId}`, { version: 1, partyGroups: [b] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('refuses a stale version with 409 and leaves the branch as it was', async () => {
    const admin = await committee();
    const branch = await newBranch(admin);
    expect(
      (await admin.patch(`/talent/branches/${branch.branchId}`, { version: 1, name: '新名' })).status,
    ).toBe(200);
    const stale = await admin.patch(`/talent/branches/${branch.branchId}`, { version: 1, name: '旧读' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version-conflict');
    expect((await admin.get(`/talent/branches/${branch.branchId}`)).body).toMatchObject({
      name: '新名',
      version: 2,
    });
  });

  it('two corrections from the same read at once: one wins, the other is a 409', async () => {
    const admin = await committee();
    const branch = await newBranch(admin);
    const results = await Promise.all(
      ['甲', '乙'].map((name) => admin.patch(`/talent/branches/${branch.branchId}`, { version: 1, name })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409);
    // Either the read saw the winner (version-conflict) or both passed the read and the
    // write's condition refused one; DynamoDB may also cancel one for a concurrent transaction.
    expect(['version-conflict', 'concurrent-update']).toContain(loser?.body.error.code);
    const winner = results.find((r) => r.status === 200);
    expect((await admin.get(`/talent/branches/${branch.branchId}`)).body).toMatchObject({
      name: winner?.body.name,
      version: 2,
    });
  });

  it('many corrections from the same read at once: exactly one lands', async () => {
    // With only two requests they often run one after the other and the read alone catches
    // the stale one; eight at once make several pass the read, so the write's condition decides.
    const admin = await committee();
    const branch = await newBranch(admin);
    const names = Array.from({ length: 8 }, (_, i) => `支部${i}`);
    const results = await Promise.all(
      names.map((name) => admin.patch(`/talent/branches/${branch.branchId}`, { version: 1, name })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    expect((await admin.get(`/talent/branches/${branch.branchId}`)).body.version).toBe(2);
  });

  it('marks a retired members’ branch (离退休党支部) on creation or by a correction', async () => {
    const admin = await committee();
    const working = await newBranch(admin);
    expect(working).toMatchObject({ retiredMembers: false });
    const created = await admin.post('/talent/branches', {
      name: `离退休党支部 ${newId()}`,
      retiredMembers: true,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ retiredMembers: true, version: 1 });
    expect((await admin.get(`/talent/branches/${created.body.branchId}`)).body.retiredMembers).toBe(true);

    const path = `/talent/branches/${working.branchId}`;
    const marked = await admin.patch(path, { version: 1, retiredMembers: true });
    expect(marked.status, marked.text).toBe(200);
    expect(marked.body).toMatchObject({ retiredMembers: true, version: 2 });
    // A correction that does not mention the flag keeps it.
    const renamed = await admin.patch(path, { version: 2, name: `离退休第二党支部 ${newId()}` });
    expect(renamed.body).toMatchObject({ retiredMembers: true, version: 3 });
    const unmarked = await admin.patch(path, { version: 3, retiredMembers: false });
    expect(unmarked.body).toMatchObject({ retiredMembers: false, version: 4 });
    expect((await admin.get(path)).body.retiredMembers).toBe(false);
    expect((await admin.patch(path, { version: 4, retiredMembers: 'yes' })).status).toBe(400);
    const secretary = await as({ roles: ['secretary', 'member'], branchId: working.branchId });
    expect((await secretary.patch(path, { version: 4, retiredMembers: true })).status).toBe(403);
    expect((await admin.get(path)).body).toMatchObject({ retiredMembers: false, version: 4 });
  });

  it('a branch written before versioning counts as version 1', async () => {
    const admin = await committee();
    const branchId = newId();
    // As POST wrote branches before they carried a version.
    await tableClient().send(
      new PutCommand({
        TableName: runtime().tableNames.talent as string,
        Item: {
          pk: `BRANCH#${branchId}`,
          sk: 'BRANCH',
          kind: 'branch',
          gsi1pk: 'BRANCHES',
          gsi1sk: branchId,
          branchId,
          name: '老支部',
          partyGroups: [],
          createdAt: '2025-01-01T08:00:00+08:00',
        },
      }),
    );
    expect((await admin.get(`/talent/branches/${branchId}`)).body).toMatchObject({
      version: 1,
      // Written before the flag existed: a working branch.
      retiredMembers: false,
    });
    expect((await admin.patch(`/talent/branches/${branchId}`, { version: 2, name: 'x' })).status).toBe(409);
    const res = await admin.patch(`/talent/branches/${branchId}`, { version: 1, name: '新支部' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ name: '新支部', version: 2 });
  });

  it('only the committee corrects branches; unknown branches and unknown fields are refused', async () => {
    const admin = await committee();
    const branch = await newBranch(admin);
    const path = `/talent/branches/${branch.branchId}`;
    for (const roles of [['secretary', 'member'], ['member'], ['partner']] as const) {
      const caller = await as({ roles: [...roles], branchId: branch.branchId, orgId: newId() });
      expect((await caller.patch(path, { version: 1, name: 'x' })).status, roles.join()).toBe(403);
    }
    expect((await admin.patch(`/talent/branches/${newId()}`, { version: 1, name: 'x' })).status).toBe(404);
    const bad = await admin.patch(path, { version: 1, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toContainEqual({ field: 'body.colour', message: 'Unknown field' });
    expect((await admin.patch(path, { name: 'no version' })).status).toBe(400);
    expect((await admin.get(path)).body).toEqual(branch);
  });
});
