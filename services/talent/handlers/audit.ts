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
import { actorOf, type Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { pageOf, pageQuery } from '../../../shared/http/paging.js';
import { ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { toLocalIso } from '../../../shared/time.js';
import type { AuditAction, AuditEntry, Change, ListScope } from '../domain/audit.js';
import { auditItem, auditPage, putAuditEntry } from '../store.js';
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
