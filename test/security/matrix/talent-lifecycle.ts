/**
 * Access-matrix fixtures for talent's membership lifecycle (test/talent/lifecycle.test.ts
 * tests the rules). Writes act on a fresh full member of branch A, or for `selfSecretary` on
 * their own record (own-record); a transfer in registers a fresh person into branch A.
 */
import { expect } from 'vitest';
import { newId } from '../../../shared/ids.js';
import type { Persona } from '../../../shared/service.js';
import type { Fixtures, World } from './world.js';

const NOW = '2026-11-26T10:00:00+08:00';

/** A fresh full member of branch A, registered by the committee; their id and version. */
const member = async (world: World, persona: Persona) => {
  if (persona === 'selfSecretary') return { personId: world.people.ownSecretary, version: 1 };
  const res = await world.clients.committee.post(
    '/talent/people',
    {
      name: `组织关系矩阵 ${newId()}`,
      gender: 'male',
      birthDate: '1980-05-01',
      department: '化学药品检验所',
      politicalStatus: 'full',
      statusSince: '2010-07-01',
      branchId: world.branchA.branchId,
      history: { evidence: { kind: 'party-file', reference: `档案 ${newId()}`, issuedOn: '2010-07-01' } },
    },
    { now: NOW },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { personId: string; version: number };
};

export const lifecycleFixtures: Fixtures = {
  'POST /talent/people/{personId}/transfer-out': async (world, persona) => {
    const { personId, version } = await member(world, persona);
    return {
      path: `/talent/people/${personId}/transfer-out`,
      body: {
        version,
        letterNumber: `矩阵转字 ${newId()}`,
        receivingOrganisation: '中共某某局机关委员会',
        on: '2026-11-20',
      },
      now: NOW,
    };
  },

  'POST /talent/people/transfer-in': async (world) => ({
    path: '/talent/people/transfer-in',
    body: {
      name: `转入矩阵 ${newId()}`,
      gender: 'female',
      birthDate: '1985-05-01',
      department: '化学药品检验所',
      branchId: world.branchA.branchId,
      politicalStatus: 'full',
      statusSince: '2010-07-01',
      transfer: {
        letterNumber: `矩阵转字 ${newId()}`,
        issuedOn: '2026-11-10',
        sendingOrganisation: '中共某某院委员会',
      },
    },
    now: NOW,
  }),

  'POST /talent/people/{personId}/end-membership': async (world, persona) => {
    const { personId, version } = await member(world, persona);
    return {
      path: `/talent/people/${personId}/end-membership`,
      body: { version, kind: 'deceased', on: '2026-11-20', reason: '病故', authority: '党委〔2026〕1号' },
      now: NOW,
    };
  },
};
