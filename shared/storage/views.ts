/**
 * What a checked upload answers, as zod schemas: the upload form a create hands out, the
 * download link of a checked file, and why a stored file was refused. Each service names
 * them in its own document (`.meta({ id })`) where it wants a component of its own.
 */
import * as z from 'zod';
import { timestamp } from '../schemas.js';
import { rejectionReasons } from './upload.js';

export const UploadFormView = z
  .strictObject({
    url: z.string(),
    fields: z.record(z.string(), z.string()),
    expiresAt: timestamp,
  })
  .meta({
    description:
      'A presigned S3 POST: send `fields` first and the file last, as multipart/form-data, before `expiresAt`',
  });

export const DownloadLinkView = z.strictObject({ url: z.string(), expiresAt: timestamp });

export const RejectionReasonView = z.enum(rejectionReasons).meta({
  description:
    'Why the stored file was refused: empty — 空文件; too-large — 超过大小上限; ' +
    'size-mismatch — 与申报大小不符; type-mismatch — 与申报类型不符; missing — 文件不存在',
});
