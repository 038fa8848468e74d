/**
 * Checked uploads, the S3 part, on the service's own bucket (`ServiceEnv.bucketName`):
 * presigned POSTs for uploads, the reads that check what was actually stored, the copy of a
 * checked upload to a key no form can target, presigned GETs of that copy, and the whole
 * check of an object S3 reports (`checkUpload`). What to make of the object, and what the
 * verdict changes, is the owning service's (its upload's record and status).
 */

import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createS3Client } from '../aws/s3.js';
import type { ServiceContext } from '../context.js';
import type { ConsumedEvent } from '../events/consumer.js';
import { toLocalIso } from '../time.js';
import {
  type DownloadableFile,
  judgeUpload,
  SNIFF_BYTES,
  type StoredObject,
  type UploadDecision,
  type UploadVerdict,
} from './upload.js';

/** Long enough to send a large video over a slow line, short enough that a leaked form soon dies. */
export const UPLOAD_WINDOW_SECONDS = 30 * 60;
export const DOWNLOAD_WINDOW_SECONDS = 5 * 60;

// One client per service context, made on first use (a Lambda container keeps it).
const clients = new WeakMap<ServiceContext, S3Client>();
const s3Of = (ctx: ServiceContext): S3Client => {
  let client = clients.get(ctx);
  if (!client) {
    client = createS3Client(ctx.env.aws);
    clients.set(ctx, client);
  }
  return client;
};

const bucketOf = (ctx: ServiceContext): string => {
  const bucket = ctx.env.bucketName;
  if (!bucket) throw new Error(`${ctx.env.service} runs without its bucket (BUCKET_NAME)`);
  return bucket;
};

export const isOurBucket = (ctx: ServiceContext, bucket: unknown): boolean => bucket === ctx.env.bucketName;

interface ObjectCreatedDetail {
  bucket?: { name?: unknown };
  object?: { key?: unknown };
}

/** The key of the object an S3 "Object Created" event reports, if it is in the service's own bucket. */
export const ownObjectKey = (ctx: ServiceContext, event: ConsumedEvent<unknown>): string | undefined => {
  const detail = (event.data ?? {}) as ObjectCreatedDetail;
  if (!isOurBucket(ctx, detail.bucket?.name)) return undefined;
  return typeof detail.object?.key === 'string' ? detail.object.key : '';
};

export interface UploadForm {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

/**
 * The policy fixes the key, the content type and the size range (up to the stage's upload
 * limit, or less: `maxBytes`); S3 refuses anything else.
 */
export const uploadForm = async (
  ctx: ServiceContext,
  { objectKey, contentType, maxBytes }: { objectKey: string; contentType: string; maxBytes?: number },
  now: Date,
): Promise<UploadForm> => {
  const { url, fields } = await createPresignedPost(s3Of(ctx), {
    Bucket: bucketOf(ctx),
    Key: objectKey,
    Conditions: [
      ['eq', '$Content-Type', contentType],
      ['content-length-range', 1, Math.min(maxBytes ?? ctx.env.uploadLimitBytes, ctx.env.uploadLimitBytes)],
    ],
    Fields: { 'Content-Type': contentType },
    Expires: UPLOAD_WINDOW_SECONDS,
  });
  return { url, fields, expiresAt: toLocalIso(new Date(now.getTime() + UPLOAD_WINDOW_SECONDS * 1000)) };
};

/**
 * The response type and disposition are pinned to the checked type and `attachment` (with the
 * file name the owner chose), whatever metadata the object carries. S3 cannot add
 * `X-Content-Type-Options` to a presigned GET: see resources' README, operational notes.
 */
export const downloadUrl = async (
  ctx: ServiceContext,
  file: DownloadableFile,
  now: Date,
): Promise<{ url: string; expiresAt: string }> => {
  const url = await getSignedUrl(
    s3Of(ctx),
    new GetObjectCommand({
      Bucket: bucketOf(ctx),
      Key: file.objectKey,
      ResponseContentType: file.contentType,
      ResponseContentDisposition: file.contentDisposition,
    }),
    { expiresIn: DOWNLOAD_WINDOW_SECONDS },
  );
  return { url, expiresAt: toLocalIso(new Date(now.getTime() + DOWNLOAD_WINDOW_SECONDS * 1000)) };
};

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

const isMissing = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'NotFound' || error.name === 'NoSuchKey' || statusOf(error) === 404);

const isPreconditionFailed = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'PreconditionFailed' || statusOf(error) === 412);

