/**
 * Quarterly thought reports (思想汇报): who in the pipeline owes one for a quarter and has none
 * checked, for the branch's secretary and the committee; the list changes when a report is
 * submitted and passes its check, and only for the quarter it covers. "Now" is injected.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { pdfBytes, uploadWith } from '../resources/support.js';
import { as } from '../support/api.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';
import { type Client, committee, newBranch, register } from './support.js';

const NOW = '2026-11-26T10:00:00+08:00';

let admin: Client;
let branchId: string;
let otherBranchId: string;
let secretary: Client;
let activist: string;
let candidate: string;
let probationary: string;
let newActivist: string;

beforeAll(async () => {
  admin = await committee();
  branchId = (await newBranch(admin)).branchId;
  otherBranchId = (await newBranch(admin)).branchId;
  secretary = await as({ roles: ['secretary', 'member'], branchId });
  await register(admin, { branchId, politicalStatus: 'applicant', name: '申请人' });
  await register(admin, { branchId, politicalStatus: 'full', name: '正式党员' });
  activist = (
    await register(admin, {
      branchId,
      politicalStatus: 'activist',
      statusSince: '2025-06-01',
      name: '甲积极分子',
    })
  ).personId;
  candidate = (
    await register(admin, {
      branchId,
      politicalStatus: 'candidate',
      statusSince: '2026-03-01',
      name: '乙发展对象',
    })
  ).personId;
  probationary = (
    await register(admin, {
      branchId,
      politicalStatus: 'probationary',
      statusSince: '2026-01-10',
      name: '丙预备党员',
    })
  ).personId;
  // An activist since the fourth quarter owes nothing for the third.
  newActivist = (
    await register(admin, {
      branchId,
      politicalStatus: 'activist',
      statusSince: '2026-10-08',
      name: '丁积极分子',
    })
  ).personId;
  await register(admin, { branchId: otherBranchId, politicalStatus: 'activist', statusSince: '2025-06-01' });
});

const missing = async (client: Client, query: string) => {
  const res = await client.get(`/talent/pipeline/thought-reports?${query}`, { now: NOW });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { quarter: string; owing: number; missing: { personId: string }[] };
};
const ids = (body: { missing: { personId: string }[] }) => body.missing.map((p) => p.personId);

/** The person hands in their thought report for a quarter; answers once its check passed. */
const submit = async (personId: string, quarter: string) => {
  const self = await as({ roles: ['member'], personId, branchId });
  const bytes = pdfBytes(`${quarter} 思想汇报`);
  const path = `/talent/people/${personId}/attachments`;
  const res = await self.post(
    path,
    {
      kind: 'thought-report',
      quarter,
      name: `${quarter}思想汇报.pdf`,
      contentType: 'application/pdf',
      sizeBytes: bytes.byteLength,
    },
    { now: NOW },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect((await uploadWith(res.body.upload, bytes, 'application/pdf')).status).toBe(204);
  await until('the thought report checked', DELIVERY_BUDGET_MS, async () => {
    const files = (await self.get(path)).body.items as { attachmentId: string; status: string }[];
    return files.some((f) => f.attachmentId === res.body.attachmentId && f.status === 'available');
  });
  return res.body.attachmentId as string;
};

describe('quarterly thought reports (思想汇报)', () => {
  it('lists activists, candidates and probationary members without one, and drops each once theirs is checked', {
    // Its waits: two reports checked.
    timeout: timeoutFor(deliveries(2)),
  }, async () => {
    // The current quarter in Asia/Shanghai by default: 2026-11-26 is in the fourth.
    const before = await missing(secretary, '');
    expect(before.quarter).toBe('2026-Q4');
    expect(before.owing).toBe(4);
    expect(ids(before).sort()).toEqual([activist, candidate, probationary, newActivist].sort());
    expect(ids(await missing(secretary, 'quarter=2026-Q3')).sort()).toEqual(
      [activist, candidate, probationary].sort(),
    );

    const report = await submit(activist, '2026-Q4');
    expect(ids(await missing(secretary, `branchId=${branchId}&quarter=2026-Q4`)).sort()).toEqual(
      [candidate, probationary, newActivist].sort(),
    );
    // A report covers its own quarter only.
    expect(ids(await missing(secretary, 'quarter=2026-Q3'))).toContain(activist);
    await submit(probationary, '2026-Q3');
    expect(ids(await missing(admin, `branchId=${branchId}&quarter=2026-Q3`)).sort()).toEqual(
      [activist, candidate].sort(),
    );
    expect(ids(await missing(admin, `branchId=${branchId}&quarter=2026-Q4`))).toContain(probationary);

    // Removed, it no longer counts.
    expect((await secretary.delete(`/talent/people/${activist}/attachments/${report}`)).status).toBe(204);
    expect(ids(await missing(secretary, 'quarter=2026-Q4'))).toContain(activist);
  });

  it('is the branch’s secretary’s and the committee’s only', async () => {
    const other = await as({ roles: ['secretary', 'member'], branchId: otherBranchId });
    expect(
      (await other.get(`/talent/pipeline/thought-reports?branchId=${branchId}`, { now: NOW })).status,
    ).toBe(404);
    expect(ids(await missing(other, ''))).not.toContain(activist);
    const member = await as({ roles: ['member'], personId: activist, branchId });
    expect((await member.get('/talent/pipeline/thought-reports', { now: NOW })).status).toBe(403);
    // The committee sees the institution: this branch's people among everyone's.
    expect(ids(await missing(admin, 'quarter=2026-Q4'))).toEqual(
      expect.arrayContaining([candidate, probationary, newActivist]),
    );
    const bad = await secretary.get('/talent/pipeline/thought-reports?quarter=2026-Q5', { now: NOW });
    expect(bad.status).toBe(400);
  });
});
