/**
 * A person's sign-in account through its whole life, on the local runtime: talent's register
 * → the accounts function → the Cognito emulator → a real sign-in (InitiateAuth and the
 * new-password challenge, `infra/local/sign-in.ts`) → the gateway's JWT check → the services.
 * Only the committee here is a minted persona (test/support/tokens.ts); the person signs in.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { cognitoAccounts } from '../../infra/functions/cognito-accounts.js';
import { localCognitoClient } from '../../infra/local/cognito.js';
import { SignInRefused, signIn } from '../../infra/local/sign-in.js';
import { PersonUpdated } from '../../services/talent/events.js';
import { newId } from '../../shared/ids.js';
import { as, publish, request, runtime, settle, tableClient } from '../support/api.js';
import { type Client, newBranch, register } from '../talent/support.js';

const accountsOf = () => {
  const { endpoint, userPoolId } = runtime().identity;
  return cognitoAccounts(localCognitoClient(endpoint), userPoolId);
};

const signedIn = async (personId: string) => signIn(runtime().identity, runtime().dataDir, personId);

const withToken = (token: string) => ({
  get: (path: string) => request('GET', path, undefined, { token }),
});

const uniqueEmail = () => `p${newId().toLowerCase()}@example.cn`;

let admin: Client;
let branchA: { branchId: string };
let branchB: { branchId: string };

beforeAll(async () => {
  admin = await as({ roles: ['committee'] });
  branchA = await newBranch(admin);
  branchB = await newBranch(admin);
});

const personView = async (personId: string) => {
  const res = await admin.get(`/talent/people/${personId}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};

describe('an account follows its person through the register', () => {
  it('is made on registration, signs in as that person, follows a move, a secretaryship and the departure', async () => {
    const email = uniqueEmail();
    const person = await register(admin, {
      branchId: branchA.branchId,
      politicalStatus: 'full',
      statusSince: '2015-07-01',
      email,
    });
    await settle();

    // The account: named by the person id, the e-mail its alias, the person and branch set by the function.
    const account = await accountsOf().get(person.personId);
    expect(account).toMatchObject({
      enabled: true,
      status: 'FORCE_CHANGE_PASSWORD',
      groups: ['member'],
      attributes: {
        email,
        'custom:personId': person.personId,
        'custom:branchId': branchA.branchId,
      },
    });
    expect((await personView(person.personId)).account).toEqual({ status: 'invited' });

    // A real sign-in; the services take that person from the token.
    const first = await signedIn(person.personId);
    expect(decodeJwt(first)).toMatchObject({
      token_use: 'id',
      'custom:personId': person.personId,
      'custom:branchId': branchA.branchId,
      'cognito:groups': ['member'],
    });
    expect(decodeJwt(first).sub).not.toBe(person.personId);
    const me = await withToken(first).get('/talent/me');
    expect(me.status, me.text).toBe(200);
    expect(me.body.person.personId).toBe(person.personId);

    // A move to branch B: a new token carries B; A's secretary no longer sees the person.
    const secretaryA = await as({ roles: ['secretary', 'member'], branchId: branchA.branchId });
    expect((await secretaryA.get(`/talent/people/${person.personId}`)).status).toBe(200);
    const moved = await admin.patch(`/talent/people/${person.personId}`, {
      version: person.version,
      branchId: branchB.branchId,
    });
    expect(moved.status, moved.text).toBe(200);
    await settle();
    expect(decodeJwt(await signedIn(person.personId))['custom:branchId']).toBe(branchB.branchId);
    expect((await secretaryA.get(`/talent/people/${person.personId}`)).status).toBe(404);
    expect((await personView(person.personId)).account).toEqual({ status: 'active' });

    // Named secretary of B by the committee: the next token is a secretary's, who manages B.
    const b = await admin.get(`/talent/branches/${branchB.branchId}`);
    const named = await admin.patch(`/talent/branches/${branchB.branchId}`, {
      version: b.body.version,
      secretaryId: person.personId,
    });
    expect(named.status, named.text).toBe(200);
    await settle();
    const secretary = await signedIn(person.personId);
    expect([...(decodeJwt(secretary)['cognito:groups'] as string[])].sort()).toEqual(['member', 'secretary']);
    const list = await withToken(secretary).get(`/talent/people?branchId=${branchB.branchId}`);
    expect(list.status, list.text).toBe(200);
    expect((await personView(person.personId)).roles).toEqual(['secretary', 'member']);

    // An older event delivered late changes nothing: the account follows the register as it is now.
    const stale = {
      personId: person.personId,
      version: 1,
      name: person.name,
      gender: person.gender,
      birthDate: person.birthDate,
      department: person.department,
      branchId: branchA.branchId,
      politicalStatus: person.politicalStatus,
      statusSince: person.statusSince,
    };
    await publish(PersonUpdated, { person: stale, changed: ['branchId'] });
    await settle();
    const held = await accountsOf().get(person.personId);
    expect(held?.groups.sort()).toEqual(['member', 'secretary']);
    expect(held?.attributes['custom:branchId']).toBe(branchB.branchId);

    // The person leaves the register: the account is disabled and signs in no more; a token
    // still in its hour finds no person.
    const current = await personView(person.personId);
    const left = await admin.post(`/talent/people/${person.personId}/departure`, {
      version: current.version,
      on: '2026-11-20',
      reason: 'transferred-out',
    });
    expect(left.status, left.text).toBe(200);
    await settle();
    expect((await accountsOf().get(person.personId))?.enabled).toBe(false);
    await expect(signedIn(person.personId)).rejects.toThrow(SignInRefused);
    const after = await withToken(secretary).get('/talent/me');
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('no-person');
    expect((await personView(person.personId)).account).toEqual({ status: 'disabled' });
  });

  it('makes no account without an e-mail, and none for an address another account signs in with', async () => {
    const none = await register(admin, { branchId: branchA.branchId });
    const email = uniqueEmail();
    const holder = await register(admin, { branchId: branchA.branchId, email });
    // The first account to be made holds the address; its event is taken before the second's.
    await settle();
    const second = await register(admin, { branchId: branchB.branchId, email });
    await settle();
    expect(await accountsOf().get(none.personId)).toBeUndefined();
    expect((await personView(none.personId)).account).toEqual({ status: 'none' });
    expect((await accountsOf().get(holder.personId))?.attributes.email).toBe(email);
    expect(await accountsOf().get(second.personId)).toBeUndefined();
    expect((await personView(second.personId)).account).toEqual({ status: 'none', problem: 'email-taken' });
  });

  it('takes a corrected e-mail address as the new sign-in alias', async () => {
    const person = await register(admin, { branchId: branchA.branchId, email: uniqueEmail() });
    await settle();
    const corrected = uniqueEmail();
    const res = await admin.patch(`/talent/people/${person.personId}`, {
      version: person.version,
      email: corrected,
    });
    expect(res.status, res.text).toBe(200);
    await settle();
    expect((await accountsOf().get(person.personId))?.attributes.email).toBe(corrected);
  });

  it('refuses a sign-in for a person without an account, in one line', async () => {
    const none = await register(admin, { branchId: branchA.branchId });
    await settle();
    await expect(signedIn(none.personId)).rejects.toThrow(`there is no account ${none.personId}`);
  });
});

describe('roles are the committee’s to give, never to oneself', () => {
  it('names and removes a committee member, whose account follows', async () => {
    const person = await register(admin, {
      branchId: branchA.branchId,
      politicalStatus: 'full',
      statusSince: '2015-07-01',
      email: uniqueEmail(),
    });
    const named = await admin.put(`/talent/committee/members/${person.personId}`);
    expect(named.status, named.text).toBe(200);
    await settle();
    expect((await accountsOf().get(person.personId))?.groups.sort()).toEqual(['committee', 'member']);
    const members = await admin.get('/talent/committee/members');
    expect(members.body.items.map((p: { personId: string }) => p.personId)).toContain(person.personId);

    const removed = await admin.delete(`/talent/committee/members/${person.personId}`);
    expect(removed.status, removed.text).toBe(204);
    await settle();
    expect((await accountsOf().get(person.personId))?.groups).toEqual(['member']);
  });

  it('refuses a committee member naming themselves, or naming themselves branch secretary', async () => {
    const self = await register(admin, {
      branchId: branchA.branchId,
      politicalStatus: 'full',
      statusSince: '2015-07-01',
    });
    const me = await as({
      roles: ['committee', 'member'],
      personId: self.personId,
      branchId: branchA.branchId,
    });
    const grant = await me.put(`/talent/committee/members/${self.personId}`);
    expect(grant.status).toBe(403);
    expect(grant.body.error.code).toBe('own-record');
    const branch = await admin.get(`/talent/branches/${branchA.branchId}`);
    const secretary = await me.patch(`/talent/branches/${branchA.branchId}`, {
      version: branch.body.version,
      secretaryId: self.personId,
    });
    expect(secretary.status).toBe(403);
    expect(secretary.body.error.code).toBe('own-record');
    expect((await personView(self.personId)).roles).toEqual(['member']);
  });

  it('names as secretary only someone of that branch', async () => {
    const outsider = await register(admin, {
      branchId: branchB.branchId,
      politicalStatus: 'full',
      statusSince: '2015-07-01',
    });
    const branch = await admin.get(`/talent/branches/${branchA.branchId}`);
    const res = await admin.patch(`/talent/branches/${branchA.branchId}`, {
      version: branch.body.version,
      secretaryId: outsider.personId,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('secretary-not-in-branch');
  });
});

describe('leaving the register', () => {
  it('keeps the record, takes the person out of lists, counts and rosters, and ends every role', async () => {
    const branch = await newBranch(admin);
    const stays = await register(admin, {
      branchId: branch.branchId,
      politicalStatus: 'full',
      statusSince: '2015-07-01',
    });
    // A birth date nobody else in the suite has, so the institution's tally of it is this person's alone.
    const born = `19${String(10 + Math.floor(Math.random() * 40))}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
    const leaves = await register(admin, {
      branchId: branch.branchId,
      politicalStatus: 'full',
      statusSince: '2015-07-01',
      birthDate: born,
      email: uniqueEmail(),
    });
    const institutionTally = async () => {
      const { Item } = await tableClient().send(
        new GetCommand({
          TableName: runtime().tableNames.talent,
          Key: { pk: 'AGE#ALL', sk: `YEAR#${born.slice(0, 4)}` },
          ConsistentRead: true,
        }),
      );
      return Item?.[`fu${born.slice(5, 7)}${born.slice(8, 10)}`] ?? 0;
    };
    const before = await institutionTally();
    expect((await admin.put(`/talent/committee/members/${leaves.personId}`)).status).toBe(200);
    const b = await admin.get(`/talent/branches/${branch.branchId}`);
    await admin.patch(`/talent/branches/${branch.branchId}`, {
      version: b.body.version,
      secretaryId: leaves.personId,
    });
    await settle();
    const count = async () =>
      (await admin.get(`/talent/insights/age-structure?branchId=${branch.branchId}`)).body.members.count;
    expect(await count()).toBe(2);

    const secretary = await as({ roles: ['secretary', 'member'], branchId: branch.branchId });
    const current = await personView(leaves.personId);
    // Nobody records their own departure.
    const self = await as({
      roles: ['secretary', 'member'],
      personId: leaves.personId,
      branchId: branch.branchId,
    });
    const own = await self.post(`/talent/people/${leaves.personId}/departure`, {
      version: current.version,
      on: '2026-11-20',
      reason: 'left-institution',
    });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('own-record');

    const left = await secretary.post(`/talent/people/${leaves.personId}/departure`, {
      version: current.version,
      on: '2026-11-20',
      reason: 'left-institution',
    });
    expect(left.status, left.text).toBe(200);
    expect(left.body).toMatchObject({
      roles: ['member'],
      departure: { on: '2026-11-20', reason: 'left-institution', formerBranchId: branch.branchId },
    });
    expect(left.body).not.toHaveProperty('branchId');
    await settle();

    expect(await count()).toBe(1);
    expect(await institutionTally()).toBe(before - 1);
    const listed = await admin.get(`/talent/people?branchId=${branch.branchId}`);
    expect(listed.body.items.map((p: { personId: string }) => p.personId)).toEqual([stays.personId]);
    expect((await admin.get(`/talent/branches/${branch.branchId}`)).body).not.toHaveProperty('secretaryId');
    const committeeIds = (await admin.get('/talent/committee/members?limit=100')).body.items.map(
      (p: { personId: string }) => p.personId,
    );
    expect(committeeIds).not.toContain(leaves.personId);
    // The record is kept for the committee; twice is refused.
    expect((await personView(leaves.personId)).departure.on).toBe('2026-11-20');
    const again = await admin.post(`/talent/people/${leaves.personId}/departure`, {
      version: left.body.version,
      on: '2026-11-21',
      reason: 'left-institution',
    });
    expect(again.status).toBe(409);
    // Another service's copy of the register knows they left: nothing is done in their name.
    const ghost = await as({ roles: ['member'], personId: leaves.personId, branchId: branch.branchId });
    const study = await ghost.get('/resources/me/study');
    expect(study.status).toBe(403);
    expect(study.body.error.code).toBe('no-person');
  });
});
