/**
 * Importing people from a sheet (批量导入): each row read as the register's columns
 * (register-sheet.ts), judged by the same rules as a single registration (person.ts), and
 * reported row by row before anything is written (the dry run). Pure: the file is read in
 * import-file.ts, the table in store/imports.ts.
 */
import * as z from 'zod';
import type { DomainError } from '../../../shared/errors.js';
import type { PoliticalStatus } from '../events.js';
import {
  type ArrivalEvidence,
  type arrivalEvidenceKinds,
  checkPersonDates,
  checkRegistration,
  type educations,
  type genders,
  PIPELINE_START,
  registrationRuleCodes,
} from './person.js';
import { columnOf, type RegisterColumn, type RegisterField, registerColumns } from './register-sheet.js';

export interface ImportLimits {
  maxBytes: number;
  maxRows: number;
  maxUncompressedBytes: number;
  maxRatio: number;
}

/** What an import takes at most; beyond, the whole file is refused and nothing is written. */
export const IMPORT_LIMITS: ImportLimits = {
  /** The upload itself. */
  maxBytes: 5 * 1024 * 1024,
  /** Data rows (the header not counted). */
  maxRows: 5000,
  /** Everything a workbook's zip inflates to: far beyond any honest 5,000-row register. */
  maxUncompressedBytes: 100 * 1024 * 1024,
  /** Inflated ÷ compressed, over the whole zip: XML compresses 10–20×; a bomb 1,000× and more. */
  maxRatio: 200,
};

/** Why a whole file is refused (the import's state `refused`). */
export const fileRefusals = [
  'too-large',
  'not-a-workbook',
  'macros',
  'zip-bomb',
  'unreadable-encoding',
  'missing-columns',
  'no-rows',
  'too-many-rows',
] as const;
export type FileRefusal = (typeof fileRefusals)[number];

/** What a refused file is told, in Chinese and English. */
export const fileRefusalMessages: Record<FileRefusal, { zh: string; en: string }> = {
  'too-large': { zh: '文件超过 5 MB', en: 'The file is over 5 MB' },
  'not-a-workbook': {
    zh: '不是有效的 Excel 工作簿（.xlsx），请用模板另存为 .xlsx',
    en: 'Not an Excel workbook (.xlsx): save it from the template as .xlsx',
  },
  macros: {
    zh: '工作簿含宏，请另存为不含宏的 .xlsx',
    en: 'The workbook holds macros: save it as a plain .xlsx',
  },
  'zip-bomb': {
    zh: '工作簿解压后过大，疑似压缩炸弹',
    en: 'The workbook inflates far beyond any register (a zip bomb)',
  },
  'unreadable-encoding': {
    zh: 'CSV 文件须为 UTF-8 或 GB18030 编码的文本',
    en: 'A CSV file is text in UTF-8 or GB18030',
  },
  'missing-columns': {
    zh: '缺少必填列，请使用导入模板',
    en: 'Required columns are missing: use the template',
  },
  'no-rows': { zh: '文件中没有数据行', en: 'The file holds no rows' },
  'too-many-rows': { zh: '超过 5000 行，请分批导入', en: 'Over 5,000 rows: import in parts' },
};

/** A cell as read from the file, before its column's kind reads it. */
export type RawCell =
  | string
  | number
  | boolean
  | { date: string }
  | { formula: string }
  | { error: string }
  | undefined;

export interface RawRow {
  /** The row's number as the spreadsheet shows it (the header is row 1). */
  row: number;
  cells: Partial<Record<RegisterField, RawCell>>;
}

// ---------------------------------------------------------------- dates

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const validDate = (y: number, m: number, d: number): string | undefined => {
  if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1) return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return undefined;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
};

const DAY_MS = 86_400_000;

/**
 * An Excel serial day number as a calendar date. The 1900 system counts 1900-01-01 as 1 and
 * keeps Lotus 1-2-3's 1900-02-29 (serial 60), a day that never was: serials from 61 on are one
 * day ahead of a plain count, and 60 itself is no date. The 1904 system (old Mac workbooks,
 * `date1904`) counts 1904-01-01 as 0. A fraction is a time of day, ignored.
 */
