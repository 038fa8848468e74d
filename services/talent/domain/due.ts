/**
 * Which steps of the pipeline are possible now or overdue (pure; `today` is a parameter).
 * Each entry carries the date it became due and the rule behind it, so a secretary sees
 * why someone is listed.
 */
import { accept, type Result, refuse, ruleViolation } from '../../../shared/errors.js';
import { addDays, addMonths } from '../../../shared/time.js';
import { type PoliticalStatus, politicalStatuses } from '../events.js';
import {
  MAX_APPROVAL_MONTHS,
  MIN_ACTIVIST_MONTHS,
  POLITICAL_REVIEW_VALID_MONTHS,
  type Probation,
  probationEndsOn,
} from './pipeline.js';

/** 谈话: the branch talks to an applicant within a month of the application. */
export const APPLICATION_TALK_MONTHS = 1;
/** 积极分子 are reviewed (考察) every half year. */
export const ACTIVIST_REVIEW_MONTHS = 6;
/** A political review is renewed in the last month of its validity. */
export const POLITICAL_REVIEW_RENEWAL_NOTICE_MONTHS = 1;
/** 预备党员 are discussed (季度讨论) every quarter. */
export const QUARTERLY_DISCUSSION_MONTHS = 3;

/** The facts recorded along the way that the due rules read. */
export interface PipelineFacts {
  applicationTalkOn?: string;
  lastActivistReviewOn?: string;
  politicalReviewOn?: string;
  /** The branch general meeting voted; the higher committee has not approved yet. */
  resolution?: { activityId: string; heldOn: string };
  lastQuarterlyDiscussionOn?: string;
}

export interface DuePerson {
  personId: string;
  name: string;
  branchId?: string;
  politicalStatus: PoliticalStatus;
  statusSince: string;
  contactPersonIds?: readonly string[];
  probation?: Probation;
  pipeline?: PipelineFacts;
}

export interface DueStep {
  personId: string;
  name: string;
  branchId?: string;
  politicalStatus: PoliticalStatus;
  rule: string;
  /** The date the step became due (possible, or required). */
  dueOn: string;
  /** The last day it is on time, where the rule has one. */
  deadline?: string;
  overdue: boolean;
}

export const dueSteps = (p: DuePerson, today: string): DueStep[] => {
  const steps: Omit<DueStep, 'personId' | 'name' | 'politicalStatus' | 'overdue'>[] = [];
  const facts = p.pipeline ?? {};
  switch (p.politicalStatus) {
    case 'applicant':
      if (!facts.applicationTalkOn) {
        const deadline = addMonths(p.statusSince, APPLICATION_TALK_MONTHS);
        steps.push({ rule: 'application-talk-overdue', dueOn: addDays(deadline, 1), deadline });
      }
      break;
    case 'activist': {
      if (!p.contactPersonIds?.length)
        steps.push({ rule: 'activist-without-contact-person', dueOn: p.statusSince });
      const reviewOn = addMonths(facts.lastActivistReviewOn ?? p.statusSince, ACTIVIST_REVIEW_MONTHS);
      steps.push({ rule: 'activist-half-yearly-review', dueOn: reviewOn, deadline: reviewOn });
      steps.push({
        rule: 'activist-eligible-for-candidate',
        dueOn: addMonths(p.statusSince, MIN_ACTIVIST_MONTHS),
      });
      break;
    }
    case 'candidate':
      if (facts.politicalReviewOn) {
        const expires = addMonths(facts.politicalReviewOn, POLITICAL_REVIEW_VALID_MONTHS);
        steps.push({
          rule: 'political-review-expires',
          dueOn: addMonths(expires, -POLITICAL_REVIEW_RENEWAL_NOTICE_MONTHS),
          deadline: expires,
        });
      }
      if (facts.resolution) {
        const deadline = addMonths(facts.resolution.heldOn, MAX_APPROVAL_MONTHS);
        steps.push({ rule: 'approval-overdue', dueOn: addDays(deadline, 1), deadline });
      }
      break;
    case 'probationary': {
      const probation = p.probation ?? { startedOn: p.statusSince };
      steps.push({ rule: 'probation-ended-without-decision', dueOn: probationEndsOn(probation) });
      const discussOn = addMonths(
        facts.lastQuarterlyDiscussionOn ?? probation.startedOn,
        QUARTERLY_DISCUSSION_MONTHS,
      );
      steps.push({ rule: 'quarterly-discussion-due', dueOn: discussOn, deadline: discussOn });
      break;
    }
    default:
      break;
  }
  return steps
    .filter((s) => s.dueOn <= today)
    .map((s) => ({
      personId: p.personId,
      name: p.name,
      ...(p.branchId ? { branchId: p.branchId } : {}),
      politicalStatus: p.politicalStatus,
      ...s,
      overdue: s.deadline !== undefined ? s.deadline < today : s.rule.endsWith('-overdue'),
    }));
};

