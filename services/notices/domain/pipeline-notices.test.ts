import { describe, expect, it } from 'vitest';
import { pipelineStepNotices } from './pipeline-notices.js';

const at = new Date('2026-07-03T00:00:00Z');
const step = {
  personId: 'P',
  name: '张三',
  branchId: 'B',
  politicalStatus: 'activist' as const,
  rule: 'activist-half-yearly-review',
  dueOn: '2026-07-10',
  deadline: '2026-07-10',
  phase: 'due-soon' as const,
};

describe('notices of a pipeline step due', () => {
  it('one to the person, one naming them to the secretaries, each under its natural id', () => {
    const [own, theirs, ...more] = pipelineStepNotices(step, ['S1', 'S2'], at);
    expect(more).toEqual([]);
    expect(own).toMatchObject({
      noticeId: 'pipeline-P-activist-half-yearly-review-2026-07-10-due-soon',
      kind: 'pipeline-step-due',
      title: '发展党员提醒：积极分子半年考察',
      summary: '您的积极分子半年考察期限为 2026-07-10，请按时办理',
      to: { personIds: ['P'] },
      about: { personId: 'P', rule: 'activist-half-yearly-review', dueOn: '2026-07-10' },
    });
    expect(theirs).toMatchObject({
      noticeId: 'pipeline-P-activist-half-yearly-review-2026-07-10-due-soon-secretary',
      kind: 'pipeline-step-due',
      title: '发展党员提醒：张三 积极分子半年考察',
      summary: '张三（入党积极分子）的积极分子半年考察期限为 2026-07-10，请按时办理',
      to: { personIds: ['S1', 'S2'] },
      about: { personId: 'P', rule: 'activist-half-yearly-review', dueOn: '2026-07-10' },
    });
  });

  it('overdue: its own kind and id; the date shown is the deadline', () => {
    const overdue = {
      ...step,
      politicalStatus: 'applicant' as const,
      rule: 'application-talk-overdue',
      dueOn: '2026-03-01',
      deadline: '2026-02-28',
      phase: 'overdue' as const,
    };
    const [own] = pipelineStepNotices(overdue, [], at);
    expect(own).toMatchObject({
      noticeId: 'pipeline-P-application-talk-overdue-2026-03-01-overdue',
      kind: 'pipeline-step-overdue',
      title: '发展党员逾期：入党申请人谈话',
      summary: '您的入党申请人谈话已逾期（期限 2026-02-28），请尽快办理',
    });
  });

  it('no branch or no secretary but the person: the person only', () => {
    const { branchId: _b, ...noBranch } = step;
    expect(pipelineStepNotices(noBranch, [], at)).toHaveLength(1);
    expect(pipelineStepNotices(step, ['P'], at)).toHaveLength(1);
  });
});
