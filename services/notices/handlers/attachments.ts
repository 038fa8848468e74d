/**
 * An announcement's attachments (附件): files its managers add while it is a draft or
 * published, uploaded straight to the service's bucket with a presigned POST and checked
 * once S3 reports them, as the library's files are (shared/storage/); downloaded by its
 * managers and, once published, by everyone it is addressed to.
 */
import * as z from 'zod';
import { actorOf, type Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap } from '../../../shared/errors.js';
import { accountScope } from '../../../shared/http/idempotent.js';
import { noContent, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { branchManagers, branchPeople } from '../../../shared/outcomes.js';
import { idParam, singleLine } from '../../../shared/schemas.js';
import { route, subscription } from '../../../shared/service.js';
import { addFileOnce } from '../../../shared/storage/add-file.js';
import { deleteObject, deleteUnder, downloadUrl } from '../../../shared/storage/bucket.js';
import { checkReportedObject, type FileOwner } from '../../../shared/storage/reported.js';
import { declaredSizeBytes, declaredType } from '../../../shared/storage/views.js';
import { toLocalIso } from '../../../shared/time.js';
import { manages } from '../domain/announcements.js';
import {
  type Attachment,
  attachmentCopiesOf,
  attachmentCopyKeyOf,
  attachmentIdsOfKey,
  attachmentKeyOf,
  attachmentsClosed,
  attachmentTypes,
  canChangeAttachments,
  checkNewAttachment,
  downloadableAttachment,
  MAX_ATTACHMENTS,
  mayDownload,
  tooManyAttachments,
} from '../domain/attachments.js';
import { addAttachment, getAttachment, removeAttachment, saveAttachment } from '../store/attachments.js';
import { getAnnouncement, transaction } from '../store.js';
import { AttachmentDownload, attachmentView, CreatedAttachment } from '../views.js';

const announcementParams = z.strictObject({ announcementId: idParam });
const attachmentParams = z.strictObject({ announcementId: idParam, attachmentId: idParam });

const createBody = z.strictObject({
  name: singleLine(200).meta({
    description: 'The file name, as it is downloaded',
    example: '主题党日活动安排.pdf',
  }),
  // Any text here: a type attachments do not take is 400 `unsupported-content-type`, naming those they do.
  contentType: declaredType(singleLine(200)).meta({
    description: `One of: ${attachmentTypes.join(', ')}`,
    example: 'application/pdf',
  }),
  sizeBytes: declaredSizeBytes,
});

/** The announcement if the caller manages it; to anyone else it does not exist. */
const managedAnnouncement = async (ctx: ServiceContext, caller: Caller, announcementId: string) => {
  const a = await getAnnouncement(ctx, announcementId);
  if (!a || !manages(caller, a)) throw notFound('Announcement');
  return a;
};

export const attachmentRoutes = [
  route('POST /notices/announcements/{announcementId}/attachments', {
    summary: `Attach a file (附件) to a draft or published announcement, at most ${MAX_ATTACHMENTS}: the answer carries a presigned upload form, and the file is available once its check passes. A repeat with the same Idempotency-Key answers 201 with the attachment as it stands now`,
    access: ['committee', 'secretary'],
    outcomes: branchManagers,
    refusals: [
      'announcement-status-conflict',
      'unsupported-content-type',
      'file-too-large',
      'too-many-attachments',
    ],
    responses: { 201: CreatedAttachment },
    request: { params: announcementParams, body: createBody },
    idempotent: true,
    handler: async (request, ctx) => {
      const { params, body, caller, now } = request;
      const a = unwrap(canChangeAttachments(await managedAnnouncement(ctx, caller, params.announcementId)));
      const declared = unwrap(checkNewAttachment(body, ctx.env.uploadLimitBytes));
      const attachmentId = newId();
      const at = toLocalIso(now);
      const attachment: Attachment = {
        announcementId: a.announcementId,
        attachmentId,
        name: body.name,
        ...declared,
        status: 'uploading',
        objectKey: attachmentKeyOf(a.announcementId, attachmentId),
        createdBy: actorOf(caller),
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      return addFileOnce(ctx, request, {
        scope: accountScope('attachment', caller),
        file: attachment,
        fileId: attachmentId,
        get: (id) => getAttachment(ctx, a.announcementId, id),
        what: 'Attachment',
        view: attachmentView,
        location: (f) => `/notices/announcements/${f.announcementId}/attachments/${f.attachmentId}`,
        write: (claim) =>
          addAttachment(claim(transaction(ctx)), attachment, {
            max: MAX_ATTACHMENTS,
            onFull: tooManyAttachments,
            onWithdrawn: attachmentsClosed,
          }),
      });
    },
  }),

  route('DELETE /notices/announcements/{announcementId}/attachments/{attachmentId}', {
    summary: 'Remove an attachment of a draft or published announcement, with its file',
    access: ['committee', 'secretary'],
    outcomes: branchManagers,
    refusals: ['announcement-status-conflict'],
    responses: { 204: 'empty' },
    request: { params: attachmentParams },
    handler: async ({ params, caller }, ctx) => {
      const a = unwrap(canChangeAttachments(await managedAnnouncement(ctx, caller, params.announcementId)));
      const f = await getAttachment(ctx, a.announcementId, params.attachmentId);
      if (!f) throw notFound('Attachment');
      await removeAttachment(transaction(ctx), f, { onWithdrawn: attachmentsClosed }).commit();
      // The record goes first: a file whose record is gone is never served, and a check
      // still under way finds no attachment and removes what it made.
      await deleteObject(ctx, f.objectKey);
      await deleteUnder(ctx, attachmentCopiesOf(f));
      return noContent();
    },
  }),

  route('GET /notices/announcements/{announcementId}/attachments/{attachmentId}/download', {
    summary:
      "A short-lived download link for an attachment: the announcement's managers, and once it is published everyone it is addressed to",
    access: ['committee', 'secretary', 'member'],
    outcomes: branchPeople,
    refusals: ['resource-not-available'],
    responses: { 200: AttachmentDownload },
    request: { params: attachmentParams },
    handler: async ({ params, caller, now }, ctx) => {
      const a = await getAnnouncement(ctx, params.announcementId);
      if (!a || !mayDownload(caller, a)) throw notFound('Announcement');
      const f = await getAttachment(ctx, a.announcementId, params.attachmentId);
      if (!f) throw notFound('Attachment');
      const file = unwrap(downloadableAttachment(f));
      return ok((await downloadUrl(ctx, file, now)) satisfies z.output<typeof AttachmentDownload>);
    },
  }),
];

/**
 * S3 reported an object under `attachments/`: the shared check judges it for the attachment
 * waiting for it, copies an accepted file to where downloads are served from, and removes
 * anything else (shared/storage/reported.ts). The attachment records the verdict, on condition
 * that nobody changed or removed it meanwhile.
 */
const attachmentFiles: FileOwner<{ announcementId: string; attachmentId: string }, Attachment> = {
  what: 'attachment',
  idsOfKey: attachmentIdsOfKey,
  get: (ctx, ids) => getAttachment(ctx, ids.announcementId, ids.attachmentId),
  copyKeyOf: (ids, eventId) => attachmentCopyKeyOf(ids.announcementId, ids.attachmentId, eventId),
  save: saveAttachment,
};

export const attachmentSubscriptions = [
  subscription({
    name: 'attachment-object-created',
    // S3's own event (EventBridge notifications on the bucket): no dangjian contract.
    pattern: {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { object: { key: [{ prefix: 'attachments/' }] } },
    },
    handler: (event, tx, ctx) => checkReportedObject(attachmentFiles, event, tx, ctx),
  }),
];
