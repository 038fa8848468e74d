/**
 * Notices of a pipeline step (发展党员) due within a week or overdue, from talent's
 * PipelineStepDue: one to the person, one naming them to their branch's secretaries (支部书记).
 * Each has a natural id per (person, rule, dueOn, phase) and audience, so a replayed event
 * posts nothing new. Pure.
 */
import type { PipelineStepDue, PoliticalStatus } from '../../talent/events.js';
import { type DataOf, type EventNotice, notice } from './event-notices.js';

type StepDue = DataOf<typeof PipelineStepDue>;

/** What each of talent's due rules (services/talent/domain/due.ts) asks for, in the branch's words. */
export const pipelineStepLabels: Record<string, string> = {
  'application-talk-overdue': '入党申请人谈话',
  'activist-half-yearly-review': '积极分子半年考察',
  'political-review-expires': '政审复审',
  'approval-overdue': '上级党委审批',
  'probation-ended-without-decision': '预备期满转正讨论',
  'quarterly-discussion-due': '预备党员季度讨论',
};
/** A rule added to talent before a label here still reads as a step of the pipeline. */
const labelOf = (rule: string) => pipelineStepLabels[rule] ?? '发展党员程序';

const stageLabels: Record<PoliticalStatus, string> = {
  masses: '群众',
  applicant: '入党申请人',
  activist: '入党积极分子',
  candidate: '发展对象',
  probationary: '预备党员',
  full: '正式党员',
};

/** `pipeline-<personId>-<rule>-<dueOn>-<phase>`; the secretaries' notice adds `-secretary`. */
export const pipelineNoticeId = (s: Pick<StepDue, 'personId' | 'rule' | 'dueOn' | 'phase'>) =>
  `pipeline-${s.personId}-${s.rule}-${s.dueOn}-${s.phase}`;

/**
 * The person's notice and, for a branch with secretaries (other than the person), theirs.
 * The date shown is the last day on time (the rule's deadline, else the day it falls due).
 */
export const pipelineStepNotices = (s: StepDue, secretaryIds: readonly string[], at: Date): EventNotice[] => {
  const kind = s.phase === 'overdue' ? 'pipeline-step-overdue' : 'pipeline-step-due';
  const label = labelOf(s.rule);
  const by = s.deadline ?? s.dueOn;
  const when = s.phase === 'overdue' ? `已逾期（期限 ${by}），请尽快办理` : `期限为 ${by}，请按时办理`;
  const about = { personId: s.personId, rule: s.rule, dueOn: s.dueOn };
  const id = pipelineNoticeId(s);
  const notices = [
    notice(kind, id, label, `您的${label}${when}`, at, { to: { personIds: [s.personId] }, about }),
  ];
  const secretaries = secretaryIds.filter((p) => p !== s.personId);
  if (secretaries.length > 0) {
    const who = `${s.name}（${stageLabels[s.politicalStatus]}）`;
    notices.push(
      notice(kind, `${id}-secretary`, `${s.name} ${label}`, `${who}的${label}${when}`, at, {
        to: { personIds: [...new Set(secretaries)] },
        about,
      }),
    );
  }
  return notices;
};