export const serialToDate = (serial: number, date1904 = false): string | undefined => {
  if (!Number.isFinite(serial) || serial < (date1904 ? 0 : 1) || serial >= 2958466) return undefined;
  const day = Math.floor(serial);
  let epoch: number;
  if (date1904) epoch = Date.UTC(1904, 0, 1);
  else if (day === 60) return undefined;
  else epoch = day > 60 ? Date.UTC(1899, 11, 30) : Date.UTC(1899, 11, 31);
  return new Date(epoch + day * DAY_MS).toISOString().slice(0, 10);
};

const TEXT_DATE = /^(\d{4})\s*(?:-|\/|\.|年)\s*(\d{1,2})\s*(?:-|\/|\.|月)\s*(\d{1,2})\s*日?$/;

/** A date typed as text: 1990-05-12, 1990/5/12, 1990.5.12 or 1990年5月12日. */
export const textToDate = (text: string): string | undefined => {
  const m = TEXT_DATE.exec(text.trim());
  return m ? validDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
};

// ---------------------------------------------------------------- the natural key

/**
 * Who a row is, across files and reruns: the name (NFKC, without spaces, so 全角 letters and
 * a stray space in 张 伟 do not make a second person) and the birth date. Two people of the
 * same name born the same day are registered one by one, not imported.
 */
export const naturalKeyOf = (name: string, birthDate: string): string =>
  `${name.normalize('NFKC').replace(/\s+/gu, '').toLowerCase()}#${birthDate}`;

// ---------------------------------------------------------------- the report

/** The codes a row's issue may carry: report content, listed in the API document. */
export const rowIssueCodes = [
  'required',
  'invalid-choice',
  'invalid-date',
  'invalid-text',
  'text-too-long',
  'invalid-phone',
  'invalid-email',
  'formula-in-cell',
  'masked-value-ignored',
  'duplicate-in-file',
  'already-registered',
  'unknown-branch',
  'unknown-party-group',
  'history-committee-only',
  'history-evidence-incomplete',
  'needs-committee-authority',
  ...registrationRuleCodes,
] as const;
export type RowIssueCode = (typeof rowIssueCodes)[number];

/**
 * `error` keeps the row out (and the import from being confirmed); `notice` is said and the
 * row goes on (a masked contact detail left out, a history needing the committee), or, for
 * `already-registered`, is skipped.
 */
export type Severity = 'error' | 'notice';

export interface RowIssue {
  row: number;
  /** The column's header, where the issue is one cell's. */
  column?: string;
  code: RowIssueCode;
  severity: Severity;
  message: { zh: string; en: string };
}

const zh: Record<RowIssueCode, string> = {
  required: '必填项为空',
  'invalid-choice': '不是下拉列表中的值',
  'invalid-date': '不是有效日期',
  'invalid-text': '含有控制字符或文字方向控制符',
  'text-too-long': '文字过长',
  'invalid-phone': '不是有效的手机号码',
  'invalid-email': '不是有效的电子邮箱',
  'formula-in-cell': '单元格含公式，请粘贴为数值',
  'masked-value-ignored': '打码的联系方式视为未填写',
  'duplicate-in-file': '与文件中前面的行是同一人（姓名与出生日期相同）',
  'already-registered': '此人已在册（姓名与出生日期相同），跳过',
  'unknown-branch': '支部不存在',
  'unknown-party-group': '党小组不是所填支部的党小组',
  'history-committee-only': '带历史的登记（入党积极分子及以后阶段）只能由党委导入',
  'history-evidence-incomplete': '历史佐证须填写类型、编号和日期三列',
  'needs-committee-authority': '带历史的登记，以党委名义导入并标记为导入的历史',
  'birth-date-implausible': '出生日期早于 1900-01-01',
  'birth-date-in-future': '出生日期晚于今天',
  'work-start-before-birth': '参加工作日期早于出生日期',
  'status-since-out-of-range': '现阶段起始日期须在出生日期与今天之间',
  'applicant-under-age': '递交入党申请时未满 18 周岁',
  'application-too-old': '入党申请书递交超过 12 个月，须作为带历史的登记',
  'registration-not-at-pipeline-start': '该政治面貌须作为带历史的登记，填写历史佐证三列',
  'history-evidence-before-stage': '佐证日期早于现阶段起始日期',
  'history-evidence-in-future': '佐证日期晚于今天',
};

