/**
 * What the activities API answers, as zod schemas (the OpenAPI document and the contract
 * test are generated from them), and the functions that build those bodies, typed against
 * the schemas so a handler and its documented response cannot drift apart.
 */
import * as z from 'zod';
import type { Caller } from '../../shared/auth.js';
import { isoDate, timestamp } from '../../shared/schemas.js';
import { DownloadLinkView, RejectionReasonView, UploadFormView } from '../../shared/storage/views.js';
import { toLocalIso } from '../../shared/time.js';
import { type Activity, activityStatuses, organises } from './domain/activity.js';
import type { RecordedStatus, Tally } from './domain/attendance.js';
import type { Booking } from './domain/booking.js';
import { type CadenceType, cadencePeriod, cadenceTypes } from './domain/cadence.js';
import { campaignStatuses } from './domain/campaign.js';
import { type Evidence, evidenceKinds, evidenceStatuses } from './domain/evidence.js';
import { activityTypes, attendanceStatuses } from './events.js';
import type { AttendanceRecord, CadenceSettings, Room } from './store.js';

/** Stored instants are UTC; the API answers them in the institution's zone (+08:00). */
export const local = (iso: string) => toLocalIso(new Date(iso));

// ---------------------------------------------------------------- enums (requests use them too)

export const activityTypeEnum = z.enum(activityTypes).meta({
  description: [
    'The kind of activity (三会一课 and other party activities):',
    'branch-general-meeting — 支部党员大会;',
    'branch-committee-meeting — 支委会;',
    'party-group-meeting — 党小组会;',
    'party-lesson — 党课;',
    'theme-day — 主题党日;',
    'organizational-life-meeting — 组织生活会;',
    'democratic-evaluation — 民主评议党员;',
    'history-study — 党史学习教育;',
    'warning-education — 警示教育;',
    'seminar — 专题研讨;',
    'other — 其他',
  ].join(' '),
});

export const activityStatusEnum = z.enum(activityStatuses).meta({
  description: 'scheduled — 已安排; completed — 已召开 (minutes recorded); cancelled — 已取消',
});

export const attendanceStatusEnum = z.enum(attendanceStatuses).meta({
  description: 'present — 出席; late — 迟到; excused — 请假; absent — 缺席',
});

const RecordedStatusView = z.enum([...attendanceStatuses, 'unknown']).meta({
  description:
    'present — 出席; late — 迟到; excused — 请假; absent — 缺席; unknown — 未登记 (nobody recorded it yet; becomes absent at completion)',
});

const ViaView = z.enum(['check-in', 'secretary']).meta({
  description: 'check-in — 自助签到 with the code; secretary — 书记登记 (recorded by an organiser)',
});

const rate = z
  .number()
  .min(0)
  .max(1)
  .nullable()
  .meta({ description: '(present + late) / invited, 4 decimals; null when nobody was invited' });
const count = z.number().int().nonnegative();

// ---------------------------------------------------------------- activities

export const ActivityView = z.strictObject({
  activityId: z.string(),
  branchId: z.string(),
  type: activityTypeEnum,
  partyGroupId: z.string().optional().meta({ description: 'Only for a party-group meeting (党小组会)' }),
  title: z.string(),
  agenda: z.string().optional(),
  startsAt: timestamp,
  endsAt: timestamp,
  roomId: z.string().optional(),
  location: z.string().optional(),
  inviteeIds: z.array(z.string()),
  status: activityStatusEnum,
  checkInCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional()
    .meta({ description: 'Six digits; shown only to the organisers (the committee, the branch secretary)' }),
  version: z
    .number()
    .int()
    .positive()
    .meta({ description: 'Send back with a PATCH (optimistic concurrency)' }),
  createdBy: z.string(),
  createdAt: timestamp,
  cancelReason: z.string().optional(),
  cancelledAt: timestamp.optional(),
  minutes: z.string().optional().meta({ description: '会议记录, once completed' }),
  resolutions: z.array(z.string()).optional().meta({ description: '决议, once completed' }),
  completedAt: timestamp.optional(),
  recordedLate: z
    .strictObject({
      reason: z.string(),
      recordedAt: timestamp,
      by: z.string().meta({ description: 'The person who wrote it' }),
    })
    .optional()
    .meta({
      description:
        '补录: the activity was recorded after the fact (scheduled once it had ended, or its attendance or completion written from the 8th day after it); the first such write',
    }),
  attendance: z
    .strictObject({
      invited: count,
      present: count,
      late: count,
      excused: count,
      absent: count,
      attendanceRate: rate,
    })
    .optional()
    .meta({ description: 'The final tally, fixed at completion' }),
  campaignId: z
    .string()
    .optional()
    .meta({ description: 'The campaign (统一部署) that scheduled it, one activity per branch' }),
});

