/**
 * Announcements' attachments (附件) through the gateway and the real S3-compatible server:
 * a file uploaded with the presigned form is checked as the library's files are, then
 * downloaded by the announcement's readers; a file that is not what it declares is refused;
 * scope, status and the cap hold; bad input writes nothing.
 */
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { branchWithMembers } from '../activities/support.js';
import { pdfBytes, pngBytes, s3, uploadWith } from '../resources/support.js';
import { type as, request, runtime } from '../support/api.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';

type Client = Awaited<ReturnType<typeof as>>;
interface AttachmentSeen {
  attachmentId: string;
  name: string;
  contentType: string;
  sizeBytes: number;
  status: string;
  rejectedReason?: string;
}

const draft = async (secretary: Client, branchId: string) => {
  const res = await secretary.post('/notices/announcements', {
    title: `关于学习会议精神的通知 ${newId()}`,
    text: '各党员：请阅读附件中的学习材料。',
    audience: { kind: 'branches', branchIds: [branchId] },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return `/notices/announcements/${res.body.announcementId as string}`;
};

const publish = async (secretary: Client, path: string) => {
  const res = await secretary.post(`${path}/publish`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
};

const attach = async (
  secretary: Client,
  path: string,
  bytes: Uint8Array,
  over: Record<string, unknown> = {},
) => {
  const res = await secretary.post(`${path}/attachments`, {
    name: '学习材料.pdf',
    contentType: 'application/pdf',
    sizeBytes: bytes.byteLength,
    ...over,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as AttachmentSeen & { upload: { url: string; fields: Record<string, string> } };
};

const attachmentsOf = async (client: Client, path: string): Promise<AttachmentSeen[]> => {
  const res = await client.get(path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.attachments as AttachmentSeen[];
};

/** Waits until the check decided the attachment (its status leaves `uploading`), and answers it. */
const checked = async (secretary: Client, path: string, attachmentId: string): Promise<AttachmentSeen> => {
  let seen: AttachmentSeen | undefined;
  await until(`attachment ${attachmentId} checked`, DELIVERY_BUDGET_MS, async () => {
    seen = (await attachmentsOf(secretary, path)).find((f) => f.attachmentId === attachmentId);
    return seen !== undefined && seen.status !== 'uploading';
  });
  return seen as AttachmentSeen;
};

const storedInNotices = async (key: string): Promise<boolean> => {
  try {
    await s3().send(new HeadObjectCommand({ Bucket: runtime().bucketNames.notices, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
};

describe('attachments (附件)', () => {
  it('takes a PDF on a draft, checks it, and serves it to the addressed members once published', {
    // Its waits: two branches' rosters and the check.
    timeout: timeoutFor(deliveries(3)),
  }, async () => {
    const a = await branchWithMembers(1);
    const b = await branchWithMembers(1);
    const member = a.members[0] as Client;
    const path = await draft(a.secretary, a.branchId);
    const bytes = pdfBytes('学习贯彻党的二十大精神');
    const created = await attach(a.secretary, path, bytes, { name: '学习材料.pdf' });
    const { attachmentId, upload } = created;
    expect(created).toMatchObject({ status: 'uploading', sizeBytes: bytes.byteLength });
    const [announcementId] = path.split('/').slice(-1);
    expect(upload.fields.key).toBe(`attachments/${announcementId}/${attachmentId}`);
    expect(upload.fields['Content-Type']).toBe('application/pdf');
    const download = `${path}/attachments/${attachmentId}/download`;

    // Not checked yet: the publisher is told it is not available; a draft has no readers yet.
    const early = await a.secretary.get(download);
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('resource-not-available');
    expect((await member.get(download)).status).toBe(404);

    expect((await uploadWith(upload, bytes, 'application/pdf')).status).toBe(204);
    expect(await checked(a.secretary, path, attachmentId)).toMatchObject({ status: 'available' });
    // The upload went once checked: downloads serve the checked copy only.
    expect(await storedInNotices(upload.fields.key as string)).toBe(false);
    await publish(a.secretary, path);

    expect(await attachmentsOf(member, path)).toEqual([
      {
        attachmentId,
        name: '学习材料.pdf',
        contentType: 'application/pdf',
        sizeBytes: bytes.byteLength,
        status: 'available',
      },
    ]);
    const link = await member.get(download);
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    const url = new URL(link.body.url);
    expect(url.searchParams.get('response-content-type')).toBe('application/pdf');
    expect(url.searchParams.get('response-content-disposition')).toMatch(
      /^attachment; filename="____.pdf"; filename\*=UTF-8''%E5%AD%A6%E4%B9%A0%E6%9D%90%E6%96%99\.pdf$/,
    );
    const fetched = await fetch(link.body.url);
    expect(fetched.status).toBe(200);
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(bytes);

    // Out of scope: another branch's member and secretary are told nothing exists.
    expect((await (b.members[0] as Client).get(download)).status).toBe(404);
    expect((await b.secretary.get(download)).status).toBe(404);
    expect((await b.secretary.get(`${path}/attachments/${newId()}/download`)).status).toBe(404);
    expect((await request('GET', download)).status).toBe(401);
  });

  it('rejects a file whose bytes are not what it declares, deletes it, and never serves it', {
    // Its waits: the branch's roster and the check.
    timeout: timeoutFor(deliveries(2)),
  }, async () => {
    const a = await branchWithMembers(1);
    const member = a.members[0] as Client;
    const path = await draft(a.secretary, a.branchId);
    await publish(a.secretary, path);
    const png = pngBytes();
    const { attachmentId, upload } = await attach(a.secretary, path, png, { name: '伪装的文件.pdf' });
    expect((await uploadWith(upload, png, 'application/pdf')).status).toBe(204);

    expect(await checked(a.secretary, path, attachmentId)).toMatchObject({
      status: 'rejected',
      rejectedReason: 'type-mismatch',
    });
    expect(await storedInNotices(upload.fields.key as string)).toBe(false);
    // Readers do not see it; nobody downloads it.
    expect(await attachmentsOf(member, path)).toEqual([]);
    for (const who of [a.secretary, member]) {
      const res = await who.get(`${path}/attachments/${attachmentId}/download`);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('resource-not-available');
    }
  });

  it('refuses bad input with its code and writes nothing', async () => {
    const a = await branchWithMembers(1);
    const path = await draft(a.secretary, a.branchId);
    const refused = async (body: Record<string, unknown>, status: number, code: string) => {
      const res = await a.secretary.post(`${path}/attachments`, {
        name: '材料.pdf',
        contentType: 'application/pdf',
        sizeBytes: 100,
        ...body,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.code).toBe(code);
      return res.body.error;
    };
    const unknown = await refused({ contentType: 'text/html' }, 400, 'unsupported-content-type');
    expect(unknown.details.allowed).toContain('application/pdf');
    expect(unknown.details.allowed).not.toContain('video/mp4');
    const big = await refused({ sizeBytes: 200 * 1024 * 1024 + 1 }, 400, 'file-too-large');
    expect(big.details).toEqual({ limitBytes: 200 * 1024 * 1024 });
    await refused({ name: `${'长'.repeat(201)}.pdf` }, 400, 'validation-failed');
    await refused({ name: '材料\n.pdf' }, 400, 'validation-failed');
    expect(await attachmentsOf(a.secretary, path)).toEqual([]);

    // Ten at most: the eleventh is refused, and a deletion gives its place back.
    const ids: string[] = [];
    for (let i = 0; i < 10; i++)
      ids.push((await attach(a.secretary, path, pdfBytes(), { name: `材料${i}.pdf` })).attachmentId);
    const full = await refused({}, 422, 'too-many-attachments');
    expect(full.details).toEqual({ limit: 10 });
    expect((await attachmentsOf(a.secretary, path)).map((f) => f.attachmentId)).toEqual(ids);
    expect((await a.secretary.delete(`${path}/attachments/${ids[0]}`)).status).toBe(204);
    await attach(a.secretary, path, pdfBytes(), { name: '替换.pdf' });
    await refused({}, 422, 'too-many-attachments');
  });

  it('lets only the publisher side add and delete, on a draft or published, never once withdrawn', {
    // Its waits: two branches' rosters and the check.
    timeout: timeoutFor(deliveries(3)),
  }, async () => {
    const a = await branchWithMembers(1);
    const b = await branchWithMembers(0);
    const member = a.members[0] as Client;
    const path = await draft(a.secretary, a.branchId);
    await publish(a.secretary, path);
    const bytes = pdfBytes('补充材料');
    const { attachmentId, upload } = await attach(a.secretary, path, bytes);
    expect((await uploadWith(upload, bytes, 'application/pdf')).status).toBe(204);
    await checked(a.secretary, path, attachmentId);
    const one = `${path}/attachments/${attachmentId}`;

    const body = { name: 'x.pdf', contentType: 'application/pdf', sizeBytes: 10 };
    expect((await member.post(`${path}/attachments`, body)).status).toBe(403);
    expect((await b.secretary.post(`${path}/attachments`, body)).status).toBe(404);
    expect((await member.delete(one)).status).toBe(403);
    expect((await b.secretary.delete(one)).status).toBe(404);
    expect((await a.secretary.delete(`${path}/attachments/${newId()}`)).status).toBe(404);

    // Deleted: gone from the view, its checked copy gone from the bucket, its link 404.
    expect((await a.secretary.delete(one)).status).toBe(204);
    expect(await attachmentsOf(member, path)).toEqual([]);
    expect((await member.get(`${one}/download`)).status).toBe(404);
    const copies = await s3().send(
      new ListObjectsV2Command({
        Bucket: runtime().bucketNames.notices,
        Prefix: `published/${path.split('/').at(-1)}/${attachmentId}/`,
      }),
    );
    expect(copies.Contents ?? []).toEqual([]);

    // Withdrawn: its attachments change no more.
    const kept = await attach(a.secretary, path, pdfBytes());
    expect((await a.secretary.post(`${path}/withdraw`)).status).toBe(200);
    const late = await a.secretary.post(`${path}/attachments`, body);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({
      code: 'announcement-status-conflict',
      details: { status: 'withdrawn' },
    });
    const removal = await a.secretary.delete(`${path}/attachments/${kept.attachmentId}`);
    expect(removal.status).toBe(409);
    expect(removal.body.error.code).toBe('announcement-status-conflict');
  });
});