const en: Record<RowIssueCode, string> = {
  required: 'A required cell is empty',
  'invalid-choice': 'Not one of the dropdown’s values',
  'invalid-date': 'Not a date',
  'invalid-text': 'Holds control characters or direction overrides',
  'text-too-long': 'The text is too long',
  'invalid-phone': 'Not a phone number',
  'invalid-email': 'Not an e-mail address',
  'formula-in-cell': 'The cell holds a formula; paste it as a value',
  'masked-value-ignored': 'A masked contact detail is taken as empty',
  'duplicate-in-file': 'The same person (name and birth date) as an earlier row',
  'already-registered': 'Already on the register (name and birth date); skipped',
  'unknown-branch': 'No such branch',
  'unknown-party-group': 'Not a party group of the branch named',
  'history-committee-only': 'A registration with a history (activist or later) is the committee’s to import',
  'history-evidence-incomplete': 'A history names its evidence’s kind, reference and date',
  'needs-committee-authority':
    'A registration with a history: imported on the committee’s authority, marked as imported history',
  'birth-date-implausible': 'Born before 1900-01-01',
  'birth-date-in-future': 'Born after today',
  'work-start-before-birth': 'Work started before birth',
  'status-since-out-of-range': 'The stage’s start is between birth and today',
  'applicant-under-age': 'Under 18 when applying',
  'application-too-old': 'An application older than 12 months is history',
  'registration-not-at-pipeline-start': 'This stage is registered with a history: fill in its evidence',
  'history-evidence-before-stage': 'The evidence is dated before the stage began',
  'history-evidence-in-future': 'The evidence is dated after today',
};

const NOTICES: ReadonlySet<RowIssueCode> = new Set([
  'masked-value-ignored',
  'already-registered',
  'needs-committee-authority',
]);

export const issue = (
  row: number,
  code: RowIssueCode,
  column?: RegisterColumn,
  detail?: string,
): RowIssue => ({
  row,
  ...(column ? { column: column.header } : {}),
  code,
  severity: NOTICES.has(code) ? 'notice' : 'error',
  message: {
    zh: detail ? `${zh[code]}：${detail}` : zh[code],
    en: detail ? `${en[code]}: ${detail}` : en[code],
  },
});

// ---------------------------------------------------------------- reading one row

/** Which column a rule of person.ts is about, so its refusal names the cell. */
const ruleColumn: Partial<Record<string, RegisterField>> = {
  'birth-date-implausible': 'birthDate',
  'birth-date-in-future': 'birthDate',
  'work-start-before-birth': 'workStartDate',
  'status-since-out-of-range': 'statusSince',
  'applicant-under-age': 'statusSince',
  'application-too-old': 'statusSince',
  'registration-not-at-pipeline-start': 'politicalStatus',
  'history-evidence-before-stage': 'evidenceIssuedOn',
  'history-evidence-in-future': 'evidenceIssuedOn',
  'history-committee-only': 'politicalStatus',
};

// Control characters (tab, CR, LF too: these are one-line fields) and bidi overrides.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters refused
const UNSAFE_TEXT = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/u;
const PHONE = /^\+?[0-9][0-9 -]{4,19}$/;
const email = z.email().max(200);
/** How an export masks (shared/pii.ts): `138****5678`, `z***@example.cn`. */
const MASKED = /\*{3,}/;

type Parsed = { value?: string } | { issue: RowIssue };

const textOf = (cell: RawCell): string | undefined => {
  if (cell === undefined) return undefined;
  if (typeof cell === 'string') return cell.trim() === '' ? undefined : cell.trim();
  if (typeof cell === 'number') return Number.isInteger(cell) ? String(cell) : String(cell);
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  if ('date' in cell) return cell.date;
  return undefined;
};

const readCell = (row: number, column: RegisterColumn, cell: RawCell, date1904: boolean): Parsed => {
  if (cell !== undefined && typeof cell === 'object' && 'formula' in cell) {
    return { issue: issue(row, 'formula-in-cell', column, cell.formula) };
  }
  if (cell !== undefined && typeof cell === 'object' && 'error' in cell) {
    return { issue: issue(row, 'invalid-choice', column, cell.error) };
  }
  if (column.kind === 'date') {
    if (cell === undefined || (typeof cell === 'string' && cell.trim() === '')) {
      return column.required ? { issue: issue(row, 'required', column) } : {};
    }
    let date: string | undefined;
    if (typeof cell === 'object' && 'date' in cell) date = cell.date;
    else if (typeof cell === 'number') date = serialToDate(cell, date1904);
    else if (typeof cell === 'string') date = textToDate(cell);
    return date
      ? { value: date }
      : { issue: issue(row, 'invalid-date', column, String(textOf(cell) ?? cell)) };
  }
  const text = textOf(cell);
  if (text === undefined) return column.required ? { issue: issue(row, 'required', column) } : {};
  if (UNSAFE_TEXT.test(text)) return { issue: issue(row, 'invalid-text', column) };
  if (column.max !== undefined && [...text].length > column.max) {
    return { issue: issue(row, 'text-too-long', column, `≤ ${column.max}`) };
  }
  switch (column.kind) {
    case 'choice': {
      const value = column.choices?.[text];
      return value ? { value } : { issue: issue(row, 'invalid-choice', column, text) };
    }
    case 'phone':
      if (MASKED.test(text)) return { issue: issue(row, 'masked-value-ignored', column, text) };
      return PHONE.test(text) ? { value: text } : { issue: issue(row, 'invalid-phone', column, text) };
    case 'email':
      if (MASKED.test(text)) return { issue: issue(row, 'masked-value-ignored', column, text) };
      return email.safeParse(text).success
        ? { value: text }
        : { issue: issue(row, 'invalid-email', column, text) };
    default:
      return { value: text };
  }
};

