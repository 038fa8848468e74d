/**
 * The library bucket: presigned POSTs for uploads, the reads that check what was actually
 * stored, the copy of a checked upload to where downloads are served from, and presigned
 * GETs of that copy. Uploads land at `library/<resourceId>`, checked copies live at
 * `published/<resourceId>/<copy>`.
 */

import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createS3Client } from '../../shared/aws/s3.js';
import type { ServiceContext } from '../../shared/context.js';
import { toLocalIso } from '../../shared/time.js';
import { type DownloadableFile, SNIFF_BYTES, type StoredObject } from './domain/library.js';

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
  if (!bucket) throw new Error('resources runs without its library bucket (BUCKET_NAME)');
  return bucket;
};

export const isOurBucket = (ctx: ServiceContext, bucket: unknown): boolean => bucket === ctx.env.bucketName;

export interface UploadForm {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

/** The policy fixes the key, the content type and the size range; S3 refuses anything else. */
export const uploadForm = async (
  ctx: ServiceContext,
  { objectKey, contentType }: { objectKey: string; contentType: string },
  now: Date,
): Promise<UploadForm> => {
  const { url, fields } = await createPresignedPost(s3Of(ctx), {
    Bucket: bucketOf(ctx),
    Key: objectKey,
    Conditions: [
      ['eq', '$Content-Type', contentType],
      ['content-length-range', 1, ctx.env.uploadLimitBytes],
    ],
    Fields: { 'Content-Type': contentType },
    Expires: UPLOAD_WINDOW_SECONDS,
  });
  return { url, fields, expiresAt: toLocalIso(new Date(now.getTime() + UPLOAD_WINDOW_SECONDS * 1000)) };
};

/**
 * The response type and disposition are pinned to the checked type and `attachment` (with the
 * current title as file name), whatever metadata the object carries. S3 cannot add
 * `X-Content-Type-Options` to a presigned GET: see the README's operational notes.
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
 * checked type and as an attachment named after the resource. Server-side (CopyObject, up
 * to 5 GB), so the bytes never pass through the function. `false` when the upload is gone
 * or was replaced since it was checked.
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

export const deleteObject = async (ctx: ServiceContext, objectKey: string): Promise<void> => {
  await s3Of(ctx).send(new DeleteObjectCommand({ Bucket: bucketOf(ctx), Key: objectKey }));
};
