/**
 * A checked upload is copied to a key no upload form can target, and downloads serve only
 * that copy: posting again with a still-valid form changes nothing of a published file.
 * Against the real local S3 server; the crash between the copy and the status write is
 * replayed through the consumer itself.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { resourcesService } from '../../services/resources/service.js';
import { createSubscriptionHandler } from '../../shared/events/consumer.js';
import type { BusEvent } from '../../shared/events/contract.js';
import { newId } from '../../shared/ids.js';
import { as, runtime, settle } from '../support/api.js';
import { interposed } from '../support/interposed.js';
import { s3Gate } from '../support/s3-gate.js';
import { contextOn } from '../support/start.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';
import {
  announcePdf,
  bucket,
  expectStatus,
  objectExists,
  pdfBytes,
  pngBytes,
  s3,
  uploadWith,
} from './support.js';

const secretaryOfNewBranch = async () => {
  const branchId = newId();
  return {
    secretary: await as({ roles: ['secretary', 'member'], branchId }),
    member: await as({ roles: ['member'], branchId }),
  };
};

const publishedCopies = async (bucketName: string, resourceId: string) =>
  (
    await s3().send(new ListObjectsV2Command({ Bucket: bucketName, Prefix: `published/${resourceId}/` }))
  ).Contents?.map((o) => o.Key as string) ?? [];

/**
 * The library's S3 consumer on a bucket of its own (so the runtime's consumer, which only
 * takes its bucket, stays out), reaching S3 at `s3Endpoint` and the table through `intercept`.
 */
const consumerOn = (
  scratch: string,
  s3Endpoint: string,
  intercept: Parameters<typeof interposed>[1] = (command, send) => send(command),
) => {
  const base = contextOn(runtime(), 'resources');
  const ctx = interposed(
    {
      ...base,
      env: {
        ...base.env,
        bucketName: scratch,
        uploadLimitBytes: 200 * 1024 * 1024,
        aws: { ...base.env.aws, endpoints: { ...base.env.aws.endpoints, s3: s3Endpoint } },
      },
    },
    intercept,
  );
  return createSubscriptionHandler(resourcesService, 'library-object-created', ctx);
};

/** A PDF announced as a resource and put, as its upload, in a scratch bucket of its own. */
const uploadedToScratch = async (
  secretary: Awaited<ReturnType<typeof as>>,
  title: string,
  bytes: Uint8Array,
) => {
  const { resourceId } = await announcePdf(secretary, title, bytes);
  const scratch = `crash-${newId().toLowerCase()}`;
  await s3().send(new CreateBucketCommand({ Bucket: scratch }));
  const key = `library/${resourceId}`;
  await s3().send(
    new PutObjectCommand({ Bucket: scratch, Key: key, Body: bytes, ContentType: 'application/pdf' }),
  );
  const event: BusEvent = {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'eu-west-1',
    resources: [],
    detail: { bucket: { name: scratch }, object: { key } },
  };
  return { resourceId, scratch, event };
};

/** A moment one side waits for and the other announces. */
const signal = () => {
  let fire: () => void = () => undefined;
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fire, fired };
};