/** What a caller sees of an activity: the check-in code only if they organise it. */
export const activityView = (a: Activity, caller: Caller): z.output<typeof ActivityView> => ({
  activityId: a.activityId,
  branchId: a.branchId,
  type: a.type,
  ...(a.partyGroupId === undefined ? {} : { partyGroupId: a.partyGroupId }),
  title: a.title,
  ...(a.agenda === undefined ? {} : { agenda: a.agenda }),
  startsAt: local(a.startsAt),
  endsAt: local(a.endsAt),
  ...(a.roomId === undefined ? {} : { roomId: a.roomId }),
  ...(a.location === undefined ? {} : { location: a.location }),
  inviteeIds: a.inviteeIds,
  status: a.status,
  ...(organises(caller, a.branchId) ? { checkInCode: a.checkInCode } : {}),
  version: a.version,
  createdBy: a.createdBy,
  createdAt: local(a.createdAt),
  ...(a.cancelReason === undefined ? {} : { cancelReason: a.cancelReason }),
  ...(a.cancelledAt === undefined ? {} : { cancelledAt: local(a.cancelledAt) }),
  ...(a.minutes === undefined ? {} : { minutes: a.minutes }),
  ...(a.resolutions === undefined ? {} : { resolutions: a.resolutions }),
  ...(a.completedAt === undefined ? {} : { completedAt: local(a.completedAt) }),
  ...(a.recordedLate === undefined
    ? {}
    : { recordedLate: { ...a.recordedLate, recordedAt: local(a.recordedLate.recordedAt) } }),
  ...(a.attendance === undefined ? {} : { attendance: a.attendance }),
  ...(a.campaignId === undefined ? {} : { campaignId: a.campaignId }),
});

// ---------------------------------------------------------------- attendance

const recordFields = {
  personId: z.string(),
  note: z.string().optional(),
  checkedInAt: timestamp.optional().meta({ description: 'Set when the person checked in themselves' }),
};

/**
 * One person's attendance record (考勤记录), as written. A self check-in answers with the
 * record it wrote (present or late), or with the one that already stood.
 */
export const AttendanceRecordView = z.strictObject({
  ...recordFields,
  status: attendanceStatusEnum,
  via: ViaView,
  recordedAt: timestamp,
});

export const recordView = (r: AttendanceRecord): z.output<typeof AttendanceRecordView> => ({
  personId: r.personId,
  status: r.status,
  ...(r.note ? { note: r.note } : {}),
  ...(r.checkedInAt ? { checkedInAt: local(r.checkedInAt) } : {}),
  via: r.via,
  recordedAt: local(r.recordedAt),
});

/** An invitee on the attendance list: their record, or only their status if none was written. */
const RollEntryView = z.strictObject({
  ...recordFields,
  status: RecordedStatusView,
  via: ViaView.optional().meta({ description: 'Absent while nobody recorded the person' }),
  recordedAt: timestamp.optional(),
});

export const AttendanceView = z.strictObject({
  activityId: z.string(),
  activityStatus: activityStatusEnum,
  items: z.array(RollEntryView),
  invited: count,
  present: count,
  late: count,
  excused: count,
  absent: count,
  unknown: count,
  attendanceRate: rate,
});

export const attendanceView = (
  a: Activity,
  items: z.output<typeof RollEntryView>[],
  t: Tally,
): z.output<typeof AttendanceView> => ({
  activityId: a.activityId,
  activityStatus: a.status,
  items,
  invited: t.invited,
  present: t.present,
  late: t.late,
  excused: t.excused,
  absent: t.absent,
  unknown: t.unknown,
  attendanceRate: t.attendanceRate,
});

export const unrecordedView = (personId: string, status: RecordedStatus): z.output<typeof RollEntryView> => ({
  personId,
  status,
});

// ---------------------------------------------------------------- rooms

export const RoomView = z.strictObject({
  roomId: z.string(),
  name: z.string(),
  capacity: z.number().int().positive(),
  createdAt: timestamp,
});

export const roomView = (room: Room): z.output<typeof RoomView> => ({
  roomId: room.roomId,
  name: room.name,
  capacity: room.capacity,
  createdAt: local(room.createdAt),
});

export const BookingView = z.strictObject({
  roomId: z.string(),
  activityId: z.string(),
  startsAt: timestamp,
  endsAt: timestamp.meta({ description: 'Exclusive: a booking may start when the previous one ends' }),
});

