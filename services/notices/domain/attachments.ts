/**
 * An announcement's attachments (附件): what may be attached, while the announcement is
 * in which status, who sees and downloads which, and what the check of an upload
 * (shared/storage/upload.ts, the one flow the library's files go through too) changes on an
 * attachment. Pure: no AWS, no clock.
 */
import type { Caller } from '../../../shared/auth.js';
import { accept, conflict, type Result, refuse, ruleViolation } from '../../../shared/errors.js';
import {
  type CheckedFile,
  type CheckedFileStatus,
  checkDeclaredFile,
  fileObjectKeys,
} from '../../../shared/storage/checked-file.js';
import type { DeclaredFile } from '../../../shared/storage/upload.js';
import { type Announcement, addresses, manages } from './announcements.js';

/** uploading → available, or rejected when the stored file fails the check. */
export { checkedFileStatuses as attachmentStatuses } from '../../../shared/storage/checked-file.js';
export type AttachmentStatus = CheckedFileStatus;

/** What an announcement holds at most: a notice with more files than this is a folder. */
export const MAX_ATTACHMENTS = 10;

/** Documents and pictures: PDF, Word, Excel and PowerPoint (old and new), PNG and JPEG. */
export const attachmentTypes = [
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'image/png',
  'image/jpeg',
] as const;

/** One attached file; its upload form's key is `attachments/<announcementId>/<attachmentId>`. */
export interface Attachment extends CheckedFile {
  announcementId: string;
  attachmentId: string;
  createdBy: string;
  createdAt: string;
}

const objectKeys = fileObjectKeys('attachments', 'announcementId');

export const attachmentKeyOf = objectKeys.keyOf;

/** `attachments/<ULID>/<ULID>` → the two ids; anything else is not one of ours. */
export const attachmentIdsOfKey = objectKeys.idsOfKey;

/** One checked copy per event that made it, outside `attachments/`, where no form writes. */
export const attachmentCopyKeyOf = objectKeys.copyKeyOf;

/** Every checked copy an attachment's checks made: removed with it. */
export const attachmentCopiesOf = (f: Pick<Attachment, 'announcementId' | 'attachmentId'>) =>
  objectKeys.copiesOf(f.announcementId, f.attachmentId);

/**
 * Files are added to a draft (the usual case: the PDF goes with the notice) and to a
 * published announcement (the one forgotten, or a corrected version); a withdrawn
 * announcement changes no more. Deleting follows the same rule.
 */
export const canChangeAttachments = (a: Announcement): Result<Announcement> =>
  a.status === 'withdrawn' ? refuse(attachmentsClosed()) : accept(a);

/** The refusal once withdrawn (also when the store's condition finds it withdrawn meanwhile). */
export const attachmentsClosed = () =>
  conflict('announcement-status-conflict', 'A withdrawn announcement cannot change its attachments', {
    status: 'withdrawn',
  });

/** The declared file, if its type is one attachments take and it is within the upload limit. */
export const checkNewAttachment = (file: DeclaredFile, uploadLimitBytes: number): Result<DeclaredFile> =>
  checkDeclaredFile(file, attachmentTypes, uploadLimitBytes);

/** The refusal when the announcement holds `MAX_ATTACHMENTS` already (the store's condition says so). */
export const tooManyAttachments = () =>
  ruleViolation('too-many-attachments', `An announcement holds at most ${MAX_ATTACHMENTS} attachments`, {
    limit: MAX_ATTACHMENTS,
  });

/**
 * Which attachments a caller sees on an announcement they may read: its managers all of
 * them, with their status (a file waiting or refused is theirs to fix); its readers only
 * those available.
 */
export const attachmentsSeenBy = (
  caller: Caller,
  a: Announcement,
  attachments: readonly Attachment[],
): Attachment[] =>
  manages(caller, a) ? [...attachments] : attachments.filter((f) => f.status === 'available');

/**
 * Who may download an announcement's files: its managers, and once it is published everyone
 * it is addressed to. Everyone else is told the announcement does not exist.
 */
export const mayDownload = (caller: Caller, a: Announcement): boolean =>
  manages(caller, a) || (a.status === 'published' && addresses(a.audience, caller.branchId));

/** What a download serves: as for every checked upload (the verdict: shared/storage/reported.ts). */
export { downloadableFile as downloadableAttachment } from '../../../shared/storage/checked-file.js';
