/**
 * Access-matrix fixtures for talent's party-dues routes (test/talent/dues.test.ts tests the
 * rules). Writes act on a fresh full member of branch A, or for `selfSecretary` on their own
 * record (own-record); reads read the `member` persona's own dues, a full member since 2015.
 */
import { expect } from 'vitest';
import { newId } from '../../../shared/ids.js';
import type { Persona } from '../../../shared/service.js';
import type { Fixtures, World } from './world.js';

const NOW = '2026-11-26T10:00:00+08:00';

/** A fresh full member of branch A with a 2026 base set by the committee; their id. */
const member = async (world: World) => {
  const res = await world.clients.committee.post(
    '/talent/people',
    {
      name: `党费矩阵 ${newId()}`,
      gender: 'female',
      birthDate: '1990-05-01',
      department: '化学药品检验所',
      politicalStatus: 'full',
      statusSince: '2015-07-01',
      branchId: world.branchA.branchId,
      history: { evidence: { kind: 'party-file', reference: `党费档案 ${newId()}`, issuedOn: '2015-07-01' } },
    },
    { now: NOW },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const personId = (res.body as { personId: string }).personId;
  const base = await world.clients.committee.put(
    `/talent/dues/${personId}/2026`,
    { category: 'employed', base: '4000.00', version: 0 },
    { now: NOW },
  );
  expect(base.status, JSON.stringify(base.body)).toBe(200);
  return personId;
};

const target = (world: World, persona: Persona) =>
  persona === 'selfSecretary' ? Promise.resolve(world.people.ownSecretary) : member(world);

const branchA = (world: World) => new URLSearchParams({ branchId: world.branchA.branchId }).toString();

export const duesFixtures: Fixtures = {
  'PUT /talent/dues/{personId}/{year}': async (world, persona) => ({
    path: `/talent/dues/${await target(world, persona)}/2027`,
    body: { category: 'retired', base: '5000.00', version: 0 },
    now: NOW,
  }),

  'POST /talent/dues/{personId}/payments': async (world, persona) => ({
    path: `/talent/dues/${await target(world, persona)}/payments`,
    body: { month: '2026-11', amount: '40.00', paidOn: '2026-11-20', channel: 'wechat' },
    now: NOW,
  }),

  'POST /talent/dues/{personId}/payments/batch': async (world, persona) => ({
    path: `/talent/dues/${await target(world, persona)}/payments/batch`,
    body: {
      paidOn: '2026-10-15',
      channel: 'transfer',
      months: [
        { month: '2026-07', amount: '40.00' },
        { month: '2026-08', amount: '40.00' },
        { month: '2026-09', amount: '40.00' },
      ],
    },
    now: NOW,
  }),

  'GET /talent/dues/{personId}': async (world, persona) => ({
    path: `/talent/dues/${persona === 'selfSecretary' ? world.people.ownSecretary : world.people.member}`,
    query: 'year=2026',
    now: NOW,
  }),

  'GET /talent/dues/arrears': async (world) => ({
    path: '/talent/dues/arrears',
    query: branchA(world),
    now: NOW,
  }),

  'GET /talent/dues/statement': async (world) => ({
    path: '/talent/dues/statement',
    query: `${branchA(world)}&year=2026`,
    now: NOW,
  }),

  'GET /talent/dues/statement.xlsx': async (world) => ({
    path: '/talent/dues/statement.xlsx',
    query: `${branchA(world)}&year=2026`,
    now: NOW,
  }),
};
