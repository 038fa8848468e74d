/**
 * Every export of personal data is an audited read (PIPL Art. 51), whichever service makes it.
 * The audit log is talent's; a service that exports publishes `PersonalDataExported` through
 * its outbox before it answers (fail closed: no event, no file), and talent's log keeps an
 * entry per export. Each service names the contract as its own (`exportedBy(service)`), so
 * the event's source says who made the export.
 */
import * as z from 'zod';
import { actorOf, type Caller } from './auth.js';
import { defineEvent, type EventContract } from './events/contract.js';
import { newId } from './ids.js';
import type { Transaction } from './store/transaction.js';
import { toLocalIso } from './time.js';

export const exportedData = z.object({
  exportId: z.string(),
  /** Which register: `activities.register`, `resources.assessment-results`, … */
  register: z.string(),
  /** The person who exported (or the account, for one linked to no person). */
  actor: z.string(),
  accountId: z.string(),
  actorRoles: z.array(z.string()),
  /** The query that chose the rows (branch, year, event…): the file is reproducible from it. */
  scope: z.record(z.string(), z.union([z.string(), z.number()])),
  rows: z.number().int().nonnegative(),
  at: z.string(),
  requestId: z.string(),
});
export type ExportedData = z.output<typeof exportedData>;

/** The services whose exports hold personal data, each the source of its own contract. */
export const exportingServices = ['talent', 'activities', 'resources', 'community'] as const;
export type ExportingService = (typeof exportingServices)[number];

export const exportedBy = (service: ExportingService) =>
  defineEvent(service, 'PersonalDataExported', exportedData);

export interface ExportRequest {
  caller: Caller;
  requestId: string;
  now: Date;
}

/**
 * Publishes the export's audit event in its own transaction, committed before the file is
 * answered: an export whose event cannot be written fails.
 */
export const auditExport = async (
  tx: Transaction,
  contract: EventContract<string, ExportedData>,
  req: ExportRequest,
  { register, scope, rows }: { register: string; scope: ExportedData['scope']; rows: number },
): Promise<void> => {
  const exportId = newId();
  tx.publish(
    contract,
    {
      exportId,
      register,
      actor: actorOf(req.caller),
      accountId: req.caller.sub,
      actorRoles: [...req.caller.roles],
      scope,
      rows,
      at: toLocalIso(req.now),
      requestId: req.requestId,
    },
    { key: exportId, occurredAt: req.now },
  );
  await tx.commit();
};
