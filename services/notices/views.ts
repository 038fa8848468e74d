/**
 * What the notices API answers, as zod schemas (the OpenAPI document and the contract test
 * are generated from them), and the functions that build those bodies.
 */
import * as z from 'zod';
import { isoDate, timestamp } from '../../shared/schemas.js';
import { DownloadLinkView, RejectionReasonView, UploadFormView } from '../../shared/storage/views.js';
import { toLocalIso } from '../../shared/time.js';
import { cadenceTypes } from '../activities/events.js';
import { type Announcement, announcementStatuses } from './domain/announcements.js';
import { type Attachment, attachmentStatuses } from './domain/attachments.js';
import type { BranchReceipts, Receipt } from './domain/receipts.js';
import { noticeKinds } from './events.js';
import type { InboxEntry } from './store.js';

/** Stored instants are UTC; the API answers them in the institution's zone (+08:00). */
const local = (iso: string) => toLocalIso(new Date(iso));
const count = z.number().int().nonnegative();

export const announcementStatusEnum = z.enum(announcementStatuses).meta({
  description: 'draft — 草稿; published — 已发布; withdrawn — 已撤回',
});

export const noticeKindEnum = z.enum(noticeKinds).meta({
  description:
    'announcement — 通知公告; activity-scheduled — 活动通知 (an activity the recipient is invited to); activity-moved — 活动变更 (its time or place changed); activity-cancelled — 活动取消; study-assigned — 学习任务 (study assigned to the recipient, with its due date); assessment-opened — 测评 (an assessment the recipient may take); registration-confirmed — 报名成功 (a joint-event registration confirmed); registration-promoted — 候补转正 (promoted from the waitlist); partner-approved — 合作单位审核通过 (to the partner organisation); pipeline-step-due — 发展党员提醒 (a pipeline step due within a week, to the person and their branch secretary); pipeline-step-overdue — 发展党员逾期 (its date passed, to the same); activity-reminder — 活动提醒 (a day and an hour before the start); study-due — 学习任务即将到期 (three days and one day before, to those who have not completed it); cadence-at-risk — 三会一课提醒 (a cadence period about to be missed, to the branch secretary); leave-requested — 请假申请 (an invitee asked for leave, to the branch secretary); leave-decided — 请假审批 (the decision, to the member who asked); dues-unpaid — 党费催缴 (party dues unpaid for months already late, to the member, once a month from the 20th)',
});

export const AudienceView = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('institution') }),
    z.strictObject({ kind: z.literal('branches'), branchIds: z.array(z.string()) }),
  ])
  .meta({ description: 'institution — 全体 (every branch); branches — the branches named (支部)' });

export const AttachmentView = z
  .strictObject({
    attachmentId: z.string(),
    name: z.string().meta({ description: 'The file name it is downloaded as' }),
    contentType: z.string(),
    sizeBytes: z.number().int().positive(),
    status: z.enum(attachmentStatuses).meta({
      description:
        'uploading — 上传中 (waiting for the file); available — 可下载; rejected — 已拒收 (the stored file failed the check)',
    }),
    rejectedReason: RejectionReasonView.optional(),
  })
  .meta({ id: 'AnnouncementAttachment', description: 'A file attached to an announcement (附件)' });

export const attachmentView = (f: Attachment): z.infer<typeof AttachmentView> => ({
  attachmentId: f.attachmentId,
  name: f.name,
  contentType: f.contentType,
  sizeBytes: f.sizeBytes,
  status: f.status,
  ...(f.rejectedReason ? { rejectedReason: f.rejectedReason } : {}),
});

export const CreatedAttachment = AttachmentView.extend({
  upload: UploadFormView.optional().meta({
    description: 'Where the client sends the bytes, while the attachment waits for them',
  }),
}).meta({ id: 'CreatedAnnouncementAttachment' });

export const AttachmentDownload = DownloadLinkView.meta({
  id: 'AttachmentDownload',
  description: 'A short-lived presigned GET of the checked file',
});

export const AnnouncementView = z.strictObject({
  announcementId: z.string(),
  title: z.string(),
  text: z.string(),
  audience: AudienceView,
  mandatory: z.boolean().meta({ description: 'Marked by the committee (必读): no preference turns it off' }),
  pinned: z.boolean(),
  status: announcementStatusEnum,
  ownerBranchId: z
    .string()
    .optional()
    .meta({ description: "The branch whose secretary manages it; absent for the committee's own" }),
  createdBy: z.string(),
  createdAt: timestamp,
  publishedAt: timestamp.optional(),
  withdrawnAt: timestamp.optional(),
  version: z.number().int().positive(),
  attachments: z.array(AttachmentView).optional().meta({
    description:
      'On reading one announcement: its files, oldest first; its managers see every status, its readers the available ones',
  }),
});

export const announcementView = (a: Announcement): z.infer<typeof AnnouncementView> => ({
  announcementId: a.announcementId,
  title: a.title,
  text: a.text,
  audience: a.audience,
  mandatory: a.mandatory,
  pinned: a.pinned,
  status: a.status,
  ...(a.ownerBranchId ? { ownerBranchId: a.ownerBranchId } : {}),
  createdBy: a.createdBy,
  createdAt: a.createdAt,
  ...(a.publishedAt ? { publishedAt: a.publishedAt } : {}),
  ...(a.withdrawnAt ? { withdrawnAt: a.withdrawnAt } : {}),
  version: a.version,
});

