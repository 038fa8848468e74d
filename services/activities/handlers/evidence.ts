/**
 * An activity's evidence (佐证材料): files its organisers add, uploaded straight to the
 * service's bucket with a presigned POST and checked once S3 reports them (shared/storage/,
 * as study files and announcements' attachments are); listed and downloaded within the
 * activity's scope. An accepted file counts in the branch's evidence tally, which compliance
 * and campaigns read.
 */
import * as z from 'zod';
import { actorOf } from '../../../shared/auth.js';
import { isDomainError, notFound, unwrap } from '../../../shared/errors.js';
import { accountScope } from '../../../shared/http/idempotent.js';
import { noContent, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, singleLine } from '../../../shared/schemas.js';
import { route, subscription } from '../../../shared/service.js';
import { addFileOnce } from '../../../shared/storage/add-file.js';
import { deleteObject, deleteUnder, downloadUrl } from '../../../shared/storage/bucket.js';
import { checkReportedObject, type FileOwner } from '../../../shared/storage/reported.js';
import { declaredSizeBytes, declaredType } from '../../../shared/storage/views.js';
import { toLocalIso } from '../../../shared/time.js';
import { organises } from '../domain/activity.js';
import {
  checkNewEvidence,
  downloadableEvidence,
  type Evidence,
  evidenceCopiesOf,
  evidenceCopyKeyOf,
  evidenceIdsOfKey,
  evidenceKeyOf,
  evidenceKinds,
  evidenceSeenBy,
  evidenceTypes,
  MAX_EVIDENCE,
  takesEvidence,
  tooMuchEvidence,
} from '../domain/evidence.js';
import {
  addEvidence,
  getEvidence,
  listEvidence,
  removeEvidence,
  saveEvidenceVerdict,
} from '../store/evidence.js';
import { getActivity, transaction } from '../store.js';
import { CreatedEvidence, EvidenceDownload, EvidenceList, evidenceView } from '../views.js';
import { branchOrganisers, branchPeople, organisedActivity, visibleActivity } from './common.js';

const activityParams = z.strictObject({ activityId: idParam });
const attachmentParams = z.strictObject({ activityId: idParam, attachmentId: idParam });

const createBody = z.strictObject({
  kind: z.enum(evidenceKinds).meta({
    description: 'photo — 活动照片; sign-in-sheet — 签到表; slides — 课件; minutes — 会议记录; other — 其他',
  }),
  name: singleLine(200).meta({
    description: 'The file name, as it is downloaded',
    example: '主题党日合影.jpg',
  }),
  // Any text here: a type evidence does not take is 400 `unsupported-content-type`, naming those it does.
  contentType: declaredType(singleLine(200)).meta({
    description: `One of: ${evidenceTypes.join(', ')}`,
    example: 'image/jpeg',
  }),
  sizeBytes: declaredSizeBytes,
});

/** A delete that lost the race to the check's verdict reads the file again; a few rounds are plenty. */
const DELETE_ATTEMPTS = 3;

