/**
 * What notices tells the platform (source `dangjian.notices`). Its own consumers deliver
 * from these: a notice is posted in one transaction, and the inbox entries of its recipients
 * are written afterwards, in batches, by the subscription on NoticePosted.
 */
import * as z from 'zod';
import { defineEvent } from '../../shared/events/contract.js';
import { isoDateTime } from '../../shared/schemas.js';

const NOTICES = 'notices';

/** What a notice is about; an inbox entry carries it. */
export const noticeKinds = [
  'announcement', // 通知公告
  'activity-scheduled', // 活动通知
  'activity-moved', // 活动变更 (a new time or place)
  'activity-cancelled', // 活动取消
  'activity-reminder', // 活动提醒 (a day and an hour before the start)
  'study-assigned', // 学习任务 (必学)
  'assessment-opened', // 测评 (考核) opened
  'registration-confirmed', // 联合活动报名成功
  'registration-promoted', // 联合活动候补转正 (promoted from the waitlist)
  'partner-approved', // 合作单位审核通过
  'study-due', // 学习任务即将到期 (assigned study, a few days before its due date)
  'pipeline-step-due', // 发展党员提醒 (a step's date within a week)
  'pipeline-step-overdue', // 发展党员逾期 (a step's date passed)
  'cadence-at-risk', // 三会一课提醒 (a cadence period about to be missed, to the branch's secretary)
  'leave-requested', // 请假申请 (an invitee asked for leave, to the branch's secretary)
  'leave-decided', // 请假审批结果 (approved or declined, to the member who asked)
  'dues-unpaid', // 党费催缴 (unpaid months already late, to the member, once a month)
] as const;
export type NoticeKind = (typeof noticeKinds)[number];

/** A notice was posted; its recipients' inbox entries follow. */
export const NoticePosted = defineEvent(
  NOTICES,
  'NoticePosted',
  z.object({ noticeId: z.string(), kind: z.enum(noticeKinds), postedAt: isoDateTime }),
);

/** An announcement was withdrawn; its inbox entries go. */
export const NoticeWithdrawn = defineEvent(NOTICES, 'NoticeWithdrawn', z.object({ noticeId: z.string() }));

/** An announcement was pinned or unpinned; `version` orders changes that arrive out of order. */
export const NoticePinned = defineEvent(
  NOTICES,
  'NoticePinned',
  z.object({ noticeId: z.string(), pinned: z.boolean(), version: z.number().int().positive() }),
);

/** The publisher reminded those who have not read an announcement yet. */
export const UnreadReminded = defineEvent(
  NOTICES,
  'UnreadReminded',
  z.object({ noticeId: z.string(), reminderId: z.string(), remindedAt: isoDateTime }),
);

export const noticesEvents = [NoticePosted, NoticeWithdrawn, NoticePinned, UnreadReminded];