export const InboxEntryView = z.strictObject({
  noticeId: z.string(),
  kind: noticeKindEnum,
  title: z.string(),
  summary: z
    .string()
    .meta({ description: 'The first line of the text; the whole announcement is one read away' }),
  postedAt: timestamp,
  read: z.boolean(),
  readAt: timestamp.optional(),
  mandatory: z.boolean(),
  pinned: z.boolean(),
  remindedAt: timestamp
    .optional()
    .meta({ description: 'The publisher reminded the unread; the entry moved back to the top then' }),
  announcementId: z.string().optional(),
  activityId: z.string().optional(),
  startsAt: timestamp
    .optional()
    .meta({ description: "The activity's or joint event's start, for an activity or registration notice" }),
  resourceId: z.string().optional().meta({ description: 'The study resource (学习资料) it is about' }),
  assignmentId: z.string().optional().meta({ description: 'The study assignment (学习任务)' }),
  dueOn: isoDate.optional().meta({
    description: "The study assignment's due date, or the pipeline step's (talent's `dueOn`), local",
  }),
  assessmentId: z.string().optional().meta({ description: 'The assessment (测评) it is about' }),
  jointEventId: z.string().optional().meta({ description: 'The joint event (联合活动) registered for' }),
  registrationId: z.string().optional().meta({ description: 'The registration confirmed or promoted' }),
  partnerId: z.string().optional().meta({ description: 'The partner organisation (合作单位) approved' }),
  personId: z.string().optional().meta({
    description:
      'The person a pipeline step (发展党员) is due for: their pipeline is one link away; or who asked for leave (请假)',
  }),
  rule: z.string().optional().meta({
    description: "The pipeline step's rule, as talent's pipeline insight lists it",
    example: 'activist-half-yearly-review',
  }),
  cadenceType: z
    .enum(cadenceTypes)
    .optional()
    .meta({ description: 'The meeting type (三会一课) of a cadence period at risk' }),
  period: z
    .string()
    .optional()
    .meta({ description: 'The cadence period at risk: `2026-11`, `2026-Q4`, `2026-H2` or `2026`' }),
  partyGroupId: z
    .string()
    .optional()
    .meta({ description: 'The party group (党小组) whose meetings are at risk' }),
});

export const inboxEntryView = (e: InboxEntry): z.infer<typeof InboxEntryView> => ({
  noticeId: e.noticeId,
  kind: e.kind,
  title: e.title,
  summary: e.summary,
  postedAt: local(e.postedAt),
  read: e.readAt !== undefined,
  ...(e.readAt ? { readAt: local(e.readAt) } : {}),
  mandatory: e.mandatory,
  pinned: e.pinned,
  ...(e.remindedAt ? { remindedAt: local(e.remindedAt) } : {}),
  ...(e.kind === 'announcement' ? { announcementId: e.noticeId } : {}),
  ...(e.activityId ? { activityId: e.activityId } : {}),
  ...(e.startsAt ? { startsAt: local(e.startsAt) } : {}),
  ...e.about,
});

export const UnreadCountView = z.strictObject({ unread: count });

export const MarkedView = z.strictObject({
  marked: count.meta({
    description: 'Entries this request marked read (those read already are not counted)',
  }),
});

export const ReadView = z.strictObject({
  noticeId: z.string(),
  readAt: timestamp.meta({ description: 'When it was first read: a second mark keeps the first time' }),
});

const ReceiptView = z.strictObject({
  personId: z.string(),
  name: z.string().optional(),
  readAt: timestamp.optional(),
});

const BranchReceiptsView = z.strictObject({
  branchId: z.string().optional(),
  recipients: count,
  readCount: count,
  unreadCount: count,
  read: z.array(ReceiptView),
  unread: z.array(ReceiptView),
});

export const ReceiptsView = z.strictObject({
  announcementId: z.string(),
  recipients: count,
  readCount: count,
  branches: z
    .array(BranchReceiptsView)
    .meta({ description: 'Per branch: who has read it (by time) and who has not' }),
});

const receiptView = (r: Receipt): z.infer<typeof ReceiptView> => ({
  personId: r.personId,
  ...(r.name ? { name: r.name } : {}),
  ...(r.readAt ? { readAt: local(r.readAt) } : {}),
});

export const receiptsView = (
  announcementId: string,
  branches: BranchReceipts[],
): z.infer<typeof ReceiptsView> => ({
  announcementId,
  recipients: branches.reduce((n, b) => n + b.recipients, 0),
  readCount: branches.reduce((n, b) => n + b.read.length, 0),
  branches: branches.map((b) => ({
    ...(b.branchId ? { branchId: b.branchId } : {}),
    recipients: b.recipients,
    readCount: b.read.length,
    unreadCount: b.unread.length,
    read: b.read.map(receiptView),
    unread: b.unread.map(receiptView),
  })),
});

export const ReminderView = z.strictObject({
  reminderId: z.string(),
  announcementId: z.string(),
  remindedAt: timestamp,
  unread: count.meta({ description: 'Recipients who had not read it when the reminder was asked for' }),
});