// Uploads go through S3, the bus and the consumer, several times per test: slow on a busy
// machine. The most a test here waits: its upload checked, then three settles.
describe('a published file', { timeout: timeoutFor(deliveries(4)) }, () => {
  it('cannot be replaced through its upload form: the stray is removed, the download keeps the first bytes', async () => {
    const { secretary, member } = await secretaryOfNewBranch();
    const first = pdfBytes('第一份 学习材料 AAAA');
    const second = pdfBytes('第二份 替换材料 BBBB');
    expect(second.byteLength).toBe(first.byteLength);
    const { resourceId, upload } = await announcePdf(secretary, '党章学习（2024）', first);

    expect((await uploadWith(upload, first, 'application/pdf')).status).toBe(204);
    await until('the upload is checked and published', DELIVERY_BUDGET_MS, async () => {
      return (await member.get(`/resources/${resourceId}`)).body.status === 'available';
    });
    await settle();
    const published = await member.get(`/resources/${resourceId}`);
    expect(published.body).toMatchObject({ status: 'available', version: 2 });
    expect(published.body.publishedKey).toBeUndefined();
    // The upload itself is gone once its checked copy is published.
    expect(await objectExists(`library/${resourceId}`)).toBe(false);
    expect(await publishedCopies(bucket(), resourceId)).toHaveLength(1);

    // The same form, still valid, posted again: an equally well-formed file, then a bad one.
    expect((await uploadWith(upload, second, 'application/pdf')).status).toBe(204);
    await settle();
    expect((await uploadWith(upload, pngBytes(), 'application/pdf')).status).toBe(204);
    await settle();

    const after = await member.get(`/resources/${resourceId}`);
    expectStatus(after, 200);
    expect(after.body).toMatchObject({ status: 'available', version: 2 });
    expect(await objectExists(`library/${resourceId}`)).toBe(false);
    expect(await publishedCopies(bucket(), resourceId)).toHaveLength(1);

    const link = await member.get(`/resources/${resourceId}/download`);
    expectStatus(link, 200);
    const fetched = await fetch(link.body.url);
    expect(fetched.status).toBe(200);
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(first);
  });

  it('downloads as an attachment named after the title (RFC 5987), with the checked type', async () => {
    const { secretary, member } = await secretaryOfNewBranch();
    const bytes = pdfBytes('会议精神');
    const { resourceId, upload } = await announcePdf(secretary, '党章学习（2024）', bytes);
    await uploadWith(upload, bytes, 'application/pdf');
    await settle();
    const encoded = `%E5%85%9A%E7%AB%A0%E5%AD%A6%E4%B9%A0%EF%BC%882024%EF%BC%89.pdf`;

    const link = await member.get(`/resources/${resourceId}/download`);
    expectStatus(link, 200);
    const fetched = await fetch(link.body.url);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('application/pdf');
    const disposition = fetched.headers.get('content-disposition') ?? '';
    expect(disposition.startsWith('attachment;')).toBe(true);
    expect(disposition).toContain(`filename*=UTF-8''${encoded}`);
    // S3 cannot add X-Content-Type-Options through a presigned GET (see the README).

    // The stored copy carries the same disposition, whoever reads it.
    const [copyKey] = await publishedCopies(bucket(), resourceId);
    const stored = await s3().send(new GetObjectCommand({ Bucket: bucket(), Key: copyKey }));
    expect(stored.ContentDisposition).toContain(`filename*=UTF-8''${encoded}`);
    expect(stored.ContentType).toBe('application/pdf');

    // A new title names the next download.
    expectStatus(
      await secretary.patch(`/resources/${resourceId}`, { version: 2, title: 'Party rules' }),
      200,
    );
    const renamed = await fetch((await member.get(`/resources/${resourceId}/download`)).body.url);
    expect(renamed.headers.get('content-disposition')).toContain(`filename*=UTF-8''Party%20rules.pdf`);
  });

  it('converges when the consumer dies between the copy and the status write, and the event comes again', async () => {
    const { secretary } = await secretaryOfNewBranch();
    const bytes = pdfBytes('重放');
    const { resourceId, scratch, event } = await uploadedToScratch(secretary, '重放测试', bytes);
    let commits = 0;
    const consume = consumerOn(scratch, runtime().s3Endpoint, async (command, send) => {
      if (command instanceof TransactWriteCommand && ++commits === 1) throw new Error('the function died');
      return send(command);
    });

    await expect(consume(event)).rejects.toThrow('the function died');
    // The copy was made and the upload deleted, but nothing was recorded.
    expect((await secretary.get(`/resources/${resourceId}`)).body.status).toBe('uploading');
    expect(await publishedCopies(scratch, resourceId)).toEqual([`published/${resourceId}/${event.id}`]);

    await consume(event);
    await consume(event); // and once more: already applied
    expect(commits).toBe(2);
    const read = await secretary.get(`/resources/${resourceId}`);
    expect(read.body).toMatchObject({ status: 'available', version: 2 });
    expect(await publishedCopies(scratch, resourceId)).toEqual([`published/${resourceId}/${event.id}`]);
    const copy = await s3().send(
      new GetObjectCommand({ Bucket: scratch, Key: `published/${resourceId}/${event.id}` }),
    );
    expect(new Uint8Array((await copy.Body?.transformToByteArray()) ?? [])).toEqual(bytes);
  });

  it('is published once when two deliveries of one event run side by side, never refused as missing', async () => {
    const { secretary } = await secretaryOfNewBranch();
    const bytes = pdfBytes('两次投递');
    const { resourceId, scratch, event } = await uploadedToScratch(secretary, '并行投递', bytes);
    const copyPath = `/${scratch}/published/${resourceId}/${event.id}`;
    // The interleaving a busy machine may produce: the second delivery looks for the copy
    // before the first has made it, and for the upload after the first has deleted it,
    // while the first has not yet recorded anything.
    const secondLooked = signal();
    const firstCommitting = signal();
    const secondSettled = signal();
    let looked = false;
    const gate = await s3Gate(runtime().s3Endpoint, {
      after: async (req, status) => {
        if (req.method === 'HEAD' && req.url?.startsWith(copyPath) && !looked) {
          looked = true;
          expect(status).toBe(404);
          secondLooked.fire();
          await firstCommitting.fired;
        }
      },
    });
    try {
      const first = consumerOn(scratch, runtime().s3Endpoint, async (command, send) => {
        if (command instanceof TransactWriteCommand) {
          firstCommitting.fire();
          await secondSettled.fired;
        }
        return send(command);
      });
      const second = consumerOn(scratch, gate.endpoint);

      const secondRun = second(event).finally(() => secondSettled.fire());
      await secondLooked.fired;
      const outcomes = await Promise.allSettled([first(event), secondRun]);
      // Whichever lost is retried, as the bus does; the event then counts as applied.
      if (outcomes.some((o) => o.status === 'rejected'))
        await consumerOn(scratch, runtime().s3Endpoint)(event);
    } finally {
      await gate.close();
    }

    const read = await secretary.get(`/resources/${resourceId}`);
    expect(read.body).toMatchObject({ status: 'available', version: 2 });
    expect(await publishedCopies(scratch, resourceId)).toEqual([`published/${resourceId}/${event.id}`]);
    const copy = await s3().send(
      new GetObjectCommand({ Bucket: scratch, Key: `published/${resourceId}/${event.id}` }),
    );
    expect(new Uint8Array((await copy.Body?.transformToByteArray()) ?? [])).toEqual(bytes);
  });
});