/** The pipeline funnel: how many people are in each stage (every stage listed), and every step due, soonest first. */
export const pipelineFunnel = (people: readonly DuePerson[], today: string) => {
  const counts = Object.fromEntries(politicalStatuses.map((s) => [s, 0])) as Record<PoliticalStatus, number>;
  for (const p of people) counts[p.politicalStatus] += 1;
  const due = people
    .flatMap((p) => dueSteps(p, today))
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.personId.localeCompare(b.personId));
  return { counts, due };
};

/**
 * The stages that have steps to take (dueSteps lists nothing for masses or full members): the
 * people the funnel must read by name. The others are the large majority, counted only.
 */
export const STAGES_WITH_STEPS = [
  'applicant',
  'activist',
  'candidate',
  'probationary',
] as const satisfies readonly PoliticalStatus[];

/**
 * The funnel from the people in the stages with steps, read by name, and the head counts by
 * status (tallies.ts) for the stages without: the same answer as `pipelineFunnel` over
 * everyone, without reading everyone.
 */
export const pipelineFunnelOf = (
  inStagesWithSteps: readonly DuePerson[],
  counted: Partial<Record<PoliticalStatus, number>>,
  today: string,
) => {
  const withSteps = new Set<PoliticalStatus>(STAGES_WITH_STEPS);
  const funnel = pipelineFunnel(
    inStagesWithSteps.filter((p) => withSteps.has(p.politicalStatus)),
    today,
  );
  for (const status of politicalStatuses) {
    if (!withSteps.has(status)) funnel.counts[status] = counted[status] ?? 0;
  }
  return funnel;
};

/** Facts recorded along the way (谈话, 考察, 政审, 支部大会表决, 季度讨论) and the stage each belongs to. */
export const pipelineEventKinds = {
  'application-talk': 'applicant',
  'activist-review': 'activist',
  'political-review': 'candidate',
  'branch-resolution': 'candidate',
  'quarterly-discussion': 'probationary',
} as const satisfies Record<string, PoliticalStatus>;
export type PipelineEventKind = keyof typeof pipelineEventKinds;

export const recordPipelineEvent = (
  p: DuePerson,
  kind: PipelineEventKind,
  on: string,
  today: string,
  meeting?: { activityId: string; heldOn: string; branchId: string; type: string },
): Result<PipelineFacts> => {
  const stage = pipelineEventKinds[kind];
  if (p.politicalStatus !== stage) {
    return refuse(
      ruleViolation(
        'pipeline-event-not-applicable',
        `${kind} is recorded for a ${stage}, not a ${p.politicalStatus}`,
      ),
    );
  }
  if (on > today) return refuse(ruleViolation('effective-date-in-future', `${on} is after today, ${today}`));
  if (on < p.statusSince) {
    return refuse(
      ruleViolation(
        'effective-before-current-stage',
        `${p.politicalStatus} since ${p.statusSince}: not on ${on}`,
      ),
    );
  }
  const facts: PipelineFacts = { ...p.pipeline };
  switch (kind) {
    case 'application-talk':
      facts.applicationTalkOn = on;
      break;
    case 'activist-review':
      facts.lastActivistReviewOn = on;
      break;
    case 'political-review':
      facts.politicalReviewOn = on;
      break;
    case 'quarterly-discussion':
      facts.lastQuarterlyDiscussionOn = on;
      break;
    case 'branch-resolution':
      if (
        meeting?.type !== 'branch-general-meeting' ||
        meeting.branchId !== p.branchId ||
        meeting.heldOn !== on
      ) {
        return refuse(
          ruleViolation(
            'resolution-meeting-unknown',
            `not a completed branch general meeting of the person's branch held on ${on}`,
          ),
        );
      }
      facts.resolution = { activityId: meeting.activityId, heldOn: meeting.heldOn };
      break;
  }
  return accept(facts);
};