/** The object's real size, stored type, ETag and first bytes; undefined if it is gone. */
export const inspectObject = async (
  ctx: ServiceContext,
  objectKey: string,
): Promise<StoredObject | undefined> => {
  const Bucket = bucketOf(ctx);
  try {
    const head = await s3Of(ctx).send(new HeadObjectCommand({ Bucket, Key: objectKey }));
    const sizeBytes = head.ContentLength ?? 0;
    const { ContentType: contentType, ETag: etag } = head;
    if (sizeBytes === 0) return { sizeBytes, head: new Uint8Array(), complete: true, contentType, etag };
    const start = await s3Of(ctx).send(
      // The bytes of the object the HEAD saw (S3 answers 412 if it was replaced meanwhile).
      new GetObjectCommand({
        Bucket,
        Key: objectKey,
        Range: `bytes=0-${SNIFF_BYTES - 1}`,
        ...(etag ? { IfMatch: etag } : {}),
      }),
    );
    const bytes = (await start.Body?.transformToByteArray()) ?? new Uint8Array();
    // A server that ignores Range sends the whole object; only the head is looked at.
    const headBytes = bytes.subarray(0, SNIFF_BYTES);
    return { sizeBytes, head: headBytes, complete: headBytes.length >= sizeBytes, contentType, etag };
  } catch (error) {
    // Replaced between the HEAD and the read (412) is not "missing": it throws, and the
    // delivery is retried on whatever is there by then.
    if (isMissing(error)) return undefined;
    throw error;
  }
};

/**
 * Copies the checked upload (only the very object checked: `etag`) to `to`, stored with the
 * checked type and as an attachment. Server-side (CopyObject, up to 5 GB), so the bytes never
 * pass through the function. `false` when the upload is gone or was replaced since it was
 * checked.
 */