describe('text fields of the library and assessments', () => {
  it.each([
    ['a right-to-left override', 'invoice\u202Efdp.exe'],
    ['a NUL', 'a\u0000b'],
    ['a line break', 'one\ntwo'],
  ])('refuse a title with %s', async (_name, title) => {
    const committee = await as({ roles: ['committee'] });
    const res = await committee.post('/resources', { title, kind: 'link', url: 'https://example.org/' });
    expectStatus(res, 400);
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('body.title');
    const tagged = await committee.post('/resources', {
      title: '标签',
      kind: 'link',
      url: 'https://example.org/',
      tags: [`t${title}`],
    });
    expectStatus(tagged, 400);
    const bank = await committee.post('/resources/assessments', {
      title,
      passMark: 60,
      timeLimitMinutes: 10,
      maxAttempts: 1,
      questions: [{ kind: 'true-false', prompt: '判断', answer: true }],
    });
    expectStatus(bank, 400);
  });

  it('takes line breaks in a prompt, but no controls or overrides in prompts and options', async () => {
    const committee = await as({ roles: ['committee'] });
    const make = (question: Record<string, unknown>) =>
      committee.post('/resources/assessments', {
        title: '党史知识',
        passMark: 60,
        timeLimitMinutes: 10,
        maxAttempts: 1,
        questions: [question],
      });
    expectStatus(await make({ kind: 'true-false', prompt: '第一行\n第二行', answer: true }), 201);
    expectStatus(await make({ kind: 'true-false', prompt: '坏\u202E题', answer: true }), 400);
    expectStatus(await make({ kind: 'single', prompt: '选择', options: ['甲', '乙\u0000'], answer: 0 }), 400);
    expectStatus(await make({ kind: 'single', prompt: '选择', options: ['甲', '乙\n丙'], answer: 0 }), 400);
  });
});