/** A branch as the import resolves it: by its exact name (or its id). */
export interface KnownBranch {
  branchId: string;
  name: string;
  partyGroups: readonly { id: string; name: string }[];
}

export interface ImportContext {
  /** The day the rules are judged on (Asia/Shanghai): the import's own request time. */
  today: string;
  byCommittee: boolean;
  /** A secretary's own branch: the only one their rows may name, and the one a blank cell means. */
  ownBranchId?: string;
  /** The branch a blank cell means for the committee (none: a person of no branch). */
  defaultBranchId?: string;
  branches: readonly KnownBranch[];
  /** Natural keys already on the register. */
  held: ReadonlySet<string>;
}

/** What a valid row registers: the registration's fields, resolved. */
export interface ImportedPerson {
  row: number;
  key: string;
  name: string;
  gender: (typeof genders)[number];
  birthDate: string;
  department: string;
  branchId?: string;
  partyGroupId?: string;
  politicalStatus: PoliticalStatus;
  statusSince: string;
  workStartDate?: string;
  position?: string;
  education?: (typeof educations)[number];
  title?: string;
  phone?: string;
  email?: string;
  history?: ArrivalEvidence;
}

export interface ImportTotals {
  /** Data rows read (empty rows not counted). */
  rows: number;
  /** Rows that will be registered on confirmation. */
  valid: number;
  /** Rows with at least one error. */
  invalid: number;
  /** Valid rows that arrive with a history, on the committee's authority. */
  needingCommittee: number;
  /** Rows whose person is on the register already: skipped. */
  alreadyRegistered: number;
}

export interface DryRun {
  people: ImportedPerson[];
  issues: RowIssue[];
  totals: ImportTotals;
}

const resolveBranch = (name: string, ctx: ImportContext): KnownBranch | undefined => {
  const found = ctx.branches.filter((b) => b.name === name || b.branchId === name);
  if (found.length !== 1) return undefined;
  const branch = found[0] as KnownBranch;
  // Another branch is outside a secretary's scope: it does not exist for them.
  if (!ctx.byCommittee && branch.branchId !== ctx.ownBranchId) return undefined;
  return branch;
};

const ruleIssue = (row: number, error: DomainError): RowIssue => {
  const code = (rowIssueCodes as readonly string[]).includes(error.code)
    ? (error.code as RowIssueCode)
    : 'invalid-choice';
  const field = ruleColumn[code];
  return issue(row, code, field ? columnOf(field) : undefined, error.message);
};