export const copyForDownload = async (
  ctx: ServiceContext,
  {
    from,
    to,
    etag,
    contentType,
    contentDisposition,
  }: {
    from: string;
    to: string;
    etag: string | undefined;
    contentType: string;
    contentDisposition: string;
  },
): Promise<boolean> => {
  const Bucket = bucketOf(ctx);
  try {
    await s3Of(ctx).send(
      new CopyObjectCommand({
        Bucket,
        Key: to,
        CopySource: `${Bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
        ...(etag ? { CopySourceIfMatch: etag } : {}),
        MetadataDirective: 'REPLACE',
        ContentType: contentType,
        ContentDisposition: contentDisposition,
      }),
    );
    return true;
  } catch (error) {
    if (isMissing(error) || isPreconditionFailed(error)) return false;
    throw error;
  }
};

/** Stores a file the service made itself (an export), typed and as an attachment. */
export const putFile = async (
  ctx: ServiceContext,
  {
    objectKey,
    bytes,
    contentType,
    contentDisposition,
  }: { objectKey: string; bytes: Uint8Array; contentType: string; contentDisposition: string },
): Promise<void> => {
  await s3Of(ctx).send(
    new PutObjectCommand({
      Bucket: bucketOf(ctx),
      Key: objectKey,
      Body: bytes,
      ContentType: contentType,
      ContentDisposition: contentDisposition,
    }),
  );
};

/**
 * The whole object, if it is at most `maxBytes` (the size is read first, so a larger object
 * is never loaded): `too-large` beyond, undefined if it is gone.
 */
export const readObject = async (
  ctx: ServiceContext,
  objectKey: string,
  maxBytes: number,
): Promise<
  { bytes: Uint8Array; contentType: string | undefined; etag: string | undefined } | 'too-large' | undefined
> => {
  const Bucket = bucketOf(ctx);
  try {
    const head = await s3Of(ctx).send(new HeadObjectCommand({ Bucket, Key: objectKey }));
    if ((head.ContentLength ?? 0) > maxBytes) return 'too-large';
    const got = await s3Of(ctx).send(
      new GetObjectCommand({ Bucket, Key: objectKey, ...(head.ETag ? { IfMatch: head.ETag } : {}) }),
    );
    const bytes = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
    // Replaced between the HEAD and the read by a larger object on a server that ignores If-Match.
    if (bytes.length > maxBytes) return 'too-large';
    return { bytes, contentType: head.ContentType, etag: head.ETag };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
};

/** A presigned GET of an object the service stored itself (its type and disposition were set when stored). */
export const objectUrl = async (
  ctx: ServiceContext,
  objectKey: string,
  now: Date,
): Promise<{ url: string; expiresAt: string }> => {
  const url = await getSignedUrl(s3Of(ctx), new GetObjectCommand({ Bucket: bucketOf(ctx), Key: objectKey }), {
    expiresIn: DOWNLOAD_WINDOW_SECONDS,
  });
  return { url, expiresAt: toLocalIso(new Date(now.getTime() + DOWNLOAD_WINDOW_SECONDS * 1000)) };
};

export const deleteObject = async (ctx: ServiceContext, objectKey: string): Promise<void> => {
  await s3Of(ctx).send(new DeleteObjectCommand({ Bucket: bucketOf(ctx), Key: objectKey }));
};

/**
 * The check of an object S3 reported at `key`, as its owner decided (`decision`):
 *
 * 1. The stored object itself (not the form's promises) must be within the limit, of the
 *    declared size, stored with the declared type and carry its signature. A refused object
 *    is deleted before the owner records it, so it is never downloadable, even if this
 *    delivery fails and is retried.
 * 2. An accepted object is copied (CopyObject, only the object checked) to `copyKey`, which
 *    no upload form can target, and that copy is checked again: it is what downloads serve.
 * 3. The upload is deleted; the owner records the copy's key (`accepted`).
 *
 * `copyKey` comes from the event, so a replay after a crash after the copy finds it (even
 * with the upload already deleted) and goes on from there. An object to `remove` (no owner,
 * or a stray posted with a still valid form after the owner was decided) is deleted with this
 * event's own copy, unless that copy is the one the owner published (`publishedKey`: a retry
 * after losing a race). Two deliveries of one event may run side by side (at-least-once):
 * they share the copy's key, so neither deletes or refuses on what it sees half made; it
 * throws, and its retry finds the owner decided.
 */
export const checkUpload = async (
  ctx: ServiceContext,
  {
    key,
    copyKey,
    publishedKey,
    decision,
  }: {
    key: string;
    /** This event's copy key; undefined when the key names no owner at all. */
    copyKey: string | undefined;
    publishedKey?: string | undefined;
    decision: UploadDecision;
  },
): Promise<UploadVerdict> => {
  if (decision.kind === 'remove' || !copyKey) {
    await deleteObject(ctx, key);
    if (copyKey && copyKey !== publishedKey) await deleteObject(ctx, copyKey);
    return { kind: 'removed' };
  }
  const { declared } = decision;
  // A replay after a crash between the copy and the owner's write finds its copy made.
  let copy = await inspectObject(ctx, copyKey);
  if (!copy) {
    const stored = await inspectObject(ctx, key);
    // The upload is only ever deleted after its copy is made: gone now means a delivery of
    // this same event running beside this one (at-least-once) got there first.
    if (!stored) copy = await inspectObject(ctx, copyKey);
    else {
      const verdict = judgeUpload(declared, stored, ctx.env.uploadLimitBytes);
      if (!verdict.accepted) {
        await deleteObject(ctx, key);
        return { kind: 'rejected', reason: verdict.reason };
      }
      const copied = await copyForDownload(ctx, {
        from: key,
        to: copyKey,
        etag: stored.etag,
        contentType: declared.contentType,
        contentDisposition: decision.contentDisposition,
      });
      // Replaced or removed since the check: a retry looks again at what is there then.
      if (!copied) throw new Error(`upload ${key} changed while it was copied; retry`);
      copy = await inspectObject(ctx, copyKey);
    }
    if (!copy) return { kind: 'rejected', reason: 'missing' };
  }
  // What downloads will serve passes the same check (stored with the declared type by the
  // copy). A copy that fails it may still be being written by a delivery beside this one, so
  // nothing is deleted or decided here: the retry finds it finished, or the owner decided.
  if (!judgeUpload(declared, copy, ctx.env.uploadLimitBytes).accepted) {
    throw new Error(`copy of the upload ${key} does not match yet; retry`);
  }
  await deleteObject(ctx, key);
  return { kind: 'accepted', copyKey };
};

/**
 * Deletes every object under `prefix` (a page of up to 1,000 keys at a time): the uploads
 * and checked copies of something removed, whichever copies its checks made.
 */
export const deleteUnder = async (ctx: ServiceContext, prefix: string): Promise<void> => {
  const Bucket = bucketOf(ctx);
  let ContinuationToken: string | undefined;
  do {
    const page = await s3Of(ctx).send(
      new ListObjectsV2Command({
        Bucket,
        Prefix: prefix,
        ...(ContinuationToken ? { ContinuationToken } : {}),
      }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key) await deleteObject(ctx, object.Key);
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
};
