import * as z from 'zod';
import { actorOf, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap, validationFailed } from '../../../shared/errors.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, isoDate, multiLine, singleLine, versionField } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { versionConflict } from '../../../shared/store/version.js';
import { toLocalIso } from '../../../shared/time.js';
import { changesBetween } from '../domain/audit.js';
import {
  checkNotWithdrawn,
  checkRecordAuthority,
  evaluationRatings,
  performanceRatings,
  type RecordKind,
  ratingProblem,
} from '../domain/records.js';
import { getRecordItem, keys, replaceRecord, strip, transaction, versionOf } from '../store.js';
import { RecordSchema } from '../views.js';
import { auditRead, auditWrite } from './audit.js';
import { managedPerson } from './common.js';
import { personManagers } from './outcomes.js';

const title = singleLine(200).meta({ example: '2026年度党员集中培训' });
const details = multiLine(2000);
const common = { date: isoDate, title, details: details.optional() };

/** The rating a kind takes is part of the kind: a rating where none belongs is refused. */
const recordBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('training'), ...common }),
  z.strictObject({ kind: z.literal('performance'), ...common, rating: z.enum(performanceRatings) }),
  z.strictObject({ kind: z.literal('evaluation'), ...common, rating: z.enum(evaluationRatings) }),
  z.strictObject({ kind: z.literal('reward'), ...common }),
  z.strictObject({ kind: z.literal('discipline'), ...common }),
]);

/**
 * A correction: the kind stays (a wrong kind is a withdrawal and a new record), so the rating
 * is checked against the stored kind once it is read. `null` clears the details.
 */
const correctionBody = z.strictObject({
  version: versionField,
  date: isoDate.optional(),
  title: title.optional(),
  details: details.nullable().optional(),
  // Any rating of any kind here; the stored kind's own list is checked once it is read.
  rating: z
    .enum([...new Set([...performanceRatings, ...evaluationRatings])] as [string, ...string[]])
    .optional()
    .meta({
      description:
        "One of the record's kind's ratings: performance excellent, competent, basically-competent, incompetent; evaluation excellent, qualified, basically-qualified, unqualified; other kinds take none (400 naming `body.rating`)",
    }),
});

/** A withdrawal (撤销) says why: the record stays on file, with the reason beside it. */
const withdrawalBody = z.strictObject({ reason: multiLine(500).meta({ example: '录入有误' }) });

const recordParams = z.strictObject({ personId: idParam, recordId: idParam });

/** A record as the API shows it (the POST answer, the correction's answer, the timeline). */
export type RecordView = z.output<typeof RecordSchema>;

/** What of a record its audit entries compare, before and after. */
const recordFields = ['kind', 'date', 'title', 'details', 'rating', 'withdrawnAt', 'withdrawalReason'];

/** The stored item: the view plus its keys, `kind` moved to `recordKind`, and `on` for the timeline. */
const recordItem = (r: RecordView) => {
  const { kind, ...rest } = r;
  return { ...keys.record(r.personId, r.recordId), ...rest, kind: 'record', recordKind: kind, on: r.date };
};

export const viewOf = (item: Record<string, unknown>): RecordView => {
  const { recordKind, on: _on, ...rest } = strip<Record<string, unknown>>(item);
  return { ...(rest as Omit<RecordView, 'kind'>), kind: recordKind as RecordKind, version: versionOf(item) };
};

const byCommittee = (caller: Caller) => hasRole(caller, 'committee');

/**
 * A record the caller may change: of a person they manage (404 outside their scope, 403 on
 * their own), of a kind their role may change (奖惩 are the committee's), still on file.
 */
const changeableRecord = async (
  ctx: ServiceContext,
  caller: Caller,
  personId: string,
  recordId: string,
): Promise<RecordView> => {
  const person = await managedPerson(ctx, caller, personId);
  const item = await getRecordItem(ctx, person.personId, recordId);
  if (!item) throw notFound('Record');
  const record = viewOf(item);
  unwrap(checkRecordAuthority(record.kind, byCommittee(caller)));
  return unwrap(checkNotWithdrawn(record));
};

