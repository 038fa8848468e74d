/**
 * Evidence on the pipeline (佐证材料) through the gateway and the real S3-compatible server: an
 * application letter uploaded with the presigned form, checked, shown as the evidence of its
 * step, downloaded and audited; a file that is not what it declares is refused; out of scope
 * and on one's own file nothing is written; a person submits their own application and
 * thought reports while in the pipeline, nothing else.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { pdfBytes, pngBytes, s3, uploadWith } from '../resources/support.js';
import { as, runtime } from '../support/api.js';
import { DELIVERY_BUDGET_MS, until } from '../support/wait.js';
import { type Client, committee, newBranch, register, TODAY } from './support.js';

interface FileSeen {
  attachmentId: string;
  kind: string;
  step?: string;
  status: string;
  rejectedReason?: string;
}
interface Listed {
  items: FileSeen[];
  steps: { step: string; evidence: string[] }[];
}

let admin: Client;
let branchId: string;
let secretary: Client;
let secretaryId: string;
let otherSecretary: Client;

beforeAll(async () => {
  admin = await committee();
  branchId = (await newBranch(admin)).branchId;
  const otherBranchId = (await newBranch(admin)).branchId;
  secretaryId = (await register(admin, { branchId, politicalStatus: 'full', name: '书记' })).personId;
  secretary = await as({ roles: ['secretary', 'member'], personId: secretaryId, branchId });
  otherSecretary = await as({ roles: ['secretary', 'member'], branchId: otherBranchId });
});

const filesOf = (personId: string) => `/talent/people/${personId}/attachments`;

const declare = (client: Client, personId: string, bytes: Uint8Array, over: Record<string, unknown> = {}) =>
  client.post(
    filesOf(personId),
    {
      kind: 'application-letter',
      name: '入党申请书.pdf',
      contentType: 'application/pdf',
      sizeBytes: bytes.byteLength,
      ...over,
    },
    { now: TODAY },
  );

const listed = async (client: Client, personId: string): Promise<Listed> => {
  const res = await client.get(filesOf(personId));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Listed;
};

/** Waits until the check decided the file (its status leaves `uploading`), and answers it. */
const checked = async (personId: string, attachmentId: string): Promise<FileSeen> => {
  let seen: FileSeen | undefined;
  await until(`evidence ${attachmentId} checked`, DELIVERY_BUDGET_MS, async () => {
    seen = (await listed(admin, personId)).items.find((f) => f.attachmentId === attachmentId);
    return seen !== undefined && seen.status !== 'uploading';
  });
  return seen as FileSeen;
};

