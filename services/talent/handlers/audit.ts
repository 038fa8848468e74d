/**
 * Writing and reading the audit log. A write's entry joins the write's own transaction, so a
 * refused write (a stale version, a broken rule) leaves no entry and a committed one always
 * has its entry. A read's entry is written before the answer leaves: if it cannot be written
 * the read fails (fail closed; an unreachable table is the platform's 503).
 *
 * A list of people gets one entry per request, naming the query's scope rather than every
 * person on the page: the page is reproducible from the scope, and an entry per row would
 * multiply writes by the page size on the busiest reads.
 */

import * as z from 'zod';
import { actorOf, type Caller, type Role } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { patternFor } from '../../../shared/events/contract.js';
import { type ExportedData, type ExportingService, exportedBy } from '../../../shared/exports.js';
import { pageOf, pageQuery } from '../../../shared/http/paging.js';
import { ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam } from '../../../shared/schemas.js';
import { route, subscription } from '../../../shared/service.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { toLocalIso } from '../../../shared/time.js';
import type { AuditAction, AuditEntry, Change, ListScope } from '../domain/audit.js';
import { addExportEntry, auditItem, auditPage, holdsExportEntry, putAuditEntry } from '../store.js';
import { AuditEntrySchema } from '../views.js';
import { committeeOnly } from './outcomes.js';

/**
 * What of a request the log keeps: who (the person who acted, and the account they signed
 * in with), and under which request id (the `x-request-id` header).
 */
export interface Audited {
  caller: Caller;
  requestId: string;
  now: Date;
}

type Target = { personId: string } | { scope: ListScope };

const entry = (req: Audited, action: AuditAction, target: Target, changes: Change[] = []): AuditEntry => ({
  auditId: newId(),
  actor: actorOf(req.caller),
  accountId: req.caller.sub,
  actorRoles: [...req.caller.roles],
  action,
  ...target,
  ...(changes.length > 0 ? { changes } : {}),
  at: toLocalIso(req.now),
  requestId: req.requestId,
});

/**
 * Adds the entry of a write to the write's transaction, with what it changed: the log answers
 * "what did this record say before", not only "who touched it".
 */
export const auditWrite = (
  tx: Transaction,
  req: Audited,
  action: AuditAction,
  personId: string,
  changes: Change[] = [],
): void => {
  tx.put(auditItem(entry(req, action, { personId }, changes)));
};

/** Writes the entry of a read; call it after the read succeeded and before answering. */
export const auditRead = async (
  ctx: ServiceContext,
  req: Audited,
  action: AuditAction,
  target: Target,
): Promise<void> => {
  await putAuditEntry(ctx, entry(req, action, target));
};

/**
 * The entry of an export another service made: the event carries who, when and under which
 * request, as the service saw it. The entry takes the export's id, so it is one per export.
 */
export const exportEntry = (service: string, e: ExportedData): AuditEntry => ({
  auditId: e.exportId,
  actor: e.actor,
  accountId: e.accountId,
  actorRoles: e.actorRoles as Role[],
  action: 'register.export',
  export: { exportId: e.exportId, service, register: e.register, query: e.scope, rows: e.rows },
  at: e.at,
  requestId: e.requestId,
});

/**
 * The log records every service's exports (PIPL Art. 51), not only talent's own: one
 * subscription per service that exports personal data, each on that service's contract.
 * A redelivered event (or the same export published twice) finds its entry and adds nothing.
 */
const exportsRecordedFrom = (service: Exclude<ExportingService, 'talent'>) => {
  const contract = exportedBy(service);
  return subscription<ExportedData>({
    name: `audit-${service}-exports`,
    pattern: patternFor(contract),
    contract,
    handler: async (event, tx, ctx) => {
      const e = exportEntry(service, event.data);
      if (await holdsExportEntry(ctx, e)) return;
      addExportEntry(tx, e);
    },
  });
};

export const auditSubscriptions = [
  exportsRecordedFrom('activities'),
  exportsRecordedFrom('resources'),
  exportsRecordedFrom('community'),
];

const auditQuery = z.strictObject({ ...pageQuery });

export const auditRoutes = [
  route('GET /talent/audit/people/{personId}', {
    access: ['committee'],
    summary: "Audit log of one person's record (个人信息访问记录), newest first",
    outcomes: committeeOnly,
    responses: { 200: pageOf(AuditEntrySchema) },
    request: { params: z.strictObject({ personId: idParam }), query: auditQuery },
    handler: async ({ params, query }, ctx) => ok(await auditPage(ctx, { personId: params.personId }, query)),
  }),
  route('GET /talent/audit/actors/{actorId}', {
    access: ['committee'],
    summary: 'Audit log of what one person (the actor) read or changed, newest first',
    outcomes: committeeOnly,
    responses: { 200: pageOf(AuditEntrySchema) },
    request: { params: z.strictObject({ actorId: idParam }), query: auditQuery },
    handler: async ({ params, query }, ctx) => ok(await auditPage(ctx, { actor: params.actorId }, query)),
  }),
];
