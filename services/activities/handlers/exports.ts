/**
 * The registers as workbooks (.xlsx) the institution keeps and hands upward: a branch's
 * 三会一课台账 for a year, compliance by branch and period, participation per member. Each is
 * scope-checked before anything is read, and is an audited read of personal data: its
 * PersonalDataExported is committed before the file is answered (shared/exports.ts).
 *
 * Reads stay bounded by the branch and year, never per meeting: the register is one Query of
 * the branch's activities, one of its final attendance, one GetItem of its evidence tally, one
 * Query of the rooms and BatchGetItem for the names of the absent.
 */
import * as z from 'zod';
import type { Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { auditExport, type ExportRequest } from '../../../shared/exports.js';
import { idParam } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { deliverWorkbook, workbookResponses } from '../../../shared/spreadsheets/deliver.js';
import { type Column, type SheetSpec, writeWorkbook } from '../../../shared/spreadsheets/workbook.js';
import { localYear, startOfLocalDay } from '../../../shared/time.js';
import { rosterPeople } from '../../talent/roster.js';
import {
  activityStatusLabels,
  activityTypeLabels,
  type RegisterLine,
  registerLines,
  registerTotals,
} from '../domain/register.js';
import { ActivitiesDataExported } from '../events.js';
import { evidenceTally } from '../store/evidence.js';
import { allRooms, branchActivities, participationRecords, rosterReader, transaction } from '../store.js';
import type { ComplianceView, ParticipationView } from '../views.js';
import { branchOrganisers } from './common.js';
import {
  complianceQuery,
  complianceReport,
  participationQuery,
  participationReport,
  scopedBranch,
} from './insights.js';

const year = z.coerce.number().int().min(2000).max(2100);

/** A share (0–1) as a percentage with two decimals, as a register prints it. */
const percent = (share: number | null | undefined) =>
  share === null || share === undefined ? undefined : Math.round(share * 10_000) / 100;

const yesNo = (b: boolean) => (b ? '是' : '否');

/** Publishes the export's audit event, then answers the workbook (fail closed: no event, no file). */
const exported = async (
  ctx: ServiceContext,
  req: ExportRequest,
  what: { register: string; scope: Record<string, string | number | undefined>; rows: number },
  // biome-ignore lint/suspicious/noExplicitAny: each sheet has its own row type
  file: { filename: string; sheets: readonly SheetSpec<any>[] },
) => {
  const bytes = await writeWorkbook(file.sheets);
  const scope = Object.fromEntries(
    Object.entries(what.scope).filter((e): e is [string, string | number] => e[1] !== undefined),
  );
  await auditExport(transaction(ctx), ActivitiesDataExported, req, { ...what, scope });
  return deliverWorkbook(ctx, { bytes, filename: file.filename, now: req.now });
};

// ---------------------------------------------------------------- 三会一课台账

const registerColumns: Column<RegisterLine>[] = [
  { header: '日期', width: 12, value: (l) => ({ date: l.date }) },
  { header: '时间', width: 13, value: (l) => l.time },
  { header: '类型', width: 14, value: (l) => activityTypeLabels[l.type] },
  { header: '主题', width: 30, value: (l) => l.title },
  { header: '地点', width: 20, value: (l) => l.place },
  { header: '应到', value: (l) => l.invited },
  { header: '实到', value: (l) => l.attended },
  { header: '迟到', value: (l) => l.late },
  { header: '请假', value: (l) => l.excused },
  { header: '缺席', value: (l) => l.absent },
  { header: '缺席人员', width: 24, value: (l) => l.absentees.join('、') || undefined },
  { header: '请假人员', width: 24, value: (l) => l.excusedPeople.join('、') || undefined },
  { header: '会议记录摘要', width: 60, value: (l) => l.minutesSummary },
  { header: '佐证材料', value: (l) => (l.evidence > 0 ? l.evidence : '无') },
  { header: '状态', value: (l) => activityStatusLabels[l.status] },
  { header: '备注', width: 30, value: (l) => l.remarks },
];

type Totals = ReturnType<typeof registerTotals>[number];

const totalColumns: Column<Totals>[] = [
  { header: '类型', width: 14, value: (t) => activityTypeLabels[t.type] },
  { header: '已召开', value: (t) => t.held },
  { header: '已取消', value: (t) => t.cancelled },
  { header: '已安排', value: (t) => t.scheduled },
  { header: '应到人次', value: (t) => t.invited },
  { header: '实到人次', value: (t) => t.attended },
  { header: '出席率（%）', value: (t) => percent(t.rate) },
  { header: '无佐证材料', value: (t) => t.withoutEvidence },
];

/** The year's register of a branch, with the names of those absent or excused. */
const branchRegister = async (ctx: ServiceContext, branchId: string, inYear: number) => {
  const from = startOfLocalDay(`${inYear}-01-01`).toISOString();
  const to = startOfLocalDay(`${inYear + 1}-01-01`).toISOString();
  const [activities, finals, evidence, rooms] = await Promise.all([
    branchActivities(ctx, branchId, from, to),
    participationRecords(ctx, branchId, from, to),
    evidenceTally(ctx, branchId),
    allRooms(ctx),
  ]);
  const named = finals.filter((f) => f.status === 'absent' || f.status === 'excused').map((f) => f.personId);
  const people = await rosterPeople(rosterReader(ctx), named);
  return registerLines({
    activities,
    finals,
    names: new Map([...people.values()].map((p) => [p.personId, p.name])),
    rooms: new Map(rooms.map((r) => [r.roomId, r.name])),
    evidence,
  });
};

// ---------------------------------------------------------------- compliance

type ComplianceBody = z.output<typeof ComplianceView>;
type BranchCompliance = ComplianceBody['branches'][number];
type TypeCompliance = BranchCompliance['types'][number];
type PeriodLine = {
  branchId: string;
  type: TypeCompliance;
  period: TypeCompliance['periods'][number];
};

const periodKindLabels = { month: '每月', quarter: '每季度', 'half-year': '每半年', year: '每年' } as const;
const periodStatusLabels = { met: '达标', missed: '未达标', open: '进行中' } as const;

const periodColumns: Column<PeriodLine>[] = [
  { header: '支部', width: 28, value: (l) => l.branchId },
  { header: '类型', width: 14, value: (l) => activityTypeLabels[l.type.type] },
  { header: '党小组', width: 28, value: (l) => l.type.partyGroupId },
  { header: '频次', value: (l) => `${periodKindLabels[l.type.period]}${l.type.times}次` },
  { header: '期间', width: 12, value: (l) => l.period.label },
  { header: '起', width: 12, value: (l) => ({ date: l.period.from }) },
  { header: '止', width: 12, value: (l) => ({ date: l.period.to }) },
  { header: '应开', value: (l) => l.period.required },
  { header: '已开', value: (l) => l.period.held },
  { header: '状态', value: (l) => periodStatusLabels[l.period.status] },
  { header: '补录', value: (l) => l.period.late },
  { header: '仅靠补录达标', value: (l) => yesNo(l.period.metLate) },
];

const branchSummaryColumns: Column<BranchCompliance>[] = [
  { header: '支部', width: 28, value: (b) => b.branchId },
  { header: '期数', value: (b) => b.summary.periods },
  { header: '达标', value: (b) => b.summary.met },
  { header: '未达标', value: (b) => b.summary.missed },
  { header: '进行中', value: (b) => b.summary.open },
  { header: '仅靠补录达标', value: (b) => b.summary.metLate },
  { header: '已召开', value: (b) => b.evidence.held },
  { header: '有佐证材料', value: (b) => b.evidence.withEvidence },
  { header: '无佐证材料', value: (b) => b.evidence.withoutEvidence },
];

const periodLines = (body: ComplianceBody): PeriodLine[] =>
  body.branches.flatMap((b) =>
    b.types.flatMap((type) => type.periods.map((period) => ({ branchId: b.branchId, type, period }))),
  );

// ---------------------------------------------------------------- participation

type MemberLine = z.output<typeof ParticipationView>['members'][number];

const memberColumns = (threshold: number): Column<MemberLine>[] => [
  { header: '姓名', width: 12, value: (m) => m.name },
  { header: '人员编号', width: 28, value: (m) => m.personId },
  { header: '应参加', value: (m) => m.invited },
  { header: '出席', value: (m) => m.present },
  { header: '迟到', value: (m) => m.late },
  { header: '请假', value: (m) => m.excused },
  { header: '缺席', value: (m) => m.absent },
  { header: '参与率（%）', value: (m) => percent(m.rate) },
  { header: `低于${percent(threshold)}%`, value: (m) => yesNo(m.flagged) },
];

const dayOf = (localIso: string) => localIso.slice(0, 10);

const request = (req: { caller: Caller; requestId: string; now: Date }): ExportRequest => ({
  caller: req.caller,
  requestId: req.requestId,
  now: req.now,
});

export const exportRoutes = [
  route('GET /activities/exports/register.xlsx', {
    summary: 'A branch’s register of its meetings (三会一课台账) for a year, as a workbook (.xlsx)',
    description:
      'Every activity of the branch that starts in the year (Asia/Shanghai), held, cancelled or still scheduled, by start: date, time, type, theme, place, attendance counts, the names of the absent and the excused, the first 200 characters of the minutes, accepted evidence files, status and remarks (why cancelled, 补录); and a sheet of totals per type (汇总). The committee any branch, the branch’s secretary their own (404 otherwise). Without `year`, the current one. An audited export: PersonalDataExported is published first. Past 4 MB the answer is 303 to a download link.',
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    responses: workbookResponses,
    request: { query: z.strictObject({ branchId: idParam, year: year.optional() }) },
    handler: async (req, ctx) => {
      const branchId = scopedBranch(req.caller, req.query.branchId) ?? req.query.branchId;
      const inYear = req.query.year ?? localYear(req.now);
      const lines = await branchRegister(ctx, branchId, inYear);
      return exported(
        ctx,
        request(req),
        { register: 'activities.register', scope: { branchId, year: inYear }, rows: lines.length },
        {
          filename: `三会一课台账-${branchId}-${inYear}.xlsx`,
          sheets: [
            { name: '三会一课台账', columns: registerColumns, rows: lines },
            { name: '汇总', columns: totalColumns, rows: registerTotals(lines) },
          ],
        },
      );
    },
  }),

  route('GET /activities/exports/compliance.xlsx', {
    summary: 'Cadence compliance (三会一课) by branch and period, as a workbook (.xlsx)',
    description:
      'The same query and scope as `GET /activities/insights/compliance`: a row per branch, type (party group) and period begun, with required, held, status and 补录; and a sheet per branch (支部汇总) with its periods and evidence. An audited export: PersonalDataExported is published first.',
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    responses: workbookResponses,
    request: { query: complianceQuery },
    handler: async (req, ctx) => {
      // Every branch for the committee without `branchId` (undefined), else the one in scope.
      const branchId = scopedBranch(req.caller, req.query.branchId);
      const body = await complianceReport(ctx, req);
      const lines = periodLines(body);
      return exported(
        ctx,
        request(req),
        {
          register: 'activities.compliance',
          scope: { branchId, year: body.year },
          rows: lines.length,
        },
        {
          filename: `三会一课达标情况-${branchId ?? '全部支部'}-${body.year}.xlsx`,
          sheets: [
            { name: '达标情况', columns: periodColumns, rows: lines },
            { name: '支部汇总', columns: branchSummaryColumns, rows: body.branches },
          ],
        },
      );
    },
  }),

  route('GET /activities/exports/participation.xlsx', {
    summary: 'Participation per member, of a branch or every branch, as a workbook (.xlsx)',
    description:
      'The same query, scope and refusals as `GET /activities/insights/participation`: a row per member with their name, counts and rate, those below the threshold marked. An audited export: PersonalDataExported is published first.',
    access: ['committee', 'secretary'],
    refusals: ['empty-window', 'window-too-long'],
    outcomes: branchOrganisers,
    responses: workbookResponses,
    request: { query: participationQuery },
    handler: async (req, ctx) => {
      const body = await participationReport(ctx, req);
      return exported(
        ctx,
        request(req),
        {
          register: 'activities.participation',
          scope: { branchId: body.branchId, from: body.from, to: body.to },
          rows: body.members.length,
        },
        {
          filename: `党员参与情况-${body.branchId ?? '全部支部'}-${dayOf(body.from)}至${dayOf(body.to)}.xlsx`,
          sheets: [{ name: '参与情况', columns: memberColumns(body.threshold), rows: body.members }],
        },
      );
    },
  }),
];
