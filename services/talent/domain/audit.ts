/**
 * The audit log of personal information (PIPL Art. 51): who read or changed whose record,
 * when, and under which request. Entries are only ever added; nothing edits or expires them.
 */
import type { Role } from '../../../shared/auth.js';
import type { PoliticalStatus } from '../events.js';

export const auditActions = [
  'person.register',
  'person.read',
  'person.update',
  'person.transition',
  'person.probation-extension',
  'person.oath',
  'person.pipeline-event',
  'record.create',
  'record.update',
  'record.delete',
  'record.read',
  'pool.add',
  'pool.remove',
  'person.roles',
  'person.departure',
  'timeline.read',
  'profile.read',
  'people.list',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** Which people a list showed: the query that chose them (one entry per list request). */
export interface ListScope {
  list: 'people' | 'pool' | 'pipeline-due' | 'committee';
  branchId?: string;
  status?: PoliticalStatus;
  pool?: string;
  q?: string;
}

export interface AuditEntry {
  auditId: string;
  /**
   * Who acted: the caller's person (`custom:personId`), or for an account linked to no person
   * the account itself (shared/auth.ts `actorOf`). The log is listed by it.
   */
  actor: string;
  /** The account that signed in (the token's `sub`): whose sign-in it was, beside the person. */
  accountId: string;
  actorRoles: Role[];
  action: AuditAction;
  /** The person whose record was touched; absent on a list, which names its scope instead. */
  personId?: string;
  scope?: ListScope;
  at: string;
  requestId: string;
}