export const bookingView = (b: Booking): z.output<typeof BookingView> => ({
  roomId: b.roomId,
  activityId: b.activityId,
  startsAt: local(b.startsAt),
  endsAt: local(b.endsAt),
});

// ---------------------------------------------------------------- evidence (佐证材料)

export const EvidenceView = z
  .strictObject({
    attachmentId: z.string(),
    activityId: z.string(),
    kind: z.enum(evidenceKinds).meta({
      description:
        'photo — 活动照片; sign-in-sheet — 签到表; slides — 课件; minutes — 会议记录 (the file); other — 其他',
    }),
    name: z.string().meta({ description: 'The file name it is downloaded as' }),
    contentType: z.string(),
    sizeBytes: z.number().int().positive(),
    status: z.enum(evidenceStatuses).meta({
      description:
        'uploading — 上传中 (waiting for the file); available — 已收录 (accepted by the check: counts as evidence); rejected — 已拒收 (the stored file failed the check)',
    }),
    rejectedReason: RejectionReasonView.optional(),
    createdBy: z.string(),
    createdAt: timestamp,
  })
  .meta({ id: 'ActivityEvidence', description: 'A file proving an activity was held (佐证材料)' });

export const evidenceView = (f: Evidence): z.output<typeof EvidenceView> => ({
  attachmentId: f.attachmentId,
  activityId: f.activityId,
  kind: f.kind,
  name: f.name,
  contentType: f.contentType,
  sizeBytes: f.sizeBytes,
  status: f.status,
  ...(f.rejectedReason ? { rejectedReason: f.rejectedReason } : {}),
  createdBy: f.createdBy,
  createdAt: f.createdAt,
});

export const CreatedEvidence = EvidenceView.extend({
  upload: UploadFormView.optional().meta({
    description: 'Where the client sends the bytes, while the attachment waits for them',
  }),
}).meta({ id: 'CreatedActivityEvidence' });

export const EvidenceList = z
  .strictObject({
    activityId: z.string(),
    evidence: count.meta({ description: 'How many files were accepted: the activity has evidence from 1' }),
    items: z.array(EvidenceView),
  })
  .meta({
    description: "The activity's files: every state for its managers, the accepted ones for everyone else",
  });

export const EvidenceDownload = DownloadLinkView.meta({
  id: 'EvidenceDownload',
  description: 'A short-lived presigned GET of the checked file',
});

// ---------------------------------------------------------------- campaigns (统一部署)

const CampaignStatusView = z.enum(campaignStatuses).meta({
  description:
    'pending — 未建 (not written yet: send the create again with its Idempotency-Key); scheduled — 已安排 (not yet ended); held-with-evidence — 已召开且有佐证; held-without-evidence — 已召开无佐证; missed — 未召开 (cancelled, or ended and not completed)',
});

export const CampaignView = z
  .strictObject({
    campaignId: z.string(),
    title: z.string(),
    type: activityTypeEnum,
    agenda: z.string().optional(),
    createdBy: z.string(),
    createdAt: timestamp,
    asOf: timestamp.meta({ description: 'The time the statuses are judged at' }),
    branches: z.array(
      z.strictObject({
        branchId: z.string(),
        activityId: z.string(),
        startsAt: timestamp,
        endsAt: timestamp,
        location: z.string().optional(),
        roomId: z.string().optional(),
        status: CampaignStatusView,
        evidence: count.meta({ description: 'Accepted files (佐证材料) of the branch’s activity' }),
      }),
    ),
    summary: z.strictObject({
      branches: count,
      pending: count,
      scheduled: count,
      heldWithEvidence: count,
      heldWithoutEvidence: count,
      missed: count,
    }),
  })
  .meta({
    id: 'Campaign',
    description: 'A campaign (统一部署): one activity per branch, and where each stands',
  });

export const CampaignListItemView = z.strictObject({
  campaignId: z.string(),
  title: z.string(),
  type: activityTypeEnum,
  branches: count,
  createdAt: timestamp,
});

// ---------------------------------------------------------------- cadence settings and insights

const CadenceTypeView = z.enum(cadenceTypes).meta({
  description: [
    'An activity type with a statutory cadence:',
    'branch-general-meeting — 支部党员大会;',
    'branch-committee-meeting — 支委会;',
    'party-group-meeting — 党小组会 (judged per party group);',
    'party-lesson — 党课;',
    'theme-day — 主题党日;',
    'organizational-life-meeting — 组织生活会;',
    'democratic-evaluation — 民主评议党员',
  ].join(' '),
});