export const recordRoutes = [
  route('POST /talent/people/{personId}/records', {
    access: ['committee', 'secretary'],
    summary:
      'Add a record: training, performance (绩效), evaluation (民主评议); reward or discipline (奖惩) by the committee only. A repeat with the same Idempotency-Key answers 201 with the first record',
    outcomes: personManagers,
    refusals: ['own-record', 'record-kind-committee-only'],
    responses: { 201: RecordSchema },
    request: { params: z.strictObject({ personId: idParam }), body: recordBody },
    idempotent: true,
    handler: async (req, ctx) => {
      const { params, body, caller, now } = req;
      const person = await managedPerson(ctx, caller, params.personId);
      const { kind, ...fields } = body;
      unwrap(checkRecordAuthority(kind, byCommittee(caller)));
      const recordId = newId();
      const record: RecordView = {
        recordId,
        personId: person.personId,
        kind,
        ...fields,
        version: 1,
        recordedBy: actorOf(caller),
        recordedAt: toLocalIso(now),
      };
      const location = (id: string) => `/talent/people/${person.personId}/records/${id}`;
      return createOnce(ctx, req, {
        scope: accountScope('record', caller),
        entityId: recordId,
        // As it stands now (withdrawn since, perhaps): a repeat never writes it again.
        replay: async (id) => {
          const item = await getRecordItem(ctx, person.personId, id);
          if (!item) throw notFound('Record');
          return created(viewOf(item), location(id));
        },
        create: async ({ claim, commit }) => {
          const tx = claim(transaction(ctx)).put(recordItem(record));
          auditWrite(
            tx,
            req,
            'record.create',
            person.personId,
            changesBetween(undefined, record, recordFields),
          );
          await commit(tx);
          return created(record, location(recordId));
        },
      });
    },
  }),

  route('PATCH /talent/people/{personId}/records/{recordId}', {
    access: ['committee', 'secretary'],
    summary: 'Correct a record (optimistic: send the version read); its kind stays',
    outcomes: personManagers,
    refusals: ['own-record', 'version-conflict', 'record-kind-committee-only', 'record-withdrawn'],
    responses: { 200: RecordSchema },
    request: { params: recordParams, body: correctionBody },
    handler: async (req, ctx) => {
      const { params, body, caller, now } = req;
      const current = await changeableRecord(ctx, caller, params.personId, params.recordId);
      if (body.version !== current.version) {
        throw versionConflict('The record', { version: current.version });
      }
      if (body.rating !== undefined) {
        const problem = ratingProblem(current.kind, body.rating);
        if (problem) throw validationFailed([{ field: 'body.rating', message: problem }]);
      }
      const { version: _v, ...changes } = body;
      if (Object.keys(changes).length === 0) {
        await auditRead(ctx, req, 'record.read', { personId: current.personId });
        return ok(current);
      }
      const next: RecordView = { ...current };
      if (body.date !== undefined) next.date = body.date;
      if (body.title !== undefined) next.title = body.title;
      if (body.details === null) delete next.details;
      else if (body.details !== undefined) next.details = body.details;
      if (body.rating !== undefined) next.rating = body.rating as RecordView['rating'];
      next.version = current.version + 1;
      next.correctedBy = actorOf(caller);
      next.correctedAt = toLocalIso(now);
      const tx = replaceRecord(transaction(ctx), recordItem(next), current.version);
      auditWrite(tx, req, 'record.update', current.personId, changesBetween(current, next, recordFields));
      await tx.commit();
      return ok(next);
    },
  }),

  route('POST /talent/people/{personId}/records/{recordId}/withdrawal', {
    access: ['committee', 'secretary'],
    summary:
      'Withdraw a record (撤销) with a reason: it stays on file, shown as withdrawn; a wrong kind is a withdrawal and a new record',
    outcomes: personManagers,
    refusals: ['own-record', 'record-kind-committee-only', 'record-withdrawn'],
    responses: { 200: RecordSchema },
    request: { params: recordParams, body: withdrawalBody },
    handler: async (req, ctx) => {
      const { params, body, caller, now } = req;
      const current = await changeableRecord(ctx, caller, params.personId, params.recordId);
      const next: RecordView = {
        ...current,
        version: current.version + 1,
        withdrawnAt: toLocalIso(now),
        withdrawnBy: actorOf(caller),
        withdrawalReason: body.reason,
      };
      const tx = replaceRecord(transaction(ctx), recordItem(next), current.version);
      auditWrite(tx, req, 'record.withdraw', current.personId, changesBetween(current, next, recordFields));
      await tx.commit();
      return ok(next);
    },
  }),
];
