/**
 * The world the access matrix runs in, built through the API once per run: branch A (the
 * owner of every object the fixtures create) and branch B, a member and a secretary of A, a
 * secretary of B, a committee member (in no branch), and two approved partner organisations.
 * Each persona's token belongs to a real person or partner, so rosters and scope checks see
 * them as they would in use (a route acting for the caller refuses an account whose person
 * the register does not hold).
 */
import { expect } from 'vitest';
import { newId } from '../../../shared/ids.js';
import { type Persona, personaRoles, personas } from '../../../shared/service.js';
import { as, request, settle, tokenFor } from '../../support/api.js';

export type Client = Awaited<ReturnType<typeof as>>;

export interface World {
  branchA: { branchId: string; partyGroupId: string };
  branchB: { branchId: string; partyGroupId: string };
  /** person ids: `member` and `ownSecretary` (also `selfSecretary`) are in branch A, `otherSecretary` in branch B, `committee` in none. */
  people: { member: string; ownSecretary: string; otherSecretary: string; committee: string };
  /** Partner organisation ids (approved). */
  orgA: string;
  orgB: string;
  /** A token per persona (none for `anonymous`). */
  tokens: Record<Persona, string | undefined>;
  /** A client per persona, for fixtures that need to act as one while preparing. */
  clients: Record<Exclude<Persona, 'anonymous'>, Client>;
}

/** One call of the matrix: what the fixture prepared for this persona. */
export interface Call {
  path: string;
  body?: unknown;
  /** Query string without the leading `?`. */
  query?: string;
  /** The request time the handler sees (x-dangjian-now), for time-windowed routes. */
  now?: string;
  headers?: Record<string, string>;
}

/**
 * Prepares one fresh call of a route for one persona: creates whatever object the route
 * acts on (owned by branch A or org A) and returns the request. Called once per cell, so
 * a write that succeeds for one persona does not change what the next one meets.
 */
export type Fixture = (world: World, persona: Persona) => Promise<Call>;
export type Fixtures = Readonly<Record<string, Fixture>>;

const branch = async (admin: Client, name: string) => {
  const res = await admin.post('/talent/branches', {
    name: `${name} ${newId()}`,
    partyGroups: [{ name: '第一党小组' }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const body = res.body as { branchId: string; partyGroups: { id: string }[] };
  return { branchId: body.branchId, partyGroupId: (body.partyGroups[0] as { id: string }).id };
};

const person = async (admin: Client, name: string, branch?: { branchId: string; partyGroupId: string }) => {
  const res = await admin.post('/talent/people', {
    name,
    gender: 'female',
    birthDate: '1990-05-01',
    department: '化学药品检验所',
    politicalStatus: 'full',
    statusSince: '2015-07-01',
    // Full members come in with their history, on the committee's authority (talent's README).
    history: { evidence: { kind: 'party-file', reference: `档案 ${newId()}`, issuedOn: '2015-07-01' } },
    ...(branch ?? {}),
    phone: '13812345678',
    email: `${name}@example.cn`,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { personId: string }).personId;
};

const partner = async (admin: Client, name: string) => {
  const applied = await request('POST', '/community/partners/applications', {
    consent: true,
    orgName: `${name} ${newId()}`,
    orgType: 'enterprise',
    contactName: '王五',
    contactPhone: '13812341234',
    contactEmail: 'partner@example.cn',
    intro: '检验检测行业的邻居单位',
  });
  expect(applied.status, JSON.stringify(applied.body)).toBe(202);
  const partnerId = (applied.body as { partnerId: string }).partnerId;
  const approved = await admin.post(`/community/partners/${partnerId}/approve`);
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return partnerId;
};

export const buildWorld = async (): Promise<World> => {
  // Builds the world before the committee's own person exists: managing needs no person.
  const admin = await as({ roles: ['committee'] });
  const branchA = await branch(admin, '化学药品检验支部');
  const branchB = await branch(admin, '中药检验支部');
  const people = {
    member: await person(admin, 'member', branchA),
    ownSecretary: await person(admin, 'secretary-a', branchA),
    otherSecretary: await person(admin, 'secretary-b', branchB),
    committee: await person(admin, 'committee'),
  };
  const orgA = await partner(admin, '甲科技有限公司');
  const orgB = await partner(admin, '乙社区服务中心');
  // Rosters in activities, resources and community learn the people from talent's events.
  await settle();
  const identity = (p: Persona) => ({
    roles: [...personaRoles[p]],
    ...(p === 'member' ? { personId: people.member, branchId: branchA.branchId } : {}),
    ...(p === 'ownSecretary' ? { personId: people.ownSecretary, branchId: branchA.branchId } : {}),
    ...(p === 'otherSecretary' ? { personId: people.otherSecretary, branchId: branchB.branchId } : {}),
    ...(p === 'committee' ? { personId: people.committee } : {}),
    ...(p === 'ownPartner' ? { orgId: orgA } : {}),
    ...(p === 'otherPartner' ? { orgId: orgB } : {}),
  });
  const ownSecretary = await as(identity('ownSecretary'));
  const clients = {
    member: await as(identity('member')),
    ownSecretary,
    // The same person: fixtures of routes about a person point this one at their own record.
    selfSecretary: ownSecretary,
    otherSecretary: await as(identity('otherSecretary')),
    committee: await as(identity('committee')),
    ownPartner: await as(identity('ownPartner')),
    otherPartner: await as(identity('otherPartner')),
  };
  const tokens = Object.fromEntries(
    personas.map((p) => [p, p === 'anonymous' ? undefined : clients[p].token]),
  ) as Record<Persona, string | undefined>;
  return { branchA, branchB, people, orgA, orgB, tokens, clients };
};

/** A token for someone who is not in the world (rarely needed). */
export const strangerToken = () => tokenFor({ roles: ['member'], branchId: newId() });
