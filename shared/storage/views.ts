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

/** A declared file size: larger than the stage's upload limit (200 MB on every stage) is 400 `file-too-large`. */
export const declaredSizeBytes = z
  .number()
  .int()
  .min(1)
  .max(2 ** 40)
  .meta({
    description:
      "The file's size in bytes; at most the stage's upload limit (200 MB), else 400 `file-too-large`",
    example: 1_048_576,
  });

/** A declared content type: case and surrounding spaces do not matter, so a browser's `File.type` goes as it is. */
export const declaredType = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' ? value.trim().toLowerCase() : value), schema);
