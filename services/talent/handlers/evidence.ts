/**
 * Evidence on a person's pipeline file (佐证材料): the application letter, quarterly thought
 * reports, 政审 material, the public notice and others, uploaded straight to talent's bucket
 * with a presigned POST and checked once S3 reports them (shared/storage/); listed with the
 * completed steps they evidence, downloaded and removed within the person's record's scope.
 * Every upload, list, download and removal is audited as personal data. Also: who in the
 * pipeline has no thought report (思想汇报) for a quarter.
 */
import * as z from 'zod';
import { actorOf } from '../../../shared/auth.js';
import { notFound, unwrap, validationFailed } from '../../../shared/errors.js';
import { accountScope } from '../../../shared/http/idempotent.js';
import { noContent, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, singleLine } from '../../../shared/schemas.js';
import type { Outcomes } from '../../../shared/service.js';
import { route, subscription } from '../../../shared/service.js';
import { addFileOnce } from '../../../shared/storage/add-file.js';
import { deleteObject, deleteUnder, downloadUrl } from '../../../shared/storage/bucket.js';
import { downloadableFile } from '../../../shared/storage/checked-file.js';
import { checkReportedObject, type FileOwner } from '../../../shared/storage/reported.js';
import { declaredSizeBytes, declaredType } from '../../../shared/storage/views.js';
import { localDate, toLocalIso } from '../../../shared/time.js';
import { changesBetween } from '../domain/audit.js';
import {
  checkNewEvidence,
  completedSteps,
  type EvidenceFile,
  evidenceAuthority,
  evidenceCopiesOf,
  evidenceCopyKeyOf,
  evidenceIdsOfKey,
  evidenceKeyOf,
  evidenceKinds,
  evidenceTypes,
  MAX_EVIDENCE_FILES,
  missingThoughtReports,
  OWES_THOUGHT_REPORTS,
  type PipelineStep,
  pipelineSteps,
  quarterOf,
  tooManyEvidenceFiles,
} from '../domain/evidence.js';
import {
  addEvidence,
  getEvidence,
  listEvidence,
  removeEvidence,
  saveEvidenceVerdict,
  thoughtReportsFor,
} from '../store/evidence.js';
import { getPerson, peopleAtStages, transaction } from '../store.js';
import {
  CreatedEvidence,
  EvidenceDownload,
  EvidenceList,
  evidenceView,
  quarterPattern,
  ThoughtReportsMissing,
} from '../views.js';
import { auditRead, auditWrite } from './audit.js';
import { managedPerson, visiblePerson } from './common.js';
import { scope } from './insights.js';
import { ownBranchManagers, personAndManagers, personManagers } from './outcomes.js';

const personParams = z.strictObject({ personId: idParam });
const fileParams = z.strictObject({ personId: idParam, attachmentId: idParam });
const quarter = z.string().regex(quarterPattern, 'A quarter such as 2026-Q3').meta({ example: '2026-Q3' });

const createBody = z.strictObject({
  kind: z.enum(evidenceKinds),
  step: z.enum(pipelineSteps).optional().meta({
    description:
      'The step the file evidences; by default the one its kind goes with (application-letter: applicant, political-review: political-review, public-notice: probationary). A thought report names its `quarter` instead',
  }),
  quarter: quarter
    .optional()
    .meta({ description: 'A thought report’s quarter (required for one, only for one)' }),
  name: singleLine(200).meta({
    description: 'The file name, as it is downloaded',
    example: '入党申请书.pdf',
  }),
  contentType: declaredType(singleLine(200)).meta({
    description: `One of: ${evidenceTypes.join(', ')}`,
    example: 'application/pdf',
  }),
  sizeBytes: declaredSizeBytes,
});

/**
 * Uploading: the person's managers, and the person themselves for what they write while in
 * the pipeline (the matrix's member meets someone else's file, which does not exist for them).
 */
const uploaders: Outcomes = { ...personManagers, member: 404 };