/** One row, judged: the person it registers, or why not. */
export const checkRow = (
  raw: RawRow,
  ctx: ImportContext,
  date1904: boolean,
): { person?: ImportedPerson; issues: RowIssue[] } => {
  const { row } = raw;
  const issues: RowIssue[] = [];
  const v: Partial<Record<RegisterField, string>> = {};
  for (const column of registerColumns) {
    const parsed = readCell(row, column, raw.cells[column.field], date1904);
    if ('issue' in parsed) issues.push(parsed.issue);
    else if (parsed.value !== undefined) v[column.field] = parsed.value;
  }
  if (issues.some((i) => i.severity === 'error')) return { issues };

  let branch: KnownBranch | undefined;
  if (v.branch !== undefined) {
    branch = resolveBranch(v.branch, ctx);
    if (!branch) return { issues: [...issues, issue(row, 'unknown-branch', columnOf('branch'), v.branch)] };
  } else {
    const id = ctx.byCommittee ? ctx.defaultBranchId : ctx.ownBranchId;
    branch = id === undefined ? undefined : ctx.branches.find((b) => b.branchId === id);
  }
  let partyGroupId: string | undefined;
  if (v.partyGroup !== undefined) {
    partyGroupId = branch?.partyGroups.find((g) => g.name === v.partyGroup || g.id === v.partyGroup)?.id;
    if (!partyGroupId) {
      return { issues: [...issues, issue(row, 'unknown-party-group', columnOf('partyGroup'), v.partyGroup)] };
    }
  }

  const evidence = [v.evidenceKind, v.evidenceReference, v.evidenceIssuedOn];
  const given = evidence.filter((e) => e !== undefined).length;
  if (given > 0 && given < 3) {
    return { issues: [...issues, issue(row, 'history-evidence-incomplete', columnOf('evidenceKind'))] };
  }
  const history: ArrivalEvidence | undefined =
    given === 3
      ? {
          kind: v.evidenceKind as (typeof arrivalEvidenceKinds)[number],
          reference: v.evidenceReference as string,
          issuedOn: v.evidenceIssuedOn as string,
        }
      : undefined;
  const politicalStatus = v.politicalStatus as PoliticalStatus;
  // A stage past the pipeline's start is history, the committee's alone, evidence or not.
  if (!ctx.byCommittee && (history || !PIPELINE_START.includes(politicalStatus))) {
    return { issues: [...issues, issue(row, 'history-committee-only', columnOf('politicalStatus'))] };
  }
  const person: ImportedPerson = {
    row,
    key: naturalKeyOf(v.name as string, v.birthDate as string),
    name: v.name as string,
    gender: v.gender as ImportedPerson['gender'],
    birthDate: v.birthDate as string,
    department: v.department as string,
    ...(branch ? { branchId: branch.branchId } : {}),
    ...(partyGroupId ? { partyGroupId } : {}),
    politicalStatus,
    statusSince: v.statusSince as string,
    ...(v.workStartDate ? { workStartDate: v.workStartDate } : {}),
    ...(v.position ? { position: v.position } : {}),
    ...(v.education ? { education: v.education as ImportedPerson['education'] } : {}),
    ...(v.title ? { title: v.title } : {}),
    ...(v.phone ? { phone: v.phone } : {}),
    ...(v.email ? { email: v.email } : {}),
    ...(history ? { history } : {}),
  };
  const registration = checkRegistration({
    birthDate: person.birthDate,
    politicalStatus,
    statusSince: person.statusSince,
    ...(history ? { history } : {}),
    byCommittee: ctx.byCommittee,
    today: ctx.today,
  });
  if (!registration.ok) return { issues: [...issues, ruleIssue(row, registration.error)] };
  const dates = checkPersonDates(person, ctx.today);
  if (!dates.ok) return { issues: [...issues, ruleIssue(row, dates.error)] };
  if (history) issues.push(issue(row, 'needs-committee-authority', columnOf('politicalStatus')));
  return { person, issues };
};

/**
 * The dry run of a whole file: every row judged, duplicates within the file and people
 * already registered found, and the totals. Nothing here writes.
 */
export const dryRun = (rows: readonly RawRow[], ctx: ImportContext, date1904: boolean): DryRun => {
  const people: ImportedPerson[] = [];
  const issues: RowIssue[] = [];
  const firstRowOf = new Map<string, number>();
  const totals: ImportTotals = {
    rows: rows.length,
    valid: 0,
    invalid: 0,
    needingCommittee: 0,
    alreadyRegistered: 0,
  };
  for (const raw of rows) {
    const checked = checkRow(raw, ctx, date1904);
    issues.push(...checked.issues);
    const { person } = checked;
    if (!person) {
      totals.invalid += 1;
      continue;
    }
    const first = firstRowOf.get(person.key);
    if (first !== undefined) {
      issues.push(issue(person.row, 'duplicate-in-file', columnOf('name'), `第 ${first} 行 / row ${first}`));
      totals.invalid += 1;
      continue;
    }
    firstRowOf.set(person.key, person.row);
    if (ctx.held.has(person.key)) {
      issues.push(issue(person.row, 'already-registered', columnOf('name')));
      totals.alreadyRegistered += 1;
      continue;
    }
    people.push(person);
    totals.valid += 1;
    if (person.history) totals.needingCommittee += 1;
  }
  return { people, issues, totals };
};
