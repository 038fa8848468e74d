/**
 * 三会一课提醒: the notice a branch's secretary gets when activities tells that a cadence
 * period is about to be missed (CadenceAtRisk). What it says, whom it reaches and its
 * natural id, one per branch, type (and party group) and period. Pure.
 */
import { createHash } from 'node:crypto';
import type { CadenceAtRisk, CadenceType } from '../../activities/events.js';
import { excerpt } from './announcements.js';
import type { DataOf, EventNotice } from './event-notices.js';

type AtRisk = DataOf<typeof CadenceAtRisk>;

/** The meeting types as a secretary names them. */
export const meetingNames: Record<CadenceType, string> = {
  'branch-general-meeting': '支部党员大会',
  'branch-committee-meeting': '支部委员会会议',
  'party-group-meeting': '党小组会',
  'party-lesson': '党课',
  'theme-day': '主题党日',
  'organizational-life-meeting': '组织生活会',
  'democratic-evaluation': '民主评议党员',
};

const quarters = ['一', '二', '三', '四'];

/** `2026-11` → 2026年11月, `2026-Q4` → 2026年第四季度, `2026-H2` → 2026年下半年, `2026` → 2026年. */
export const periodName = (label: string): string => {
  const [year, part] = label.split('-');
  if (part === undefined) return `${year}年`;
  if (part.startsWith('Q')) return `${year}年第${quarters[Number(part.slice(1)) - 1]}季度`;
  if (part === 'H1') return `${year}年上半年`;
  if (part === 'H2') return `${year}年下半年`;
  return `${year}年${Number(part)}月`;
};

/**
 * One notice per fact. The id must be a path parameter's (at most 64 characters of
 * `[0-9A-Za-z_-]`, to mark it read), and a branch's ULID, a type and a party group's id
 * together are longer: the fact is hashed, its period kept readable.
 */
export const cadenceNoticeId = (a: Pick<AtRisk, 'branchId' | 'type' | 'partyGroupId' | 'period'>): string => {
  const fact = [a.branchId, a.type, a.partyGroupId ?? '', a.period].join('\n');
  return `cadence-${a.period}-${createHash('sha256').update(fact).digest('hex').slice(0, 32)}`;
};

/** The notice to the branch's secretaries (as notices' roster copy names them) about one period at risk. */
export const cadenceAtRiskNotice = (a: AtRisk, secretaryIds: readonly string[], at: Date): EventNotice => {
  const meeting = meetingNames[a.type];
  const when = periodName(a.period);
  const group = a.partyGroupId === undefined ? '' : `（党小组 ${a.partyGroupId}）`;
  const needed = Math.max(a.required - a.held - a.scheduled, 1);
  return {
    noticeId: cadenceNoticeId(a),
    kind: 'cadence-at-risk',
    title: `三会一课提醒：${when}${meeting}${group}尚未完成`,
    summary: excerpt(
      `${when}应召开${meeting} ${a.required} 次，已召开 ${a.held} 次、已安排 ${a.scheduled} 次，` +
        `还需安排 ${needed} 次，请于 ${a.periodEndsOn} 前完成。`,
    ),
    postedAt: at.toISOString(),
    // The secretary's own: a reminder of their duty, to their inbox and e-mail, not the branch's group.
    to: { personIds: [...new Set(secretaryIds)] },
    about: {
      cadenceType: a.type,
      period: a.period,
      ...(a.partyGroupId === undefined ? {} : { partyGroupId: a.partyGroupId }),
    },
  };
};