const stored = async (key: string): Promise<boolean> => {
  try {
    await s3().send(new HeadObjectCommand({ Bucket: runtime().bucketNames.talent, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
};

const auditActions = async (personId: string): Promise<string[]> => {
  const res = await admin.get(`/talent/audit/people/${personId}?limit=50`);
  expect(res.status).toBe(200);
  return (res.body.items as { action: string }[]).map((e) => e.action);
};

const insightWithoutEvidence = async (personId: string) => {
  const res = await secretary.get(`/talent/insights/pipeline?branchId=${branchId}`, { now: TODAY });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.withoutEvidence as { personId: string; steps: string[] }[]).find(
    (p) => p.personId === personId,
  );
};

describe('evidence on the pipeline (佐证材料)', () => {
  it('takes an application letter, checks it, shows it as the applicant step’s evidence and audits every touch', async () => {
    const applicant = (await register(admin, { branchId, name: '申请人' })).personId;
    const step = await admin.post(
      `/talent/people/${applicant}/transitions`,
      { to: 'applicant', effectiveOn: '2026-11-20' },
      { now: TODAY },
    );
    expect(step.status, JSON.stringify(step.body)).toBe(201);
    expect(await insightWithoutEvidence(applicant)).toMatchObject({ steps: ['applicant'] });
    const bytes = pdfBytes('入党申请书：我志愿加入中国共产党');
    const created = await declare(secretary, applicant, bytes);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { attachmentId, upload } = created.body;
    expect(created.body).toMatchObject({
      kind: 'application-letter',
      step: 'applicant',
      status: 'uploading',
    });
    expect(upload.fields.key).toBe(`evidence/${applicant}/${attachmentId}`);
    const download = `${filesOf(applicant)}/${attachmentId}/download`;

    // Not checked yet: no download, and no evidence.
    expect((await secretary.get(download)).body.error.code).toBe('resource-not-available');
    expect((await listed(secretary, applicant)).steps).toEqual([{ step: 'applicant', evidence: [] }]);

    expect((await uploadWith(upload, bytes, 'application/pdf')).status).toBe(204);
    expect(await checked(applicant, attachmentId)).toMatchObject({ status: 'available' });
    expect(await stored(upload.fields.key)).toBe(false);

    expect((await listed(secretary, applicant)).steps).toEqual([
      { step: 'applicant', evidence: [attachmentId] },
    ]);
    expect(await insightWithoutEvidence(applicant)).toBeUndefined();
    // The timeline's step names its evidence.
    const timeline = await secretary.get(`/talent/people/${applicant}/timeline`);
    expect(timeline.body.items.find((e: { type: string }) => e.type === 'stage')).toMatchObject({
      to: 'applicant',
      evidenceFiles: [attachmentId],
    });

    const link = await secretary.get(download);
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    const fetched = await fetch(link.body.url);
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(bytes);
    // The person reads their own file too.
    const self = await as({ roles: ['member'], personId: applicant, branchId });
    expect((await self.get(download)).status).toBe(200);

    expect(await auditActions(applicant)).toEqual(
      expect.arrayContaining(['evidence.upload', 'evidence.list', 'evidence.download']),
    );

    // Removed by the secretary: the step has no evidence again, the copy is gone, audited.
    expect((await secretary.delete(`${filesOf(applicant)}/${attachmentId}`)).status).toBe(204);
    expect(await listed(secretary, applicant)).toEqual({
      personId: applicant,
      items: [],
      steps: [{ step: 'applicant', evidence: [] }],
    });
    expect(await insightWithoutEvidence(applicant)).toMatchObject({ steps: ['applicant'] });
    expect((await secretary.get(download)).status).toBe(404);
    expect(await auditActions(applicant)).toContain('evidence.delete');
  });

  it('rejects a file whose bytes are not what it declares, deletes it, and never counts it', async () => {
    const applicant = (await register(admin, { branchId, politicalStatus: 'applicant' })).personId;
    const png = pngBytes();
    const created = await declare(secretary, applicant, png, { name: '伪装的申请书.pdf' });
    expect(created.status).toBe(201);
    const { attachmentId, upload } = created.body;
    expect((await uploadWith(upload, png, 'application/pdf')).status).toBe(204);
    expect(await checked(applicant, attachmentId)).toMatchObject({
      status: 'rejected',
      rejectedReason: 'type-mismatch',
    });
    expect(await stored(upload.fields.key)).toBe(false);
    expect((await secretary.get(`${filesOf(applicant)}/${attachmentId}/download`)).status).toBe(422);
    expect((await listed(secretary, applicant)).steps).toEqual([{ step: 'applicant', evidence: [] }]);
  });

  it('writes nothing out of scope or on one’s own file; a person submits only what they write, while in the pipeline', async () => {
    const activist = (
      await register(admin, { branchId, politicalStatus: 'activist', statusSince: '2025-06-01' })
    ).personId;
    const bytes = pdfBytes();
    // Another branch's secretary, another member, an unknown person: nothing exists for them.
    expect((await declare(otherSecretary, activist, bytes)).status).toBe(404);
    const stranger = await as({ roles: ['member'], branchId });
    expect((await declare(stranger, activist, bytes)).status).toBe(404);
    expect((await declare(secretary, newId(), bytes)).status).toBe(404);
    expect((await otherSecretary.get(filesOf(activist))).status).toBe(404);
    // The secretary on their own file: separation of duties, whatever the kind.
    const own = await declare(secretary, secretaryId, bytes, { kind: 'political-review' });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('own-record');
    expect(
      (await declare(secretary, secretaryId, bytes, { kind: 'thought-report', quarter: '2026-Q4' })).body
        .error.code,
    ).toBe('own-record');
    expect((await listed(admin, secretaryId)).items).toEqual([]);

    // The activist hands in their own thought report, but not the branch's 政审 material.
    const self = await as({ roles: ['member'], personId: activist, branchId });
    const report = await declare(self, activist, bytes, {
      kind: 'thought-report',
      quarter: '2026-Q4',
      name: '2026年第四季度思想汇报.pdf',
    });
    expect(report.status, JSON.stringify(report.body)).toBe(201);
    expect(report.body).not.toHaveProperty('step');
    const review = await declare(self, activist, bytes, { kind: 'political-review' });
    expect(review.status).toBe(403);
    expect(review.body.error.code).toBe('own-record');
    // …and cannot remove anything, even their own submission.
    expect((await self.delete(`${filesOf(activist)}/${report.body.attachmentId}`)).status).toBe(403);
    expect((await listed(admin, activist)).items.map((f) => f.attachmentId)).toEqual([
      report.body.attachmentId,
    ]);
  });

  it('refuses what does not fit, with its code, and writes nothing', async () => {
    const applicant = (await register(admin, { branchId, politicalStatus: 'applicant' })).personId;
    const bytes = pdfBytes();
    const expectRefused = async (over: Record<string, unknown>, status: number, code: string) => {
      const res = await declare(secretary, applicant, bytes, over);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.code).toBe(code);
    };
    await expectRefused({ step: 'candidate' }, 422, 'evidence-step-mismatch');
    await expectRefused({ kind: 'public-notice', step: 'political-review' }, 422, 'evidence-step-mismatch');
    await expectRefused({ kind: 'thought-report', quarter: '2027-Q1' }, 422, 'quarter-in-future');
    await expectRefused(
      { kind: 'thought-report', step: 'activist', quarter: '2026-Q4' },
      422,
      'evidence-step-mismatch',
    );
    await expectRefused({ kind: 'thought-report' }, 400, 'validation-failed');
    await expectRefused({ quarter: '2026-Q4' }, 400, 'validation-failed');
    await expectRefused({ quarter: '2026-Q5', kind: 'thought-report' }, 400, 'validation-failed');
    await expectRefused({ contentType: 'text/html' }, 400, 'unsupported-content-type');
    expect((await listed(admin, applicant)).items).toEqual([]);
  });

  it('holds at most 60 files per person; a removal gives the place back', async () => {
    const applicant = (await register(admin, { branchId, politicalStatus: 'applicant' })).personId;
    const bytes = pdfBytes();
    let first = '';
    for (let i = 0; i < 60; i++) {
      const res = await declare(secretary, applicant, bytes, { kind: 'other', name: `材料${i}.pdf` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      first ||= res.body.attachmentId;
    }
    const full = await declare(secretary, applicant, bytes, { kind: 'other' });
    expect(full.status).toBe(422);
    expect(full.body.error).toMatchObject({ code: 'too-many-evidence-files', details: { limit: 60 } });
    expect((await listed(admin, applicant)).items).toHaveLength(60);
    expect((await secretary.delete(`${filesOf(applicant)}/${first}`)).status).toBe(204);
    expect((await declare(secretary, applicant, bytes, { kind: 'other' })).status).toBe(201);
  });
});
