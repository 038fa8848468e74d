/**
 * The record a service keeps of one checked upload (an announcement's attachment, an
 * activity's evidence): its states, the declared file it accepts, what the check's verdict
 * changes on it and what a download serves. Pure, like upload.ts; each service keeps its
 * records in its own table and decides who may see them.
 */
import { accept, type Result, refuse, ruleViolation } from '../errors.js';
import {
  checkedCopiesOf,
  checkedCopyKeyOf,
  checkFileSize,
  checkFileType,
  contentDisposition,
  type DeclaredFile,
  type DownloadableFile,
  fileDownloadName,
  type RejectionReason,
  type UploadDecision,
} from './upload.js';

/** uploading → available, or rejected when the stored file fails the check. */
export const checkedFileStatuses = ['uploading', 'available', 'rejected'] as const;
export type CheckedFileStatus = (typeof checkedFileStatuses)[number];

export interface CheckedFile {
  /** The file name the uploader gave (one line); downloads are saved under it. */
  name: string;
  contentType: string;
  sizeBytes: number;
  status: CheckedFileStatus;
  rejectedReason?: RejectionReason;
  /** The upload form's key: ids only. */
  objectKey: string;
  /** The checked copy downloads serve, set when the upload is accepted. */
  publishedKey?: string;
  updatedAt: string;
  version: number;
}

/**
 * The object keys of one owner's files: the upload form's `<prefix>/<ownerId>/<attachmentId>`
 * (ids only), which `idsOfKey` reads back as `{ [owner]: ownerId, attachmentId }` (anything
 * else is not one of the owner's), and the checked copies, one per event that made one,
 * outside `<prefix>/`, where no form writes; all of them are removed with the file.
 */
export const fileObjectKeys = <O extends string>(prefix: string, owner: O) => {
  const pattern = new RegExp(`^${prefix}/([0-9A-HJKMNP-TV-Z]{26})/([0-9A-HJKMNP-TV-Z]{26})$`);
  return {
    keyOf: (ownerId: string, attachmentId: string): string => `${prefix}/${ownerId}/${attachmentId}`,
    idsOfKey: (key: string): (Record<O, string> & { attachmentId: string }) | undefined => {
      const match = pattern.exec(key);
      return match
        ? ({ [owner]: match[1], attachmentId: match[2] } as Record<O, string> & { attachmentId: string })
        : undefined;
    },
    copyKeyOf: (ownerId: string, attachmentId: string, eventId: string): string =>
      checkedCopyKeyOf(`${ownerId}/${attachmentId}`, eventId),
    copiesOf: (ownerId: string, attachmentId: string): string =>
      checkedCopiesOf(`${ownerId}/${attachmentId}`),
  };
};

/** The declared file, if its type is one of `allowed` and it is within `limitBytes`. */
export const checkDeclaredFile = (
  file: DeclaredFile,
  allowed: readonly string[],
  limitBytes: number,
): Result<DeclaredFile> => {
  const type = checkFileType(file.contentType, allowed);
  if (!type.ok) return type;
  const size = checkFileSize(file.sizeBytes, limitBytes);
  if (!size.ok) return size;
  return accept(file);
};

/**
 * What an object S3 reports is to the record of its key: checked if the record waits for it;
 * otherwise (no record, another key, already decided, a stray posted after the check with a
 * form still valid) removed.
 */
export const checkedFileDecision = (f: CheckedFile | undefined, key: string): UploadDecision =>
  f && f.objectKey === key && f.status === 'uploading'
    ? {
        kind: 'check',
        declared: { contentType: f.contentType, sizeBytes: f.sizeBytes },
        contentDisposition: contentDisposition(fileDownloadName(f.name, f.contentType)),
      }
    : { kind: 'remove' };

/** What a download serves: the checked copy, named after the file; nothing before the check passed. */
export const downloadableFile = (f: CheckedFile): Result<DownloadableFile> =>
  f.status === 'available' && f.publishedKey
    ? accept({
        objectKey: f.publishedKey,
        contentType: f.contentType,
        contentDisposition: contentDisposition(fileDownloadName(f.name, f.contentType)),
      })
    : refuse(ruleViolation('resource-not-available', `The file is ${f.status}, not available`));

/** The checked copy makes the file available. */
export const acceptFile = <F extends CheckedFile>(f: F, publishedKey: string, at: string): F => ({
  ...f,
  status: 'available',
  publishedKey,
  updatedAt: at,
  version: f.version + 1,
});

/** The stored file failed the check: it stays listed to its managers as rejected, with the reason. */
export const rejectFile = <F extends CheckedFile>(f: F, reason: RejectionReason, at: string): F => ({
  ...f,
  status: 'rejected',
  rejectedReason: reason,
  updatedAt: at,
  version: f.version + 1,
});