export const evidenceRoutes = [
  route('POST /activities/{activityId}/attachments', {
    summary: `Add evidence (佐证材料) to an activity, at most ${MAX_EVIDENCE} files: the answer carries a presigned upload form, and the file counts as evidence once its check passes. A repeat with the same Idempotency-Key answers 201 with the file as it stands now`,
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    refusals: ['activity-cancelled', 'unsupported-content-type', 'file-too-large', 'too-many-attachments'],
    responses: { 201: CreatedEvidence },
    request: { params: activityParams, body: createBody },
    idempotent: true,
    handler: async (request, ctx) => {
      const { params, body, caller, now } = request;
      const a = unwrap(takesEvidence(await organisedActivity(ctx, caller, params.activityId)));
      const declared = unwrap(
        checkNewEvidence(
          { contentType: body.contentType, sizeBytes: body.sizeBytes },
          ctx.env.uploadLimitBytes,
        ),
      );
      const attachmentId = newId();
      const at = toLocalIso(now);
      const file: Evidence = {
        activityId: a.activityId,
        attachmentId,
        kind: body.kind,
        name: body.name,
        ...declared,
        status: 'uploading',
        objectKey: evidenceKeyOf(a.activityId, attachmentId),
        createdBy: actorOf(caller),
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      return addFileOnce(ctx, request, {
        scope: accountScope('evidence', caller),
        file,
        fileId: attachmentId,
        get: (id) => getEvidence(ctx, a.activityId, id),
        what: 'Attachment',
        view: evidenceView,
        location: (f) => `/activities/${f.activityId}/attachments/${f.attachmentId}`,
        write: (claim) =>
          addEvidence(claim(transaction(ctx)), file, { max: MAX_EVIDENCE, onFull: tooMuchEvidence }),
      });
    },
  }),

  route('GET /activities/{activityId}/attachments', {
    summary:
      "An activity's evidence: every file with its state for its organisers, the accepted ones for the rest of its branch and its invitees",
    access: ['committee', 'secretary', 'member'],
    outcomes: branchPeople,
    responses: { 200: EvidenceList },
    request: { params: activityParams },
    handler: async ({ params, caller }, ctx) => {
      const a = await visibleActivity(ctx, caller, params.activityId);
      const files = await listEvidence(ctx, a.activityId);
      return ok({
        activityId: a.activityId,
        evidence: files.filter((f) => f.status === 'available').length,
        items: evidenceSeenBy(organises(caller, a.branchId), files).map(evidenceView),
      } satisfies z.output<typeof EvidenceList>);
    },
  }),

  route('GET /activities/{activityId}/attachments/{attachmentId}/download', {
    summary: 'A short-lived download link for an accepted file, within the activity’s scope',
    access: ['committee', 'secretary', 'member'],
    outcomes: branchPeople,
    refusals: ['resource-not-available'],
    responses: { 200: EvidenceDownload },
    request: { params: attachmentParams },
    handler: async ({ params, caller, now }, ctx) => {
      const a = await visibleActivity(ctx, caller, params.activityId);
      const f = await getEvidence(ctx, a.activityId, params.attachmentId);
      // A file a member may not see (waiting or refused) is as absent to them as another's.
      if (!f || evidenceSeenBy(organises(caller, a.branchId), [f]).length === 0) throw notFound('Attachment');
      const file = unwrap(downloadableEvidence(f));
      return ok((await downloadUrl(ctx, file, now)) satisfies z.output<typeof EvidenceDownload>);
    },
  }),

  route('DELETE /activities/{activityId}/attachments/{attachmentId}', {
    summary: "Remove a file of an activity's evidence, with its stored copies",
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    refusals: ['version-conflict'],
    responses: { 204: 'empty' },
    request: { params: attachmentParams },
    handler: async ({ params, caller }, ctx) => {
      const a = await organisedActivity(ctx, caller, params.activityId);
      for (let attempt = 1; ; attempt += 1) {
        const f = await getEvidence(ctx, a.activityId, params.attachmentId);
        if (!f) throw notFound('Attachment');
        try {
          await removeEvidence(transaction(ctx), f, a.branchId).commit();
          // The record goes first: a file whose record is gone is never served, and a check
          // still under way finds no attachment and removes what it made.
          await deleteObject(ctx, f.objectKey);
          await deleteUnder(ctx, evidenceCopiesOf(f));
          return noContent();
        } catch (error) {
          // The check's verdict landed meanwhile: read it again, so the tally gives back what it counted.
          if (!(isDomainError(error) && error.code === 'version-conflict') || attempt >= DELETE_ATTEMPTS)
            throw error;
        }
      }
    },
  }),
];

/**
 * S3 reported an object under `evidence/`: the shared check judges it for the file waiting for
 * it, copies an accepted one to where downloads are served from, and removes anything else
 * (shared/storage/reported.ts). The file records the verdict on condition that nobody changed
 * or removed it meanwhile, and an accepted file counts in its branch's tally in the same write.
 */
const evidenceFiles: FileOwner<{ activityId: string; attachmentId: string }, Evidence> = {
  what: 'evidence',
  idsOfKey: evidenceIdsOfKey,
  get: (ctx, ids) => getEvidence(ctx, ids.activityId, ids.attachmentId),
  copyKeyOf: (ids, eventId) => evidenceCopyKeyOf(ids.activityId, ids.attachmentId, eventId),
  save: async (tx, next, readVersion, ctx) => {
    if (next.status !== 'available') {
      saveEvidenceVerdict(tx, next, readVersion);
      return;
    }
    // The branch the tally belongs to: the activity's, which never changes.
    const a = await getActivity(ctx, next.activityId);
    if (a) saveEvidenceVerdict(tx, next, readVersion, a.branchId);
  },
};

export const evidenceSubscriptions = [
  subscription({
    name: 'evidence-object-created',
    // S3's own event (EventBridge notifications on the bucket): no dangjian contract.
    pattern: {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { object: { key: [{ prefix: 'evidence/' }] } },
    },
    handler: (event, tx, ctx) => checkReportedObject(evidenceFiles, event, tx, ctx),
  }),
];
