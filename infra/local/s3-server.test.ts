import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3ObjectCreatedEvent, type S3Server, startS3Server } from './s3-server.js';

const bucket = 'study-files';

const clientFor = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: 'eu-west-1',
    forcePathStyle: true,
    // Not s3rver's built-in S3RVER key: the server must accept whatever the services use.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** Events in arrival order; `next()` waits for the next one not yet taken. */
const eventQueue = () => {
  const events: S3ObjectCreatedEvent[] = [];
  const waiters: ((e: S3ObjectCreatedEvent) => void)[] = [];
  let taken = 0;
  return {
    push(event: S3ObjectCreatedEvent) {
      events.push(event);
      const waiter = waiters.shift();
      if (waiter) waiter(events[taken++] as S3ObjectCreatedEvent);
    },
    next(): Promise<S3ObjectCreatedEvent> {
      if (taken < events.length) return Promise.resolve(events[taken++] as S3ObjectCreatedEvent);
      return new Promise((resolve) => waiters.push(resolve));
    },
    get count() {
      return events.length;
    },
  };
};

const presignedPostUpload = async (client: S3Client, key: string, body: Uint8Array, contentType: string) => {
  const { url, fields } = await createPresignedPost(client, {
    Bucket: bucket,
    Key: key,
    Conditions: [['content-length-range', 1, 1024 * 1024]],
    Fields: { 'Content-Type': contentType },
    Expires: 300,
  });
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([body], { type: contentType }), 'upload.bin');
  return fetch(url, { method: 'POST', body: form });
};

describe('local S3 server', () => {
  let dataDir: string;
  let server: S3Server;
  let client: S3Client;
  const events = eventQueue();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 's3-local-'));
    server = await startS3Server({
      dataDir,
      buckets: [bucket, 'other'],
      region: 'cn-north-1',
      onObjectCreated: (e) => events.push(e),
    });
    client = clientFor(server.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('takes a presigned POST upload and emits the EventBridge Object Created event', async () => {
    const key = 'materials/01J0ABC/讲义 v1+final.pdf';
    const body = new TextEncoder().encode('%PDF-1.7 study material');
    const before = Date.now();

    const response = await presignedPostUpload(client, key, body, 'application/pdf');
    expect(response.status).toBe(204);

    const event = await events.next();
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '000000000000',
      region: 'cn-north-1',
      resources: [`arn:aws:s3:::${bucket}`],
      detail: {
        version: '0',
        bucket: { name: bucket },
        object: { key, size: body.byteLength, etag: createHash('md5').update(body).digest('hex') },
        requester: '000000000000',
        'source-ip-address': '127.0.0.1',
        reason: 'PostObject',
      },
    });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(event.time)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(event.detail.object.sequencer).toMatch(/^[0-9A-F]{16}$/);
    expect(event.detail['request-id']).toMatch(/^[0-9A-Z]+$/);

    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: 60,
    });
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(body);
  });

  it('is not idle until every notification of an answered upload has been handed on', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let handedOn = false;
    const gated = await startS3Server({
      dataDir: join(dataDir, 'gated'),
      buckets: [bucket],
      onObjectCreated: async () => {
        await gate;
        handedOn = true;
      },
    });
    const gatedClient = clientFor(gated.endpoint);
    try {
      await gatedClient.send(new PutObjectCommand({ Bucket: bucket, Key: 'idle/check.txt', Body: 'x' }));
      let idle = false;
      const waiting = gated.idle().then(() => {
        idle = true;
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(idle).toBe(false);
      release();
      await waiting;
      expect(handedOn).toBe(true);
    } finally {
      gatedClient.destroy();
      await gated.close();
    }
  });

  it('reports PutObject and CopyObject with size, etag and growing sequencers', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.txt', Body: 'hello' }));
    const put = await events.next();
    expect(put.detail).toMatchObject({
      reason: 'PutObject',
      object: { key: 'a.txt', size: 5, etag: '5d41402abc4b2a76b9719d911017c592' },
    });

    await client.send(
      new CopyObjectCommand({ Bucket: 'other', Key: 'b.txt', CopySource: `${bucket}/a.txt` }),
    );
    const copy = await events.next();
    expect(copy.resources).toEqual(['arn:aws:s3:::other']);
    expect(copy.detail).toMatchObject({
      reason: 'CopyObject',
      bucket: { name: 'other' },
      object: { key: 'b.txt', size: 5, etag: '5d41402abc4b2a76b9719d911017c592' },
    });
    expect(copy.detail.object.sequencer > put.detail.object.sequencer).toBe(true);
  });

  it('reports CompleteMultipartUpload as such, not as a POST upload', async () => {
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big.bin' }),
    );
    const part = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'big.bin', UploadId, PartNumber: 1, Body: 'part one' }),
    );
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'big.bin',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    const event = await events.next();
    expect(event.detail).toMatchObject({
      reason: 'CompleteMultipartUpload',
      object: { key: 'big.bin', size: 8 },
    });
  });

  it('ignores POST policy conditions (documented gap: the service checks objects itself)', async () => {
    const { url, fields } = await createPresignedPost(client, {
      Bucket: bucket,
      Key: 'too-small.txt',
      Conditions: [['content-length-range', 100, 200]],
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['tiny']), 'too-small.txt');
    expect((await fetch(url, { method: 'POST', body: form })).status).toBe(204);
    expect((await events.next()).detail.object).toMatchObject({ key: 'too-small.txt', size: 4 });
  });

  it('keeps buckets and objects when started again on the same data dir', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept.txt', Body: 'still here' }));
    await events.next();
    client.destroy();
    await server.close();

    server = await startS3Server({
      dataDir,
      buckets: [bucket, 'other'],
      onObjectCreated: (e) => events.push(e),
    });
    client = clientFor(server.endpoint);
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept.txt' }));
    expect(await object.Body?.transformToString()).toBe('still here');
  });

  it('a failing event consumer does not fail the upload', async () => {
    const lines: string[] = [];
    const dir = await mkdtemp(join(tmpdir(), 's3-local-'));
    let called!: () => void;
    const handlerCalled = new Promise<void>((resolve) => {
      called = resolve;
    });
    const failing = await startS3Server({
      dataDir: dir,
      buckets: [bucket],
      onObjectCreated: () => {
        called();
        throw new Error('consumer down');
      },
      log: (line) => lines.push(line),
    });
    const c = clientFor(failing.endpoint);
    try {
      await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x' }));
      await handlerCalled;
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines.join('\n')).toMatch(/consumer down/);
    } finally {
      c.destroy();
      await failing.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
