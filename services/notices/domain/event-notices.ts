/**
 * Notices made from resources' and community's events: whom each reaches, what it says and
 * its natural id (one per fact, so another event about the same fact posts nothing new), and
 * whose inbox a caller reads, a person's or a partner organisation's. Pure.
 */
import { type Caller, hasRole } from '../../../shared/auth.js';
import { forbidden, noPerson } from '../../../shared/errors.js';
import type { EventContract } from '../../../shared/events/contract.js';
import { toLocalIso } from '../../../shared/time.js';
import type { CadenceType } from '../../activities/events.js';
import type { PartnerApproved, RegistrationConfirmed } from '../../community/events.js';
import type { AssessmentOpened, StudyAssigned } from '../../resources/events.js';
import type { NoticeKind } from '../events.js';
import { excerpt } from './announcements.js';

/** The data an event contract carries. */
export type DataOf<C> = C extends EventContract<string, infer D> ? D : never;

/** The kinds made here, each with the word its title starts with. */
const headings = {
  'study-assigned': '学习任务',
  'assessment-opened': '测评',
  'registration-confirmed': '报名成功',
  'registration-promoted': '候补转正',
  'partner-approved': '合作单位审核通过',
  'study-due': '学习任务即将到期',
  'pipeline-step-due': '发展党员提醒',
  'pipeline-step-overdue': '发展党员逾期',
  'cadence-at-risk': '三会一课提醒',
  'leave-requested': '请假申请',
  'leave-decided': '请假审批',
  'dues-unpaid': '党费催缴',
} as const satisfies Partial<Record<NoticeKind, string>>;
export type EventNoticeKind = keyof typeof headings;

/** What a notice is about, for a front end to link to; an inbox entry carries it. */
export interface NoticeAbout {
  resourceId?: string;
  assignmentId?: string;
  /** A study assignment's due date (YYYY-MM-DD, local). */
  dueOn?: string;
  assessmentId?: string;
  jointEventId?: string;
  registrationId?: string;
  partnerId?: string;
  /** The person a pipeline step (发展党员) is due for, and the step's rule and `dueOn` (talent's). */
  personId?: string;
  rule?: string;
  /** A cadence period at risk (domain/cadence-notices.ts): the meeting type, its period, a party group's meetings. */
  cadenceType?: CadenceType;
  period?: string;
  partyGroupId?: string;
  /** The activity a leave request (请假) is about. */
  activityId?: string;
}

/** Whom a notice reaches: people it names, the party members of branches (of every branch heard of), partner organisations. */
export interface NoticeAddress {
  personIds?: string[];
  branchIds?: string[];
  institution?: boolean;
  partnerIds?: string[];
}

export interface EventNotice {
  noticeId: string;
  kind: EventNoticeKind;
  title: string;
  summary: string;
  /** UTC ISO: when the event happened. */
  postedAt: string;
  to: NoticeAddress;
  about: NoticeAbout;
  /** A joint event's start (UTC ISO). */
  startsAt?: string;
}

export const isEventNotice = (notice: { kind: string }): notice is EventNotice =>
  Object.hasOwn(headings, notice.kind);

/**
 * A partner organisation's inbox is owned by `ORG#<partnerId>`, a person's by their id. A
 * person's id is a ULID and never holds `#`, so the two never name the same inbox.
 */
export const partnerInbox = (partnerId: string): string => `ORG#${partnerId}`;

/**
 * Whose inbox the caller reads: their person's; for a partner account with no person, its
 * organisation's (`custom:orgId`). Anyone else has none.
 */
export const inboxOf = (caller: Caller): string => {
  if (caller.personId !== undefined) return caller.personId;
  if (!hasRole(caller, 'partner')) throw noPerson();
  if (caller.orgId === undefined) throw forbidden('This partner account belongs to no organisation');
  return partnerInbox(caller.orgId);
};

/**
 * A notice of a kind, under its natural id. `title` is what it names (a resource, an event),
 * after the kind's heading; `reach` is whom it reaches and what it is about.
 */
export const notice = (
  kind: EventNoticeKind,
  noticeId: string,
  title: string,
  summary: string,
  at: Date,
  reach: Pick<EventNotice, 'to' | 'about' | 'startsAt'>,
): EventNotice => ({
  noticeId,
  kind,
  title: `${headings[kind]}：${title}`,
  summary: excerpt(summary),
  postedAt: at.toISOString(),
  ...reach,
});

/** 学习任务: each assignee (the people named, the party members of the branches named). */
export const studyAssignedNotice = (a: DataOf<typeof StudyAssigned>, at: Date): EventNotice =>
  notice(
    'study-assigned',
    `${a.assignmentId}-assigned`,
    a.title,
    a.dueOn ? `请于 ${a.dueOn} 前完成学习` : '请按时完成学习',
    at,
    {
      to: { personIds: a.personIds, branchIds: a.branchIds },
      about: {
        resourceId: a.resourceId,
        assignmentId: a.assignmentId,
        ...(a.dueOn ? { dueOn: a.dueOn } : {}),
      },
    },
  );

/** 测评: the assessment's audience, every branch when it names none. */
export const assessmentOpenedNotice = (a: DataOf<typeof AssessmentOpened>, at: Date): EventNotice =>
  notice('assessment-opened', `${a.assessmentId}-opened`, a.title, '测评已开放，请按时参加', at, {
    to: a.audience.branchIds ? { branchIds: a.audience.branchIds } : { institution: true },
    about: { assessmentId: a.assessmentId, ...(a.resourceId ? { resourceId: a.resourceId } : {}) },
  });

/**
 * 报名成功 or 候补转正: the registrant, a member's own inbox or the partner organisation's.
 * A registration is confirmed directly once; each promotion writes its next version, which
 * names it (an event from before versions were carried names the registration's one promotion).
 */
export const registrationNotice = (r: DataOf<typeof RegistrationConfirmed>, at: Date): EventNotice => {
  const promoted = r.promotedFromWaitlist;
  const what = promoted ? `promoted${r.version !== undefined ? `-${r.version}` : ''}` : 'confirmed';
  const when = r.startsAt ? `活动时间 ${toLocalIso(new Date(r.startsAt))}` : '';
  const who = r.registrant.kind === 'partner' ? `${r.places} 名参加人员` : '您';
  const summary = promoted ? `${who}已由候补转为正式报名。${when}` : `${who}已报名成功。${when}`;
  const kind = promoted ? 'registration-promoted' : 'registration-confirmed';
  return notice(kind, `${r.registrationId}-${what}`, r.title ?? '联合活动', summary, at, {
    to:
      r.registrant.kind === 'member'
        ? { personIds: [r.registrant.personId] }
        : { partnerIds: [r.registrant.partnerId] },
    about: { jointEventId: r.jointEventId, registrationId: r.registrationId },
    ...(r.startsAt ? { startsAt: new Date(r.startsAt).toISOString() } : {}),
  });
};

/** 合作单位审核通过: the organisation itself. Its contact's e-mail stays out of the notice. */
export const partnerApprovedNotice = (p: DataOf<typeof PartnerApproved>, at: Date): EventNotice =>
  notice(
    'partner-approved',
    `${p.partnerId}-approved`,
    p.orgName,
    '欢迎成为合作单位，现在可以报名参加联合活动',
    at,
    {
      to: { partnerIds: [p.partnerId] },
      about: { partnerId: p.partnerId },
    },
  );
