/**
 * The register of people as a sheet (人员名册): one set of columns for the import template,
 * the import itself and the export, so an exported register can be imported again. Values
 * are the institution's Chinese labels; each enumeration has its labels here and nowhere else.
 */
import type { PoliticalStatus } from '../events.js';
import type { arrivalEvidenceKinds, educations, genders } from './person.js';

export const genderLabels: Record<(typeof genders)[number], string> = { male: '男', female: '女' };
export const statusLabels: Record<PoliticalStatus, string> = {
  masses: '群众',
  applicant: '入党申请人',
  activist: '入党积极分子',
  candidate: '发展对象',
  probationary: '预备党员',
  full: '正式党员',
};
export const educationLabels: Record<(typeof educations)[number], string> = {
  secondary: '中专及以下',
  associate: '大专',
  bachelor: '本科',
  master: '硕士研究生',
  doctorate: '博士研究生',
};
export const evidenceKindLabels: Record<(typeof arrivalEvidenceKinds)[number], string> = {
  'transfer-letter': '组织关系介绍信',
  'party-file': '党员档案',
  approval: '上级党委审批材料',
};

/** What a column holds: the import parses it by kind. */
export type ColumnKind = 'text' | 'date' | 'choice' | 'phone' | 'email';

export interface RegisterColumn {
  field: RegisterField;
  header: string;
  kind: ColumnKind;
  required: boolean;
  /** Label → value, for a `choice` column. */
  choices?: Record<string, string>;
  /** What the second sheet (填写说明) says of the column. */
  explains: string;
  /** Longest text accepted (characters). */
  max?: number;
}

export type RegisterField =
  | 'name'
  | 'gender'
  | 'birthDate'
  | 'department'
  | 'branch'
  | 'partyGroup'
  | 'politicalStatus'
  | 'statusSince'
  | 'workStartDate'
  | 'position'
  | 'education'
  | 'title'
  | 'phone'
  | 'email'
  | 'evidenceKind'
  | 'evidenceReference'
  | 'evidenceIssuedOn';

const inverse = <V extends string>(labels: Record<V, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).map(([value, label]) => [label as string, value]));

const DATE_FORMS = '日期格式：1990-05-12、1990/5/12 或 1990年5月12日，或 Excel 的日期单元格';

export const registerColumns: readonly RegisterColumn[] = [
  { field: 'name', header: '姓名', kind: 'text', required: true, max: 100, explains: '必填，最多 100 字' },
  {
    field: 'gender',
    header: '性别',
    kind: 'choice',
    required: true,
    choices: inverse(genderLabels),
    explains: '必填，从下拉列表选择',
  },
  { field: 'birthDate', header: '出生日期', kind: 'date', required: true, explains: `必填，${DATE_FORMS}` },
  {
    field: 'department',
    header: '部门',
    kind: 'text',
    required: true,
    max: 100,
    explains: '必填，最多 100 字',
  },
  {
    field: 'branch',
    header: '所在支部',
    kind: 'text',
    required: false,
    max: 100,
    explains: '支部名称，须与系统中的支部名称完全一致；支部书记导入时可留空（即本支部），且只能填写本支部',
  },
  {
    field: 'partyGroup',
    header: '党小组',
    kind: 'text',
    required: false,
    max: 100,
    explains: '党小组名称，须是所填支部的党小组；可留空',
  },
  {
    field: 'politicalStatus',
    header: '政治面貌',
    kind: 'choice',
    required: true,
    choices: inverse(statusLabels),
    explains:
      '必填，从下拉列表选择。群众、入党申请人为普通登记；其余阶段为带历史的登记，只能由党委导入，并须填写历史佐证三列',
  },
  {
    field: 'statusSince',
    header: '现阶段起始日期',
    kind: 'date',
    required: true,
    explains: `必填，进入现政治面貌的日期（入党申请人为递交申请书的日期，须在 12 个月内）；${DATE_FORMS}`,
  },
  {
    field: 'workStartDate',
    header: '参加工作日期',
    kind: 'date',
    required: false,
    explains: `可留空；${DATE_FORMS}`,
  },
  { field: 'position', header: '职务', kind: 'text', required: false, max: 100, explains: '可留空' },
  {
    field: 'education',
    header: '学历',
    kind: 'choice',
    required: false,
    choices: inverse(educationLabels),
    explains: '可留空，从下拉列表选择',
  },
  { field: 'title', header: '职称', kind: 'text', required: false, max: 100, explains: '可留空' },
  {
    field: 'phone',
    header: '手机',
    kind: 'phone',
    required: false,
    explains: '可留空；导出名册中打码的号码（如 138****5678）导入时视为未填写',
  },
  {
    field: 'email',
    header: '电子邮箱',
    kind: 'email',
    required: false,
    max: 200,
    explains: '可留空；填写后系统为其开通登录账号。打码的邮箱导入时视为未填写',
  },
  {
    field: 'evidenceKind',
    header: '历史佐证类型',
    kind: 'choice',
    required: false,
    choices: inverse(evidenceKindLabels),
    explains: '带历史登记时必填（从下拉列表选择），否则留空',
  },
  {
    field: 'evidenceReference',
    header: '佐证编号',
    kind: 'text',
    required: false,
    max: 100,
    explains: '带历史登记时必填：介绍信、档案或审批材料的编号',
  },
  {
    field: 'evidenceIssuedOn',
    header: '佐证日期',
    kind: 'date',
    required: false,
    explains: `带历史登记时必填：佐证材料的出具日期，不早于现阶段起始日期、不晚于今天；${DATE_FORMS}`,
  },
];

export const columnOf = (field: RegisterField): RegisterColumn =>
  registerColumns.find((c) => c.field === field) as RegisterColumn;

export const TEMPLATE_SHEET = '人员名册';
export const EXPLANATION_SHEET = '填写说明';
