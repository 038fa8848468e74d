/**
 * Activities' evidence (佐证材料) through the gateway and the real S3-compatible server: a
 * meeting's photo is uploaded with the presigned form, checked, and counted as evidence in
 * compliance; a file that is not what it declares is refused and deleted; evidence stays
 * within the activity's scope; bad input writes nothing.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { pdfBytes, pngBytes, s3, uploadWith } from '../resources/support.js';
import { type as, request, runtime } from '../support/api.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';
import { at, branchWithMembers, meeting } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;
interface EvidenceSeen {
  attachmentId: string;
  kind: string;
  status: string;
  rejectedReason?: string;
}
interface MeetingEvidence {
  activityId: string;
  evidence: number;
  hasEvidence: boolean;
}

const SCHEDULED_ON = '2026-11-20T10:00:00+08:00';
const AFTER = '2026-11-26T11:30:00+08:00';

/** A meeting of the branch on 2026-11-26, held (completed) unless told otherwise: its path. */
const heldMeeting = async (secretary: Client, branchId: string, { complete = true } = {}) => {
  const res = await secretary.post('/activities', meeting(branchId), at(SCHEDULED_ON));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const path = `/activities/${res.body.activityId as string}`;
  if (complete) {
    const done = await secretary.post(`${path}/complete`, { minutes: '会议研究了发展党员工作。' }, at(AFTER));
    expect(done.status, JSON.stringify(done.body)).toBe(200);
  }
  return { path, activityId: res.body.activityId as string };
};

