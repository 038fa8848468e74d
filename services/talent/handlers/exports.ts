/**
 * The register of people as a workbook (人员名册.xlsx): the import template's columns, so the
 * file can be imported again; contact details masked as in `GET /talent/people`. An audited
 * read of personal data: one `people.export` entry naming its scope, before the file leaves.
 */
import * as z from 'zod';
import { actsForBranch, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound } from '../../../shared/errors.js';
import { maskEmail, maskPhone } from '../../../shared/pii.js';
import { idParam } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { deliverWorkbook, workbookResponses } from '../../../shared/spreadsheets/deliver.js';
import { type CellValue, type Column, writeWorkbook } from '../../../shared/spreadsheets/workbook.js';
import { localDate } from '../../../shared/time.js';
import type { Person } from '../domain/person.js';
import {
  educationLabels,
  evidenceKindLabels,
  genderLabels,
  type RegisterField,
  registerColumns,
  statusLabels,
  TEMPLATE_SHEET,
} from '../domain/register-sheet.js';
import { type PoliticalStatus, politicalStatuses } from '../events.js';
import { listPeople } from '../store.js';
import { auditRead } from './audit.js';
import { allBranches, type Branch } from './branches.js';
import { ownBranchManagers } from './outcomes.js';

/** Which branch the export is about: the committee any (or all), a secretary only their own. */
const exportScope = (caller: Caller, branchId: string | undefined): string | undefined => {
  if (hasRole(caller, 'committee')) return branchId;
  const own = branchId ?? caller.branchId;
  if (!own || !actsForBranch(caller, own)) throw notFound('Branch');
  return own;
};

/** Every person of the scope, a page of 100 at a time (always a Query, as the list). */
const everyone = async (
  ctx: ServiceContext,
  filter: { branchId?: string; status?: PoliticalStatus },
): Promise<Person[]> => {
  const people: Person[] = [];
  let cursor: string | undefined;
  do {
    const page = await listPeople(ctx, filter, { limit: 100, cursor });
    people.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return people;
};

const date = (value: string | undefined): CellValue => (value ? { date: value } : undefined);

/** Each column's cell of a person, as the template has it. */
const cellsOf = (branches: Map<string, Branch>) => {
  const group = (p: Person) =>
    p.branchId && p.partyGroupId
      ? branches.get(p.branchId)?.partyGroups.find((g) => g.id === p.partyGroupId)?.name
      : undefined;
  const cells: Record<RegisterField, (p: Person) => CellValue> = {
    name: (p) => p.name,
    gender: (p) => genderLabels[p.gender],
    birthDate: (p) => date(p.birthDate),
    department: (p) => p.department,
    branch: (p) => (p.branchId ? (branches.get(p.branchId)?.name ?? p.branchId) : undefined),
    partyGroup: group,
    politicalStatus: (p) => statusLabels[p.politicalStatus],
    statusSince: (p) => date(p.statusSince),
    workStartDate: (p) => date(p.workStartDate),
    position: (p) => p.position,
    education: (p) => (p.education ? educationLabels[p.education] : undefined),
    title: (p) => p.title,
    phone: (p) => (p.phone ? maskPhone(p.phone) : undefined),
    email: (p) => (p.email ? maskEmail(p.email) : undefined),
    // A history is shown as it arrived; a stage reached in this register has no such evidence.
    evidenceKind: (p) => (p.arrivedWith ? evidenceKindLabels[p.arrivedWith.evidence.kind] : undefined),
    evidenceReference: (p) => p.arrivedWith?.evidence.reference,
    evidenceIssuedOn: (p) => date(p.arrivedWith?.evidence.issuedOn),
  };
  return registerColumns.map(
    (c): Column<Person> => ({
      header: c.header,
      value: cells[c.field],
      ...(c.kind === 'date' ? { width: 14 } : {}),
    }),
  );
};

export const exportRoutes = [
  route('GET /talent/exports/people.xlsx', {
    access: ['committee', 'secretary'],
    summary:
      'The register of people (人员名册.xlsx) of a branch (and a stage), or the institution’s for the committee: the import template’s columns, contact details masked as in lists. Audited as a read of personal data. Large files answer 303 to a short-lived download',
    outcomes: ownBranchManagers,
    responses: workbookResponses,
    request: {
      query: z.strictObject({ branchId: idParam.optional(), status: z.enum(politicalStatuses).optional() }),
    },
    handler: async (req, ctx) => {
      const { query, caller, now } = req;
      const branchId = exportScope(caller, query.branchId);
      const people = await everyone(ctx, {
        ...(branchId !== undefined ? { branchId } : {}),
        ...(query.status ? { status: query.status } : {}),
      });
      const branches = new Map((await allBranches(ctx)).map((b) => [b.branchId, b]));
      const branchName = (p: Person) => (p.branchId ? (branches.get(p.branchId)?.name ?? '') : '');
      people.sort(
        (a, b) =>
          branchName(a).localeCompare(branchName(b), 'zh') ||
          a.name.localeCompare(b.name, 'zh') ||
          a.birthDate.localeCompare(b.birthDate) ||
          a.personId.localeCompare(b.personId),
      );
      const bytes = await writeWorkbook([{ name: TEMPLATE_SHEET, columns: cellsOf(branches), rows: people }]);
      await auditRead(ctx, req, 'people.export', {
        scope: {
          list: 'people',
          ...(branchId !== undefined ? { branchId } : {}),
          ...(query.status ? { status: query.status } : {}),
        },
      });
      return deliverWorkbook(ctx, { bytes, filename: `人员名册-${localDate(now)}.xlsx`, now });
    },
  }),
];
