/**
 * A file record that goes through the checked-upload flow (upload.ts, bucket.ts), whatever
 * it belongs to: what an object S3 reports is to it, how the check's verdict changes it, and
 * what its download serves. Pure. Talent's pipeline evidence keeps its files this way; any
 * owner whose record has these fields can.
 */
import { accept, type Result, refuse, ruleViolation } from '../errors.js';
import {
  contentDisposition,
  type DownloadableFile,
  fileDownloadName,
  type RejectionReason,
  type UploadDecision,
} from './upload.js';

/** uploading → available, or rejected when the stored file fails the check. */
export const checkedFileStatuses = ['uploading', 'available', 'rejected'] as const;
export type CheckedFileStatus = (typeof checkedFileStatuses)[number];

export interface CheckedFile {
  /** The file name its uploader gave (one line); downloads are saved under it. */
  name: string;
  contentType: string;
  sizeBytes: number;
  status: CheckedFileStatus;
  rejectedReason?: RejectionReason;
  /** The key the upload form targets: ids only. */
  objectKey: string;
  /** The checked copy downloads serve, set when the upload is accepted. */
  publishedKey?: string;
  updatedAt: string;
  version: number;
}

/**
 * Checked if the record waits for this very object; otherwise (no record, another key, already
 * decided, or a stray posted with a form still valid) removed.
 */
export const uploadDecisionOf = (f: CheckedFile | undefined, key: string): UploadDecision =>
  f && f.objectKey === key && f.status === 'uploading'
    ? {
        kind: 'check',
        declared: { contentType: f.contentType, sizeBytes: f.sizeBytes },
        contentDisposition: contentDisposition(fileDownloadName(f.name, f.contentType)),
      }
    : { kind: 'remove' };

/** The checked copy makes the file available. */
export const acceptedFile = <F extends CheckedFile>(f: F, publishedKey: string, at: string): F => ({
  ...f,
  status: 'available',
  publishedKey,
  updatedAt: at,
  version: f.version + 1,
});

/** The stored file failed the check: it stays listed, rejected, with the reason. */
export const rejectedFile = <F extends CheckedFile>(f: F, reason: RejectionReason, at: string): F => ({
  ...f,
  status: 'rejected',
  rejectedReason: reason,
  updatedAt: at,
  version: f.version + 1,
});

/** What a download serves: the checked copy, named after the file; nothing before the check passed. */
export const downloadableFile = (f: CheckedFile): Result<DownloadableFile> =>
  f.status === 'available' && f.publishedKey
    ? accept({
        objectKey: f.publishedKey,
        contentType: f.contentType,
        contentDisposition: contentDisposition(fileDownloadName(f.name, f.contentType)),
      })
    : refuse(ruleViolation('resource-not-available', `The file is ${f.status}, not available`));