export const evidenceRoutes = [
  route('POST /talent/people/{personId}/attachments', {
    summary: `Add a file to a person's pipeline file (佐证材料), at most ${MAX_EVIDENCE_FILES}: the answer carries a presigned upload form, and the file counts as evidence once its check passes. The person's secretary and the committee add any kind; the person themselves their application letter and thought reports while in the pipeline. A repeat with the same Idempotency-Key answers 201 with the file as it stands now`,
    access: ['committee', 'secretary', 'member'],
    outcomes: uploaders,
    refusals: [
      'own-record',
      'unsupported-content-type',
      'file-too-large',
      'evidence-step-mismatch',
      'quarter-in-future',
      'too-many-evidence-files',
    ],
    responses: { 201: CreatedEvidence },
    request: { params: personParams, body: createBody },
    idempotent: true,
    handler: async (req, ctx) => {
      const { params, body, caller, now } = req;
      const person = unwrap(evidenceAuthority(caller, await getPerson(ctx, params.personId), body.kind));
      if ((body.kind === 'thought-report') !== (body.quarter !== undefined)) {
        throw validationFailed([
          { field: 'body.quarter', message: 'A thought report names its quarter; nothing else does' },
        ]);
      }
      const { step } = unwrap(checkNewEvidence(body, ctx.env.uploadLimitBytes, localDate(now)));
      const attachmentId = newId();
      const at = toLocalIso(now);
      const file: EvidenceFile = {
        personId: person.personId,
        attachmentId,
        kind: body.kind,
        ...(step ? { step } : {}),
        ...(body.quarter ? { quarter: body.quarter } : {}),
        name: body.name,
        contentType: body.contentType,
        sizeBytes: body.sizeBytes,
        status: 'uploading',
        objectKey: evidenceKeyOf(person.personId, attachmentId),
        uploadedBy: actorOf(caller),
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      return addFileOnce(ctx, req, {
        scope: accountScope('evidence', caller),
        file,
        fileId: attachmentId,
        get: (id) => getEvidence(ctx, person.personId, id),
        what: 'Evidence',
        view: evidenceView,
        location: (f) => `/talent/people/${f.personId}/attachments/${f.attachmentId}`,
        write: (claim) => {
          const tx = addEvidence(claim(transaction(ctx)), file, {
            max: MAX_EVIDENCE_FILES,
            onFull: tooManyEvidenceFiles,
          });
          auditWrite(
            tx,
            req,
            'evidence.upload',
            person.personId,
            changesBetween(undefined, file, ['attachmentId', 'kind', 'step', 'quarter', 'name']),
          );
          return tx;
        },
      });
    },
  }),

  route('GET /talent/people/{personId}/attachments', {
    summary:
      "A person's pipeline file (佐证材料): every file with its status, and each completed step with the checked files evidencing it",
    access: ['committee', 'secretary', 'member'],
    outcomes: personAndManagers,
    responses: { 200: EvidenceList },
    request: { params: personParams },
    handler: async (req, ctx) => {
      const person = await visiblePerson(ctx, req.caller, req.params.personId);
      const files = await listEvidence(ctx, person.personId);
      const evidencing = (step: PipelineStep) =>
        files.filter((f) => f.status === 'available' && f.step === step).map((f) => f.attachmentId);
      const body: z.output<typeof EvidenceList> = {
        personId: person.personId,
        items: files.map(evidenceView),
        steps: completedSteps(person).map((step) => ({ step, evidence: evidencing(step) })),
      };
      await auditRead(ctx, req, 'evidence.list', { personId: person.personId });
      return ok(body);
    },
  }),

  route('GET /talent/people/{personId}/attachments/{attachmentId}/download', {
    summary:
      'A short-lived download link for a checked evidence file: the person, their secretary, the committee',
    access: ['committee', 'secretary', 'member'],
    outcomes: personAndManagers,
    refusals: ['resource-not-available'],
    responses: { 200: EvidenceDownload },
    request: { params: fileParams },
    handler: async (req, ctx) => {
      const { params, now } = req;
      const person = await visiblePerson(ctx, req.caller, params.personId);
      const f = await getEvidence(ctx, person.personId, params.attachmentId);
      if (!f) throw notFound('Evidence');
      const link = await downloadUrl(ctx, unwrap(downloadableFile(f)), now);
      await auditRead(ctx, req, 'evidence.download', { personId: person.personId });
      return ok(link satisfies z.output<typeof EvidenceDownload>);
    },
  }),

  route('DELETE /talent/people/{personId}/attachments/{attachmentId}', {
    summary:
      "Remove a file from a person's pipeline file, with what it counted for: their secretary and the committee, never on their own",
    access: ['committee', 'secretary'],
    outcomes: personManagers,
    refusals: ['own-record'],
    responses: { 204: 'empty' },
    request: { params: fileParams },
    handler: async (req, ctx) => {
      const { params } = req;
      const person = await managedPerson(ctx, req.caller, params.personId);
      const f = await getEvidence(ctx, person.personId, params.attachmentId);
      if (!f) throw notFound('Evidence');
      const tx = removeEvidence(transaction(ctx), f);
      auditWrite(
        tx,
        req,
        'evidence.delete',
        person.personId,
        changesBetween(f, undefined, ['attachmentId', 'kind', 'step', 'quarter', 'name']),
      );
      await tx.commit();
      // The record goes first: a file whose record is gone is never served, and a check still
      // under way finds no file and removes what it made.
      await deleteObject(ctx, f.objectKey);
      await deleteUnder(ctx, evidenceCopiesOf(f));
      return noContent();
    },
  }),

  route('GET /talent/pipeline/thought-reports', {
    summary:
      'Who owes a thought report (思想汇报) for a quarter and has none checked: activists, candidates and probationary members of a branch or the institution. The quarter defaults to the current one (Asia/Shanghai)',
    access: ['committee', 'secretary'],
    outcomes: ownBranchManagers,
    refusals: ['branch-required'],
    responses: { 200: ThoughtReportsMissing },
    request: { query: z.strictObject({ branchId: idParam.optional(), quarter: quarter.optional() }) },
    handler: async (req, ctx) => {
      const { query, caller, now } = req;
      const branchId = await scope(ctx, caller, query.branchId);
      const asked = query.quarter ?? quarterOf(localDate(now));
      const people = await peopleAtStages(ctx, branchId, OWES_THOUGHT_REPORTS);
      const owing = missingThoughtReports(people, new Set(), asked);
      const submitted = await thoughtReportsFor(
        ctx,
        owing.map((p) => p.personId),
        asked,
      );
      const missing = missingThoughtReports(owing, submitted, asked);
      await auditRead(ctx, req, 'people.list', {
        scope: { list: 'thought-reports', ...(branchId ? { branchId } : {}), quarter: asked },
      });
      const body: z.output<typeof ThoughtReportsMissing> = {
        ...(branchId ? { branchId } : {}),
        quarter: asked,
        owing: owing.length,
        missing: missing
          .map((p) => ({
            personId: p.personId,
            name: p.name,
            ...(p.branchId ? { branchId: p.branchId } : {}),
            politicalStatus: p.politicalStatus,
            statusSince: p.statusSince,
          }))
          .sort((a, b) => a.name.localeCompare(b.name, 'zh') || a.personId.localeCompare(b.personId)),
      };
      return ok(body);
    },
  }),
];

/**
 * S3 reported an object under `evidence/`: the shared check judges it for the file waiting for
 * it and removes anything else (shared/storage/reported.ts). An accepted file counts for its
 * step and (a thought report) its quarter in the write of its verdict.
 */
const evidenceFiles: FileOwner<{ personId: string; attachmentId: string }, EvidenceFile> = {
  what: 'evidence',
  idsOfKey: evidenceIdsOfKey,
  get: (ctx, ids) => getEvidence(ctx, ids.personId, ids.attachmentId),
  copyKeyOf: (ids, eventId) => evidenceCopyKeyOf(ids.personId, ids.attachmentId, eventId),
  save: saveEvidenceVerdict,
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