const attach = async (
  secretary: Client,
  path: string,
  bytes: Uint8Array,
  over: Record<string, unknown> = {},
) => {
  const res = await secretary.post(`${path}/attachments`, {
    kind: 'photo',
    name: '主题党日合影.png',
    contentType: 'image/png',
    sizeBytes: bytes.byteLength,
    ...over,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as EvidenceSeen & { upload: { url: string; fields: Record<string, string> } };
};

const listed = async (client: Client, path: string) => {
  const res = await client.get(`${path}/attachments`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { evidence: number; items: EvidenceSeen[] };
};

/** Waits until the check decided the file (its status leaves `uploading`), and answers it. */
const checked = async (secretary: Client, path: string, attachmentId: string): Promise<EvidenceSeen> => {
  let seen: EvidenceSeen | undefined;
  await until(`evidence ${attachmentId} checked`, DELIVERY_BUDGET_MS, async () => {
    seen = (await listed(secretary, path)).items.find((f) => f.attachmentId === attachmentId);
    return seen !== undefined && seen.status !== 'uploading';
  });
  return seen as EvidenceSeen;
};

/** The branch's evidence in compliance, as its secretary sees it. */
const complianceEvidence = async (secretary: Client, branchId: string) => {
  const res = await secretary.get(
    `/activities/insights/compliance?branchId=${branchId}&year=2026`,
    at(AFTER),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.branches[0].evidence as {
    held: number;
    withEvidence: number;
    withoutEvidence: number;
    types: { type: string; held: number; withoutEvidence: number }[];
    meetings: MeetingEvidence[];
  };
};

const stored = async (key: string): Promise<boolean> => {
  try {
    await s3().send(new HeadObjectCommand({ Bucket: runtime().bucketNames.activities, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
};

describe('evidence (佐证材料)', () => {
  it('takes a photo of a held meeting, checks it, counts it in compliance and serves it to the branch', {
    // Its waits: the branch's roster and the check.
    timeout: timeoutFor(deliveries(2)),
  }, async () => {
    const a = await branchWithMembers(1);
    const member = a.members[0] as Client;
    const { path, activityId } = await heldMeeting(a.secretary, a.branchId);
    const before = await complianceEvidence(a.secretary, a.branchId);
    expect(before).toMatchObject({ held: 1, withEvidence: 0, withoutEvidence: 1 });
    expect(before.types).toEqual([
      { type: 'branch-committee-meeting', held: 1, withEvidence: 0, withoutEvidence: 1 },
    ]);
    expect(before.meetings).toEqual([
      expect.objectContaining({ activityId, heldOn: '2026-11-26', evidence: 0, hasEvidence: false }),
    ]);

    const png = pngBytes();
    const created = await attach(a.secretary, path, png);
    expect(created).toMatchObject({ kind: 'photo', status: 'uploading' });
    expect(created.upload.fields.key).toBe(`evidence/${activityId}/${created.attachmentId}`);
    // Not checked yet: it is not evidence, and the branch's members do not see it.
    expect((await listed(member, path)).items).toEqual([]);
    expect((await complianceEvidence(a.secretary, a.branchId)).withoutEvidence).toBe(1);

    expect((await uploadWith(created.upload, png, 'image/png')).status).toBe(204);
    expect(await checked(a.secretary, path, created.attachmentId)).toMatchObject({ status: 'available' });
    expect(await stored(created.upload.fields.key as string)).toBe(false);

    const after = await complianceEvidence(a.secretary, a.branchId);
    expect(after).toMatchObject({ held: 1, withEvidence: 1, withoutEvidence: 0 });
    expect(after.meetings).toEqual([expect.objectContaining({ activityId, evidence: 1, hasEvidence: true })]);

    const seen = await listed(member, path);
    expect(seen.evidence).toBe(1);
    expect(seen.items.map((f) => f.attachmentId)).toEqual([created.attachmentId]);
    const link = await member.get(`${path}/attachments/${created.attachmentId}/download`);
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    const fetched = await fetch(link.body.url);
    expect(fetched.status).toBe(200);
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(png);

    // Deleted by the secretary: no longer evidence.
    expect((await member.delete(`${path}/attachments/${created.attachmentId}`)).status).toBe(403);
    expect((await a.secretary.delete(`${path}/attachments/${created.attachmentId}`)).status).toBe(204);
    expect(await complianceEvidence(a.secretary, a.branchId)).toMatchObject({
      withEvidence: 0,
      withoutEvidence: 1,
    });
    expect((await listed(a.secretary, path)).items).toEqual([]);
  });

  it('rejects a file that is not what it declares, deletes it, and never counts or serves it', {
    // Its waits: the branch's roster and the check.
    timeout: timeoutFor(deliveries(2)),
  }, async () => {
    const a = await branchWithMembers(1);
    const member = a.members[0] as Client;
    const { path } = await heldMeeting(a.secretary, a.branchId);
    const png = pngBytes();
    const { attachmentId, upload } = await attach(a.secretary, path, png, {
      kind: 'sign-in-sheet',
      name: '签到表.pdf',
      contentType: 'application/pdf',
    });
    expect((await uploadWith(upload, png, 'application/pdf')).status).toBe(204);
    expect(await checked(a.secretary, path, attachmentId)).toMatchObject({
      status: 'rejected',
      rejectedReason: 'type-mismatch',
    });
    expect(await stored(upload.fields.key as string)).toBe(false);
    expect(await complianceEvidence(a.secretary, a.branchId)).toMatchObject({
      withEvidence: 0,
      withoutEvidence: 1,
    });
    expect(await listed(member, path)).toMatchObject({ evidence: 0, items: [] });
    const mine = await a.secretary.get(`${path}/attachments/${attachmentId}/download`);
    expect(mine.status).toBe(422);
    expect(mine.body.error.code).toBe('resource-not-available');
    expect((await member.get(`${path}/attachments/${attachmentId}/download`)).status).toBe(404);
  });

  it('keeps evidence within the activity’s scope: out of scope is 404 and writes nothing', {
    // Its waits: two branches' rosters and the check.
    timeout: timeoutFor(deliveries(3)),
  }, async () => {
    const a = await branchWithMembers(1);
    const b = await branchWithMembers(1);
    const { path } = await heldMeeting(a.secretary, a.branchId);
    const pdf = pdfBytes('会议记录');
    const body = {
      kind: 'minutes',
      name: '会议记录.pdf',
      contentType: 'application/pdf',
      sizeBytes: pdf.byteLength,
    };

    const outside = await b.secretary.post(`${path}/attachments`, body);
    expect(outside.status).toBe(404);
    expect(outside.body.error.code).toBe('not-found');
    expect((await b.secretary.post(`/activities/${newId()}/attachments`, body)).status).toBe(404);
    expect((await (a.members[0] as Client).post(`${path}/attachments`, body)).status).toBe(403);
    expect((await listed(a.secretary, path)).items).toEqual([]);

    const { attachmentId, upload } = await attach(a.secretary, path, pdf, body);
    expect((await uploadWith(upload, pdf, 'application/pdf')).status).toBe(204);
    expect((await checked(a.secretary, path, attachmentId)).status).toBe('available');
    const download = `${path}/attachments/${attachmentId}/download`;
    for (const who of [b.secretary, b.members[0] as Client]) {
      expect((await who.get(`${path}/attachments`)).status).toBe(404);
      expect((await who.get(download)).status).toBe(404);
      expect((await who.delete(`${path}/attachments/${attachmentId}`)).status).toBe(
        who === b.secretary ? 404 : 403,
      );
    }
    // The same 404 for a file that does not exist: nothing tells the two apart.
    expect((await b.secretary.get(`${path}/attachments/${newId()}/download`)).status).toBe(404);
    expect((await request('GET', download)).status).toBe(401);
    expect((await listed(a.secretary, path)).evidence).toBe(1);
  });

  it('refuses bad input with its code, holds the cap under a race, and takes none on a cancelled activity', async () => {
    const a = await branchWithMembers(0);
    const { path } = await heldMeeting(a.secretary, a.branchId, { complete: false });
    const refused = async (over: Record<string, unknown>, status: number, code: string) => {
      const res = await a.secretary.post(`${path}/attachments`, {
        kind: 'slides',
        name: '课件.pptx',
        contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
        sizeBytes: 100,
        ...over,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.code).toBe(code);
      return res.body.error;
    };
    const video = await refused({ contentType: 'video/mp4' }, 400, 'unsupported-content-type');
    expect(video.details.allowed).toContain('image/jpeg');
    expect(video.details.allowed).not.toContain('video/mp4');
    const big = await refused({ sizeBytes: 50 * 1024 * 1024 + 1 }, 400, 'file-too-large');
    expect(big.details).toEqual({ limitBytes: 50 * 1024 * 1024 });
    await refused({ kind: 'video' }, 400, 'validation-failed');
    expect((await listed(a.secretary, path)).items).toEqual([]);

    // Thirty at most: two adds racing for the last place, one wins.
    for (let i = 0; i < 29; i++) await attach(a.secretary, path, pdfBytes(), { name: `照片${i}.png` });
    const raced = await Promise.all(
      [1, 2].map((i) =>
        a.secretary.post(`${path}/attachments`, {
          kind: 'photo',
          name: `最后一张${i}.png`,
          contentType: 'image/png',
          sizeBytes: 100,
        }),
      ),
    );
    expect(raced.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(raced.find((r) => r.status === 422)?.body.error).toMatchObject({
      code: 'too-many-attachments',
      details: { limit: 30 },
    });
    expect((await listed(a.secretary, path)).items).toHaveLength(30);

    const cancelled = await heldMeeting(a.secretary, a.branchId, { complete: false });
    const cancel = await a.secretary.post(`${cancelled.path}/cancel`, { reason: '因故取消' });
    expect(cancel.status).toBe(200);
    const res = await a.secretary.post(`${cancelled.path}/attachments`, {
      kind: 'photo',
      name: '照片.png',
      contentType: 'image/png',
      sizeBytes: 100,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('activity-cancelled');
    expect((await listed(a.secretary, cancelled.path)).items).toEqual([]);
  });
});
