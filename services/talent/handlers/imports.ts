/**
 * Importing people from a workbook or CSV (批量导入): the template, the upload (a presigned
 * POST), the dry run S3's "Object Created" starts, its report, and the confirmation that
 * registers the valid rows in chunks, each row exactly as `POST /talent/people` would
 * (writeRegistration) and at most once (its natural key). See the README, "Imports".
 */
import * as z from 'zod';
import { actorOf, actsForBranch, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import {
  badRequest,
  conflict,
  DomainError,
  isDomainError,
  notFound,
  ruleViolation,
} from '../../../shared/errors.js';
import type { ConsumedEvent } from '../../../shared/events/consumer.js';
import { patternFor } from '../../../shared/events/contract.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { pageQuery } from '../../../shared/http/paging.js';
import { accepted, created, file, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, singleLine } from '../../../shared/schemas.js';
import { route, subscription } from '../../../shared/service.js';
import { directWorkbookResponses } from '../../../shared/spreadsheets/deliver.js';
import { writeWorkbook, XLSX_TYPE } from '../../../shared/spreadsheets/workbook.js';
import { ownObjectKey, readObject, uploadForm } from '../../../shared/storage/bucket.js';
import { declaredSizeBytes } from '../../../shared/storage/views.js';
import { retryOnConflict } from '../../../shared/store/retry.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { localDate, toLocalIso } from '../../../shared/time.js';
import { readImportFile } from '../domain/import-file.js';
import { dryRun, IMPORT_LIMITS, type ImportContext, type ImportedPerson } from '../domain/imports.js';
import type { Person } from '../domain/person.js';
import { EXPLANATION_SHEET, registerColumns, TEMPLATE_SHEET } from '../domain/register-sheet.js';
import { ImportChunkDue } from '../events.js';
import {
  chunkDone,
  chunkResults,
  chunkRows,
  createImport,
  getImport,
  heldNaturalKeys,
  type ImportRecord,
  issuesPage,
  moveImport,
  naturalKeyHolder,
  saveDryRun,
} from '../store/imports.js';
import { transaction } from '../store.js';
import { CreatedImport, ImportReport, importView } from '../views.js';
import type { Audited } from './audit.js';
import { allBranches } from './branches.js';
import { allManagers, ownBranchManagers } from './outcomes.js';
import { writeRegistration } from './people.js';

const IMPORTS_PREFIX = 'imports/';
const CSV_TYPE = 'text/csv';

const createBody = z.strictObject({
  fileName: singleLine(200).meta({ example: '人员名册.xlsx' }),
  type: z
    .enum(['xlsx', 'csv'])
    .meta({ description: 'xlsx: an Excel workbook; csv: text in UTF-8 or GB18030' }),
  sizeBytes: declaredSizeBytes.meta({
    description: `The file's size in bytes; at most ${IMPORT_LIMITS.maxBytes} (5 MB), else 400 \`file-too-large\``,
    example: 48_213,
  }),
  branchId: idParam.optional().meta({
    description:
      'The branch a blank 所在支部 means: the committee’s choice (none: people of no branch); a secretary’s is their own',
  }),
});

const importParams = z.strictObject({ importId: idParam });

/**
 * Who sees an import: the committee every one; a secretary those of their own branch (which
 * a secretary's import is). Anyone else, or an unknown id: 404, alike.
 */
const visibleImport = async (
  ctx: ServiceContext,
  caller: Caller,
  importId: string,
): Promise<ImportRecord> => {
  const imp = await getImport(ctx, importId);
  if (!imp) throw notFound('Import');
  if (hasRole(caller, 'committee')) return imp;
  if (imp.ownBranchId !== undefined && actsForBranch(caller, imp.ownBranchId)) return imp;
  throw notFound('Import');
};

const formFor = (ctx: ServiceContext, imp: ImportRecord, now: Date) =>
  uploadForm(
    ctx,
    {
      objectKey: imp.objectKey,
      contentType: imp.type === 'xlsx' ? XLSX_TYPE : CSV_TYPE,
      maxBytes: IMPORT_LIMITS.maxBytes,
    },
    now,
  );

export const importRoutes = [
  route('GET /talent/imports/template.xlsx', {
    access: ['committee', 'secretary'],
    summary:
      'The import template (人员导入模板.xlsx): the register’s columns with dropdowns for every enumeration, and a second sheet 填写说明 explaining each column and its allowed values',
    outcomes: allManagers,
    responses: directWorkbookResponses,
    handler: async () => {
      const bytes = await writeWorkbook([
        {
          name: TEMPLATE_SHEET,
          columns: registerColumns.map((c) => ({
            header: c.header,
            value: () => undefined,
            ...(c.choices ? { choices: Object.keys(c.choices) } : {}),
          })),
          rows: [],
          blankRows: 1000,
        },
        {
          name: EXPLANATION_SHEET,
          columns: [
            { header: '列名', value: (c: (typeof registerColumns)[number]) => c.header },
            {
              header: '是否必填',
              value: (c: (typeof registerColumns)[number]) => (c.required ? '必填' : '选填'),
            },
            { header: '说明', width: 80, value: (c: (typeof registerColumns)[number]) => c.explains },
            {
              header: '可选值',
              width: 60,
              value: (c: (typeof registerColumns)[number]) =>
                c.choices ? Object.keys(c.choices).join('、') : undefined,
            },
          ],
          rows: registerColumns,
        },
      ]);
      return file(XLSX_TYPE, bytes, '人员导入模板.xlsx');
    },
  }),

  route('POST /talent/imports', {
    access: ['committee', 'secretary'],
    summary: `Start an import of people (批量导入): at most ${IMPORT_LIMITS.maxRows} rows and 5 MB. The answer carries a presigned upload form; once the file is stored, its dry run (the report of every row, nothing written) is done and \`GET /talent/imports/{importId}\` shows it. A secretary imports into their own branch, without history. A repeat with the same Idempotency-Key answers 201 with the import as it stands`,
    outcomes: ownBranchManagers,
    refusals: ['file-too-large'],
    responses: { 201: CreatedImport },
    request: { body: createBody },
    idempotent: true,
    handler: async (req, ctx) => {
      const { body, caller, now } = req;
      const committee = hasRole(caller, 'committee');
      const ownBranchId = committee ? undefined : (body.branchId ?? caller.branchId);
      // A secretary imports into their own branch only: another does not exist for them.
      if (!committee && (ownBranchId === undefined || !actsForBranch(caller, ownBranchId))) {
        throw notFound('Branch');
      }
      if (body.sizeBytes > IMPORT_LIMITS.maxBytes) {
        throw badRequest('file-too-large', `at most ${IMPORT_LIMITS.maxBytes} bytes`, {
          limitBytes: IMPORT_LIMITS.maxBytes,
        });
      }
      const importId = newId();
      const at = toLocalIso(now);
      const imp: ImportRecord = {
        importId,
        version: 1,
        state: 'uploading',
        fileName: body.fileName,
        type: body.type,
        sizeBytes: body.sizeBytes,
        objectKey: `${IMPORTS_PREFIX}${importId}/upload.${body.type}`,
        byCommittee: committee,
        ...(ownBranchId !== undefined ? { ownBranchId } : {}),
        ...(committee && body.branchId !== undefined ? { defaultBranchId: body.branchId } : {}),
        createdBy: actorOf(caller),
        asOf: at,
        createdAt: at,
        updatedAt: at,
      };
      const location = (id: string) => `/talent/imports/${id}`;
      return createOnce(ctx, req, {
        scope: accountScope('import', caller),
        entityId: importId,
        replay: async (id) => {
          const first = await getImport(ctx, id);
          if (!first) throw notFound('Import');
          return created({ ...importView(first), upload: await formFor(ctx, first, now) }, location(id));
        },
        create: async ({ claim, commit }) => {
          // Signed before anything is written: a failure to sign leaves nothing behind.
          const upload = await formFor(ctx, imp, now);
          await commit(createImport(claim(transaction(ctx)), imp));
          return created({ ...importView(imp), upload }, location(importId));
        },
      });
    },
  }),

  route('GET /talent/imports/{importId}', {
    access: ['committee', 'secretary'],
    summary:
      'An import’s state and dry-run report (导入检查结果): totals and every row’s issues (row, column, code, message in Chinese and English), paged. The committee sees every import, a secretary their branch’s',
    outcomes: ownBranchManagers,
    responses: { 200: ImportReport },
    request: {
      params: importParams,
      query: z.strictObject({ ...pageQuery, limit: z.coerce.number().int().min(1).max(500).default(100) }),
    },
    handler: async (req, ctx) => {
      const imp = await visibleImport(ctx, req.caller, req.params.importId);
      const page = await issuesPage(ctx, imp.importId, req.query);
      return ok({
        ...importView(imp),
        issues: page.items,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    },
  }),

  route('POST /talent/imports/{importId}/confirm', {
    access: ['committee', 'secretary'],
    summary:
      'Confirm a checked import (确认导入): its valid rows are registered in chunks (state `importing`, then `imported` with counts), each exactly as a single registration; rows already on the register are skipped. Only an import without rows in error is confirmed. A repeat answers 202 with the import as it stands and registers nobody twice',
    outcomes: ownBranchManagers,
    refusals: ['import-not-checked', 'import-has-errors'],
    responses: { 202: ImportReport },
    request: { params: importParams },
    handler: async (req, ctx) => {
      const { caller, now } = req;
      const imp = await visibleImport(ctx, caller, req.params.importId);
      const answer = (i: ImportRecord) => accepted({ ...importView(i), issues: [] });
      if (imp.state === 'importing' || imp.state === 'imported') return answer(imp);
      if (imp.state !== 'checked') {
        throw conflict('import-not-checked', `the import is ${imp.state}`, { status: imp.state });
      }
      const invalid = imp.totals?.invalid ?? 0;
      if (invalid > 0) {
        throw ruleViolation(
          'import-has-errors',
          `${invalid} rows are in error; correct them and upload again`,
          {
            invalid,
          },
        );
      }
      const at = toLocalIso(now);
      const chunks = imp.chunks ?? 0;
      const next: ImportRecord = {
        ...imp,
        version: imp.version + 1,
        state: chunks === 0 ? 'imported' : 'importing',
        confirmedBy: { caller, requestId: req.requestId, at },
        ...(chunks === 0 ? { result: { created: 0, skipped: 0 } } : {}),
        updatedAt: at,
      };
      const tx = moveImport(transaction(ctx), imp, next);
      if (chunks > 0)
        tx.publish(
          ImportChunkDue,
          { importId: imp.importId, chunk: 0 },
          { key: imp.importId, occurredAt: now },
        );
      try {
        await tx.commit();
      } catch (error) {
        // Two confirmations at once: the other one moved it; answer the import as it stands.
        if (
          isDomainError(error) &&
          (error.code === 'import-moved-on' || error.code === 'concurrent-update')
        ) {
          return answer((await getImport(ctx, imp.importId)) ?? imp);
        }
        throw error;
      }
      return answer(next);
    },
  }),
];

// ---------------------------------------------------------------- the dry run

const dryRunOf = async (ctx: ServiceContext, imp: ImportRecord, tx: Transaction): Promise<void> => {
  const at = toLocalIso(new Date());
  const refuse = (code: NonNullable<ImportRecord['refusal']>['code'], detail?: string) =>
    moveImport(tx, imp, {
      ...imp,
      version: imp.version + 1,
      state: 'refused',
      refusal: { code, ...(detail ? { detail } : {}) },
      updatedAt: at,
    });
  const object = await readObject(ctx, imp.objectKey, IMPORT_LIMITS.maxBytes);
  if (object === undefined) return; // gone: a later upload with the same form reports itself
  if (object === 'too-large') return void refuse('too-large');
  let read: Awaited<ReturnType<typeof readImportFile>>;
  try {
    read = await readImportFile(object.bytes, imp.type);
  } catch {
    // Whatever the readers did not foresee in a file is still that file's refusal, never a retry loop.
    read = { refused: imp.type === 'xlsx' ? 'not-a-workbook' : 'unreadable-encoding' };
  }
  if ('refused' in read) return void refuse(read.refused, read.detail);
  const branches = await allBranches(ctx);
  const context: ImportContext = {
    today: localDate(new Date(imp.asOf)),
    byCommittee: imp.byCommittee,
    ...(imp.ownBranchId !== undefined ? { ownBranchId: imp.ownBranchId } : {}),
    ...(imp.defaultBranchId !== undefined ? { defaultBranchId: imp.defaultBranchId } : {}),
    branches: branches.map((b) => ({ branchId: b.branchId, name: b.name, partyGroups: b.partyGroups })),
    held: new Set(),
  };
  // First without the register, to learn the keys; then with those of them already held.
  const keys = dryRun(read.rows, context, read.date1904).people.map((p) => p.key);
  const held = await heldNaturalKeys(ctx, keys);
  const report = dryRun(read.rows, { ...context, held }, read.date1904);
  const chunks = await saveDryRun(ctx, imp.importId, report.issues, report.people);
  moveImport(tx, imp, {
    ...imp,
    version: imp.version + 1,
    state: 'checked',
    totals: report.totals,
    chunks,
    updatedAt: at,
  });
};

const importIdOfKey = (key: string): string | undefined =>
  /^imports\/([^/]+)\/upload\.(xlsx|csv)$/.exec(key)?.[1];

// ---------------------------------------------------------------- the confirmed import, chunk by chunk

const personOf = (row: ImportedPerson, imp: ImportRecord, recordedBy: string, at: string): Person => {
  const { row: _row, key: _key, history, ...fields } = row;
  return {
    ...fields,
    personId: newId(),
    version: 1,
    ...(row.politicalStatus === 'probationary' ? { probation: { startedOn: row.statusSince } } : {}),
    ...(history
      ? {
          arrivedWith: {
            history: true as const,
            stage: row.politicalStatus,
            since: row.statusSince,
            evidence: history,
            recordedBy,
            importId: imp.importId,
          },
        }
      : {}),
    createdAt: at,
    updatedAt: at,
  };
};

/**
 * Registers one row unless its natural key is held: by this import (a retried chunk that got
 * this far) it counts as created, by anyone else as skipped.
 */
const registerRow = async (
  ctx: ServiceContext,
  imp: ImportRecord,
  req: Audited,
  row: ImportedPerson,
): Promise<'created' | 'skipped'> => {
  try {
    await retryOnConflict(async () => {
      const person = personOf(row, imp, actorOf(req.caller), toLocalIso(req.now));
      const tx = transaction(ctx);
      writeRegistration(
        tx,
        req,
        person,
        () => new DomainError('conflict', 'person-exists', `person ${person.personId} already exists`),
        { hold: true, importId: imp.importId },
      );
      await tx.commit();
    });
    return 'created';
  } catch (error) {
    if (!(isDomainError(error) && error.code === 'natural-key-held')) throw error;
    const holder = await naturalKeyHolder(ctx, row.key);
    return holder?.importId === imp.importId ? 'created' : 'skipped';
  }
};

const runChunk = async (
  ctx: ServiceContext,
  event: ConsumedEvent<{ importId: string; chunk: number }>,
  tx: Transaction,
): Promise<void> => {
  const { importId, chunk } = event.data;
  const imp = await getImport(ctx, importId);
  if (imp?.state !== 'importing' || !imp.confirmedBy) return;
  const req: Audited = {
    caller: imp.confirmedBy.caller,
    requestId: imp.confirmedBy.requestId,
    now: new Date(imp.confirmedBy.at),
  };
  const result = { created: 0, skipped: 0 };
  for (const row of await chunkRows(ctx, importId, chunk)) result[await registerRow(ctx, imp, req, row)] += 1;
  chunkDone(tx, importId, chunk, result);
  const chunks = imp.chunks ?? 0;
  if (chunk + 1 < chunks) {
    tx.publish(ImportChunkDue, { importId, chunk: chunk + 1 }, { key: importId, occurredAt: new Date() });
    return;
  }
  const earlier = (await chunkResults(ctx, importId)).filter((_r, i) => i !== chunk);
  const total = [...earlier, result].reduce(
    (a, r) => ({ created: a.created + r.created, skipped: a.skipped + r.skipped }),
    {
      created: 0,
      skipped: 0,
    },
  );
  moveImport(tx, imp, {
    ...imp,
    version: imp.version + 1,
    state: 'imported',
    result: total,
    updatedAt: toLocalIso(new Date()),
  });
};

export const importSubscriptions = [
  subscription({
    name: 'import-object-created',
    // S3's own event (EventBridge notifications on the bucket): no dangjian contract.
    pattern: {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { object: { key: [{ prefix: IMPORTS_PREFIX }] } },
    },
    handler: async (event, tx, ctx) => {
      const key = ownObjectKey(ctx, event);
      const importId = key === undefined ? undefined : importIdOfKey(key);
      if (!importId) return;
      const imp = await getImport(ctx, importId);
      // A second upload with a still valid form, after the dry run: the first file stands.
      if (imp?.state !== 'uploading' || imp.objectKey !== key) return;
      await dryRunOf(ctx, imp, tx);
    },
  }),
  subscription({
    name: 'import-chunk',
    pattern: patternFor(ImportChunkDue),
    contract: ImportChunkDue,
    handler: (event, tx, ctx) => runChunk(ctx, event, tx),
  }),
];
