/**
 * The study library through the local runtime and the real S3-compatible server: presigned
 * POST uploads, the Object Created check, presigned GET downloads, lists and the access matrix.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as, request, runtime, settle, tableClient } from '../support/api.js';
import { expectStatus, objectExists, pdfBytes, pngBytes, uploadWith } from './support.js';

const outboxOf = async (resourceId: string) => {
  const out = await tableClient().send(
    new QueryCommand({
      TableName: runtime().tableNames.resources,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `OUTBOX#${resourceId}` },
    }),
  );
  return (out.Items ?? []).map((i) => ({ detailType: i.detailType, detail: JSON.parse(i.detail as string) }));
};

const branchPeople = async () => {
  const branchId = newId();
  return {
    branchId,
    secretary: await as({ roles: ['secretary', 'member'], branchId }),
    member: await as({ roles: ['member'], branchId }),
    outsider: await as({ roles: ['member'], branchId: newId() }),
  };
};

const policyOf = (fields: Record<string, string>) =>
  JSON.parse(Buffer.from(fields.Policy ?? fields.policy ?? '', 'base64').toString('utf8')) as {
    conditions: unknown[];
  };

describe('uploading to the library', () => {
  it('issues a presigned POST, makes the checked object available and serves the same bytes for download', async () => {
    const { secretary, member, outsider, branchId } = await branchPeople();
    const bytes = pdfBytes('三会一课 学习材料');
    const created = await secretary.post('/resources', {
      title: '党章学习',
      kind: 'document',
      contentType: 'application/pdf',
      sizeBytes: bytes.byteLength,
      tags: ['党章'],
    });
    expectStatus(created, 201);
    const { resourceId, upload } = created.body;
    expect(created.body).toMatchObject({
      status: 'uploading',
      audience: { branchIds: [branchId] },
      version: 1,
    });
    expect(upload.fields.key).toBe(`library/${resourceId}`);
    expect(upload.fields['Content-Type']).toBe('application/pdf');
    expect(Date.parse(upload.expiresAt)).toBeGreaterThan(Date.now());
    const conditions = policyOf(upload.fields).conditions;
    expect(conditions).toContainEqual(['content-length-range', 1, 200 * 1024 * 1024]);
    expect(conditions).toContainEqual(['eq', '$Content-Type', 'application/pdf']);
    expect(conditions).toContainEqual({ key: `library/${resourceId}` });

    // Nothing is downloadable, or visible to members, before the object is checked.
    const early = await secretary.get(`/resources/${resourceId}/download`);
    expectStatus(early, 422);
    expect(early.body.error.code).toBe('resource-not-available');
    expectStatus(await member.get(`/resources/${resourceId}`), 404);

    const uploaded = await uploadWith(upload, bytes, 'application/pdf');
    expect(uploaded.status).toBe(204);
    await settle();

    const read = await member.get(`/resources/${resourceId}`);
    expectStatus(read, 200);
    expect(read.body).toMatchObject({ status: 'available', title: '党章学习', version: 2 });
    expect(read.body.objectKey).toBeUndefined();
    expect((await outboxOf(resourceId)).map((e) => e.detailType)).toEqual(['ResourcePublished']);

    const download = await member.get(`/resources/${resourceId}/download`);
    expectStatus(download, 200);
    expect(download.body.url.startsWith(runtime().s3Endpoint)).toBe(true);
    expect(Date.parse(download.body.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60 * 1000);
    const fetched = await fetch(download.body.url);
    expect(fetched.status).toBe(200);
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(bytes);

    // The access matrix: outside the audience the resource and its download do not exist.
    expectStatus(await outsider.get(`/resources/${resourceId}`), 404);
    expectStatus(await outsider.get(`/resources/${resourceId}/download`), 404);
    expect((await request('GET', `/resources/${resourceId}/download`)).status).toBe(401);
  });

  it('rejects and deletes an object larger than declared, though the local server took it', async () => {
    const { secretary } = await branchPeople();
    const created = await secretary.post('/resources', {
      title: '超大文件',
      kind: 'document',
      contentType: 'application/pdf',
      sizeBytes: 10,
    });
    expectStatus(created, 201);
    const { resourceId, upload } = created.body;
    const big = new Uint8Array(5 * 1024).fill(0x41);
    big.set(pdfBytes().subarray(0, 8));
    expect((await uploadWith(upload, big, 'application/pdf')).status).toBe(204);
    await settle();

    const read = await secretary.get(`/resources/${resourceId}`);
    expect(read.body).toMatchObject({ status: 'rejected', rejectedReason: 'size-mismatch' });
    expect(await objectExists(`library/${resourceId}`)).toBe(false);
    expectStatus(await secretary.get(`/resources/${resourceId}/download`), 422);
    expect(await outboxOf(resourceId)).toEqual([]);
  });

  it('rejects and deletes an object whose bytes are not of the declared type', async () => {
    const { secretary } = await branchPeople();
    const png = pngBytes();
    const created = await secretary.post('/resources', {
      title: '伪装的PDF',
      kind: 'document',
      contentType: 'application/pdf',
      sizeBytes: png.byteLength,
    });
    const { resourceId, upload } = created.body;
    expect((await uploadWith(upload, png, 'application/pdf')).status).toBe(204);
    await settle();

    const read = await secretary.get(`/resources/${resourceId}`);
    expect(read.body).toMatchObject({ status: 'rejected', rejectedReason: 'type-mismatch' });
    expect(await objectExists(`library/${resourceId}`)).toBe(false);
  });

  it('rejects an object stored with another Content-Type than declared', async () => {
    const { secretary } = await branchPeople();
    const bytes = pdfBytes();
    const html = (
      await secretary.post('/resources', {
        title: '换了类型',
        kind: 'document',
        contentType: 'application/pdf',
        sizeBytes: bytes.byteLength,
      })
    ).body;
    // The local server ignores the policy's Content-Type condition; the check does not.
    await uploadWith(
      { ...html.upload, fields: { ...html.upload.fields, 'Content-Type': 'text/html' } },
      bytes,
      'text/html',
    );
    await settle();
    expect((await secretary.get(`/resources/${html.resourceId}`)).body.rejectedReason).toBe('type-mismatch');
    expect(await objectExists(`library/${html.resourceId}`)).toBe(false);
  });

  // The kind's shape is the schema's (400 validation-failed naming the field); the size limit is the stage's.
  it.each([
    ['an executable', { contentType: 'application/x-msdownload', sizeBytes: 100 }, 'body.contentType'],
    ['an HTML page', { contentType: 'text/html', sizeBytes: 100 }, 'body.contentType'],
    [
      'a video that is not MP4',
      { kind: 'video', contentType: 'application/pdf', sizeBytes: 100 },
      'body.contentType',
    ],
    [
      'a file over the limit',
      { contentType: 'application/pdf', sizeBytes: 200 * 1024 * 1024 + 1 },
      'file-too-large',
    ],
    ['a file without a type', { sizeBytes: 100 }, 'body.contentType'],
    ['a link without url', { kind: 'link' }, 'body.url'],
    ['a link with a file', { kind: 'link', url: 'https://example.org/', sizeBytes: 100 }, 'body.sizeBytes'],
    [
      'a file with a url',
      { contentType: 'application/pdf', sizeBytes: 100, url: 'https://example.org/' },
      'body.url',
    ],
  ])('refuses %s with 400 before any URL is issued', async (_name, fields, refusal) => {
    const committee = await as({ roles: ['committee'] });
    const tag = `t${newId()}`;
    const res = await committee.post('/resources', {
      title: '拒绝',
      kind: 'document',
      tags: [tag],
      ...fields,
    });
    expectStatus(res, 400);
    if (refusal.startsWith('body.')) {
      expect(res.body.error.code).toBe('validation-failed');
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([refusal]);
    } else expect(res.body.error.code).toBe(refusal);
    expect(res.body.upload).toBeUndefined();
    for (const status of ['uploading', 'available']) {
      expect((await committee.get(`/resources?tag=${tag}&status=${status}`)).body.items).toEqual([]);
    }
  });

  it('publishes a link at once, without an upload, and has nothing to download', async () => {
    const committee = await as({ roles: ['committee'] });
    const member = await as({ roles: ['member'], branchId: newId() });
    const res = await committee.post('/resources', {
      title: '二十大报告',
      kind: 'link',
      url: 'https://www.gov.cn/zhuanti/zggcddescqgdbdh/',
    });
    expectStatus(res, 201);
    expect(res.body.status).toBe('available');
    expect(res.body.upload).toBeUndefined();
    expectStatus(await member.get(`/resources/${res.body.resourceId}`), 200);
    expectStatus(await member.get(`/resources/${res.body.resourceId}/download`), 422);
    expect((await outboxOf(res.body.resourceId)).map((e) => e.detail.data)).toEqual([
      { resourceId: res.body.resourceId, title: '二十大报告', kind: 'link', tags: [], audience: {} },
    ]);
  });

  it('refuses a content type that is not on the list, before anything is stored', async () => {
    const committee = await as({ roles: ['committee'] });
    for (const contentType of ['constructor', 'text/html']) {
      const res = await committee.post('/resources', {
        title: '不可上传',
        kind: 'document',
        contentType,
        sizeBytes: 10,
      });
      expectStatus(res, 400);
      expect(res.body.error.code).toBe('validation-failed');
      expect(res.body.error.details.fields[0].field).toBe('body.contentType');
    }
  });

  it('keeps secretaries to their own branch and members out of management', async () => {
    const { secretary, member } = await branchPeople();
    const other = await secretary.post('/resources', {
      title: '别的支部',
      kind: 'link',
      url: 'https://example.org/',
      audience: { branchIds: [newId()] },
    });
    // Another branch is outside their scope: not found, as everywhere else.
    expectStatus(other, 404);
    expectStatus(
      await member.post('/resources', { title: 'x', kind: 'link', url: 'https://example.org/' }),
      403,
    );
  });
});

describe('the library list and metadata', () => {
  const link = async (
    who: Awaited<ReturnType<typeof as>>,
    title: string,
    tags: string[],
    audience?: { branchIds: string[] },
  ) => {
    const res = await who.post('/resources', {
      title,
      kind: 'link',
      url: 'https://example.org/',
      tags,
      ...(audience ? { audience } : {}),
    });
    expectStatus(res, 201);
    return res.body.resourceId as string;
  };

  it('lists by tag, kind, title and status, each member seeing only their audience', async () => {
    const committee = await as({ roles: ['committee'] });
    const branchA = newId();
    const branchB = newId();
    const memberA = await as({ roles: ['member'], branchId: branchA });
    const memberB = await as({ roles: ['member'], branchId: branchB });
    const tag = `t${newId()}`;
    const everyone = await link(committee, '全体学习：党史', [tag]);
    const forA = await link(committee, '一支部：党史专题', [tag], { branchIds: [branchA] });
    const forB = await link(committee, '二支部：廉政', [tag], { branchIds: [branchB] });

    const ids = (res: { body: { items: { resourceId: string }[] } }) =>
      res.body.items.map((i) => i.resourceId);
    expect(ids(await committee.get(`/resources?tag=${tag}`))).toEqual([forB, forA, everyone]);
    expect(ids(await memberA.get(`/resources?tag=${tag}`))).toEqual([forA, everyone]);
    expect(ids(await memberB.get(`/resources?tag=${tag}&kind=link`))).toEqual([forB, everyone]);
    expect(ids(await memberA.get(`/resources?tag=${tag}&q=${encodeURIComponent('党史')}`))).toEqual([
      forA,
      everyone,
    ]);
    expect(ids(await memberB.get(`/resources?tag=${tag}&q=${encodeURIComponent('党史')}`))).toEqual([
      everyone,
    ]);
    expect(ids(await memberA.get(`/resources?tag=${tag}&kind=video`))).toEqual([]);
    // Members see available resources only, whatever they ask for.
    expect(ids(await memberA.get(`/resources?tag=${tag}&status=archived`))).toEqual([]);

    const page = await committee.get(`/resources?tag=${tag}&limit=2`);
    expect(ids(page)).toEqual([forB, forA]);
    expect(ids(await committee.get(`/resources?tag=${tag}&limit=2&cursor=${page.body.nextCursor}`))).toEqual([
      everyone,
    ]);
    expectStatus(await memberA.get('/resources?cursor=garbage'), 400);

    // A secretary sees unpublished resources of their own branch only, not the committee's for several.
    const secretaryA = await as({ roles: ['secretary', 'member'], branchId: branchA });
    const own = await secretaryA.post('/resources', {
      title: '一支部待上传',
      kind: 'document',
      contentType: 'application/pdf',
      sizeBytes: 100,
      tags: [tag],
    });
    const shared = await committee.post('/resources', {
      title: '多支部待上传',
      kind: 'document',
      contentType: 'application/pdf',
      sizeBytes: 100,
      tags: [tag],
      audience: { branchIds: [branchA, branchB] },
    });
    expect(ids(await secretaryA.get(`/resources?tag=${tag}&status=uploading`))).toEqual([
      own.body.resourceId,
    ]);
    expectStatus(await secretaryA.get(`/resources/${shared.body.resourceId}`), 404);
    expect(ids(await committee.get(`/resources?tag=${tag}&status=uploading`))).toEqual([
      shared.body.resourceId,
      own.body.resourceId,
    ]);
    expect(ids(await memberA.get(`/resources?tag=${tag}&status=uploading`))).toEqual([]);
  });

  it('changes metadata with the version read, refuses a stale one, and archives', async () => {
    const branchId = newId();
    const secretary = await as({ roles: ['secretary', 'member'], branchId });
    const member = await as({ roles: ['member'], branchId });
    const oldTag = `t${newId()}`;
    const newTag = `t${newId()}`;
    const id = await link(secretary, '旧标题', [oldTag]);

    const patched = await secretary.patch(`/resources/${id}`, {
      version: 1,
      title: '新标题',
      tags: [newTag],
    });
    expectStatus(patched, 200);
    expect(patched.body).toMatchObject({ title: '新标题', tags: [newTag], version: 2 });
    const stale = await secretary.patch(`/resources/${id}`, { version: 1, title: '又一个' });
    expectStatus(stale, 409);
    expect(stale.body.error.code).toBe('version-conflict');
    expect((await member.get(`/resources?tag=${oldTag}`)).body.items).toEqual([]);
    expect((await member.get(`/resources?tag=${newTag}`)).body.items.map((i: any) => i.title)).toEqual([
      '新标题',
    ]);

    // Another branch's secretary cannot touch it; a member cannot at all.
    const stranger = await as({ roles: ['secretary'], branchId: newId() });
    expectStatus(await stranger.patch(`/resources/${id}`, { version: 2, title: 'x' }), 404);
    expectStatus(await member.patch(`/resources/${id}`, { version: 2, title: 'x' }), 403);
    expectStatus(await secretary.patch(`/resources/${id}`, { version: 2, owner: 'x' }), 400);

    expectStatus(await secretary.post(`/resources/${id}/archive`), 200);
    expectStatus(await secretary.post(`/resources/${id}/archive`), 409);
    expectStatus(await member.get(`/resources/${id}`), 404);
    expect((await member.get(`/resources?tag=${newTag}`)).body.items).toEqual([]);
    expect((await secretary.get(`/resources?tag=${newTag}&status=archived`)).body.items).toHaveLength(1);
  });
});