const CadenceRuleView = z.strictObject({
  period: cadencePeriod,
  times: z.number().int().min(1).meta({ description: 'How many must be held in each period' }),
});

const CadenceRulesView = z
  .strictObject(
    Object.fromEntries(cadenceTypes.map((t) => [t, CadenceRuleView])) as Record<
      CadenceType,
      typeof CadenceRuleView
    >,
  )
  .meta({ description: 'How often each 三会一课 type must be held (statutory defaults until changed)' });

export const CadenceSettingsView = z.strictObject({
  rules: CadenceRulesView,
  version: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: '0 while the statutory defaults apply; send back with a PUT' }),
  updatedAt: timestamp.optional(),
  updatedBy: z.string().optional(),
});

export const cadenceSettingsView = (s: CadenceSettings): z.output<typeof CadenceSettingsView> => ({
  rules: s.rules,
  version: s.version,
  ...(s.updatedAt ? { updatedAt: local(s.updatedAt) } : {}),
  ...(s.updatedBy ? { updatedBy: s.updatedBy } : {}),
});

const PeriodView = z.strictObject({
  label: z.string().meta({ description: '`2026-03`, `2026-Q1`, `2026-H1` or `2026`' }),
  from: isoDate,
  to: isoDate.meta({ description: 'Last day, inclusive' }),
  required: count,
  held: count,
  status: z.enum(['met', 'missed', 'open']).meta({
    description:
      'met — 达标; missed — 未达标 (the period ended short, overdue); open — 进行中 (still running, short so far)',
  }),
  late: count.meta({ description: 'Of those held, how many were recorded late (补录)' }),
  lateActivityIds: z.array(z.string()).meta({ description: 'The held activities recorded late' }),
  metLate: z.boolean().meta({
    description: 'Met only thanks to activities recorded late: without them the period would be short',
  }),
});

export const ComplianceView = z.strictObject({
  year: z.number().int(),
  asOf: isoDate.meta({ description: 'The local date the periods are judged on' }),
  rules: CadenceRulesView,
  branches: z.array(
    z.strictObject({
      branchId: z.string(),
      types: z.array(
        z.strictObject({
          type: CadenceTypeView,
          partyGroupId: z.string().optional(),
          period: cadencePeriod,
          times: z.number().int().min(1),
          periods: z.array(PeriodView),
        }),
      ),
      summary: z.strictObject({
        periods: count,
        met: count,
        missed: count,
        open: count,
        metLate: count.meta({ description: 'Periods met only thanks to activities recorded late' }),
      }),
      evidence: z
        .strictObject({
          held: count.meta({ description: 'Activities held (completed) in the year' }),
          withEvidence: count,
          withoutEvidence: count.meta({
            description: 'Held, but no accepted file: what an inspection would ask for',
          }),
          types: z.array(
            z.strictObject({
              type: activityTypeEnum,
              held: count,
              withEvidence: count,
              withoutEvidence: count,
            }),
          ),
          meetings: z.array(
            z.strictObject({
              activityId: z.string(),
              type: activityTypeEnum,
              partyGroupId: z.string().optional(),
              title: z.string(),
              heldOn: isoDate,
              evidence: count.meta({ description: 'Accepted files (佐证材料)' }),
              hasEvidence: z.boolean(),
            }),
          ),
        })
        .meta({ description: 'Evidence (佐证材料) of the held meetings: at least one accepted file each' }),
    }),
  ),
});

export const ParticipationView = z.strictObject({
  branchId: z.string().optional().meta({ description: 'The branch asked about; absent across every branch' }),
  from: timestamp,
  to: timestamp,
  threshold: z.number().meta({ description: 'Members attending less than this share are flagged' }),
  invited: count,
  attended: count,
  rate,
  members: z.array(
    z.strictObject({
      personId: z.string(),
      name: z.string().optional().meta({ description: 'From the roster, if the person is still on it' }),
      invited: count,
      present: count,
      late: count,
      excused: count,
      absent: count,
      rate,
      flagged: z.boolean().meta({ description: 'Participation below the threshold' }),
    }),
  ),
});

export const RoomUtilisationView = z.strictObject({
  from: timestamp,
  to: timestamp,
  hours: z.number().nonnegative(),
  rooms: z.array(
    z.strictObject({
      roomId: z.string(),
      name: z.string(),
      capacity: z.number().int().positive(),
      bookings: count,
      bookedHours: z.number().nonnegative(),
      utilisation: z
        .number()
        .min(0)
        .meta({ description: 'Booked share of every hour in the window, round the clock' }),
    }),
  ),
});
