/**
 * The audit log of personal information (PIPL Art. 51): who read or changed whose record,
 * when, and under which request. Entries are only ever added; nothing edits or expires them.
 */
import type { Role } from '../../../shared/auth.js';
import type { PoliticalStatus } from '../events.js';

export const auditActions = [
  'person.register',
  'person.register-with-history',
  'person.read',
  'person.update',
  'person.transition',
  'person.probation-extension',
  'person.oath',
  'person.pipeline-event',
  'record.create',
  'record.update',
  // Written before records were withdrawn instead of deleted; kept so old entries still read.
  'record.delete',
  'record.withdraw',
  'record.read',
  'pool.add',
  'pool.remove',
  'person.roles',
  'person.departure',
  // Membership over a life (domain/lifecycle.ts): a transfer out (组织关系转出), an end of membership.
  'person.transfer-out',
  'person.end-membership',
  'timeline.read',
  'profile.read',
  'people.list',
  // An export of the register (人员名册.xlsx): one entry naming its scope, like a list.
  'people.export',
  'evidence.upload',
  'evidence.list',
  'evidence.download',
  'evidence.delete',
  // Party dues (党费): a base set, a payment recorded, one person's dues read.
  'dues.base',
  'dues.payment',
  'dues.read',
  // A branch's dues statement as a workbook (its scope named, as a list's).
  'dues.export',
  // Another service's export of a register (an audited read made there, recorded here).
  'register.export',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** Which people a list showed: the query that chose them (one entry per list request). */
export interface ListScope {
  list:
    | 'people'
    | 'pool'
    | 'pipeline-due'
    | 'committee'
    | 'thought-reports'
    // A branch's dues arrears (党费欠缴) and its yearly statement.
    | 'dues-arrears'
    | 'dues-statement';
  branchId?: string;
  status?: PoliticalStatus;
  pool?: string;
  q?: string;
  /** A thought-report list's quarter. */
  quarter?: string;
  /** A dues statement's year. */
  year?: number;
}

/**
 * An export another service made (activities, resources, community): which register, the
 * query that chose its rows, and how many rows went out. One entry per export (`exportId`).
 */
export interface ExportScope {
  exportId: string;
  /** The service that made the file. */
  service: string;
  /** `resources.assessment-results`, `community.sign-in-sheet`, … */
  register: string;
  /** The query that chose the rows (event, branch, year…): the file is reproducible from it. */
  query: Record<string, string | number>;
  rows: number;
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
  /** An export of another service's register: names the register and its query instead of a person. */
  export?: ExportScope;
  /** What a write changed: each field's value before and after (absent where there was none). */
  changes?: Change[];
  at: string;
  requestId: string;
}

/** One field a write changed. Contact details are kept masked: the log is no copy of them. */
export interface Change {
  field: string;
  before?: unknown;
  after?: unknown;
}

/**
 * The changes between two versions of a thing, over the fields named (in that order), each
 * value passed through `shown` (which masks what the log must not hold whole).
 */
export const changesBetween = <T extends object>(
  before: T | undefined,
  after: T | undefined,
  fields: readonly string[],
  shown: (field: string, value: unknown) => unknown = (_f, v) => v,
): Change[] =>
  fields.flatMap((field) => {
    const was = before ? (before as Record<string, unknown>)[field] : undefined;
    const is = after ? (after as Record<string, unknown>)[field] : undefined;
    if (JSON.stringify(was) === JSON.stringify(is)) return [];
    return [
      {
        field,
        ...(was !== undefined ? { before: shown(field, was) } : {}),
        ...(is !== undefined ? { after: shown(field, is) } : {}),
      },
    ];
  });
