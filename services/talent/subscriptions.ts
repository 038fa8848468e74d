/**
 * What talent learns from the other services: which branch general meetings were held (for
 * `resolutionActivityId`), and the contributions its timelines and points are built from.
 * The consumer wrapper makes each event apply once per eventId; on top of that each
 * contribution is keyed by its natural key (activity+person, resource+person, attempt,
 * joint event+person), so a different event about the same fact (a corrected attendance
 * re-published) replaces the entry instead of counting twice. The later fact wins.
 */

import { AccountChanged } from '../../shared/accounts.js';
import type { ServiceContext } from '../../shared/context.js';
import { type EventContract, patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import type { Transaction } from '../../shared/store/transaction.js';
import { localDate } from '../../shared/time.js';
import { ActivityCompleted, AttendanceRecorded } from '../activities/events.js';
import { JointEventCompleted } from '../community/events.js';
import { AssessmentGraded, StudyCompleted } from '../resources/events.js';
import { BRANCH_GENERAL_MEETING } from './domain/pipeline.js';
import type { Contribution } from './domain/points.js';
import {
  getAccountState,
  heldContributions,
  isNewerReport,
  keys,
  putAccountState,
  putContributionAhead,
  putContributionIfNewer,
} from './store.js';

/** Beyond this many contributions, one event's entries are written outside its transaction. */
const IN_TRANSACTION = 90;

interface Fact {
  personId: string;
  naturalKey: string;
  contribution: Contribution;
  details: Record<string, unknown>;
}

const factItem = (fact: Fact, occurredAt: string) => ({
  ...keys.contribution(fact.personId, fact.contribution.kind, fact.naturalKey),
  kind: 'contribution',
  contribution: fact.contribution,
  ...fact.details,
  occurredAtMs: Date.parse(occurredAt),
});

/** Adds each fact unless an equal or later report of it is already held. */
const record = async (ctx: ServiceContext, tx: Transaction, facts: Fact[], occurredAt: string) => {
  const at = Date.parse(occurredAt);
  const items = facts.map((fact) => factItem(fact, occurredAt));
  const held = await heldContributions(ctx, items);
  const news = items.filter((item) => {
    const earlier = held.get(`${item.pk}|${item.sk}`);
    return !earlier || earlier.occurredAtMs < at;
  });
  for (const [i, item] of news.entries()) {
    if (i < IN_TRANSACTION) putContributionIfNewer(tx, item);
    // Idempotent by natural key, so writing ahead of the transaction is safe to repeat.
    else await putContributionAhead(ctx, item);
  }
};

/** A subscription that credits the facts an event reports (timeline and points). */
const credits = <Data>(name: string, contract: EventContract<string, Data>, facts: (data: Data) => Fact[]) =>
  subscription<Data>({
    name,
    pattern: patternFor(contract),
    contract,
    handler: async (event, tx, ctx) => record(ctx, tx, facts(event.data), event.occurredAt),
  });

export const talentSubscriptions = [
  // How each person's sign-in account stands, for the person view; a late report never overwrites a newer one.
  subscription({
    name: 'account-changed',
    pattern: patternFor(AccountChanged),
    contract: AccountChanged,
    handler: async (event, tx, ctx) => {
      const { personId, personVersion, status, problem } = event.data;
      const next = { status, ...(problem ? { problem } : {}), personVersion, reportedAt: event.occurredAt };
      if (!isNewerReport(await getAccountState(ctx, personId), next)) return;
      putAccountState(tx, personId, next);
    },
  }),
  subscription({
    name: 'meeting-held',
    pattern: { ...patternFor(ActivityCompleted), detail: { data: { type: [BRANCH_GENERAL_MEETING] } } },
    contract: ActivityCompleted,
    handler: async (event, tx) => {
      const a = event.data;
      tx.put({
        ...keys.meeting(a.activityId),
        kind: 'meeting',
        activityId: a.activityId,
        branchId: a.branchId,
        type: a.type,
        title: a.title,
        heldOn: a.heldOn,
        resolutions: a.resolutions,
      });
    },
  }),
  credits('attendance-recorded', AttendanceRecorded, (a) =>
    a.attendees.map(({ personId, status }) => ({
      personId,
      naturalKey: a.activityId,
      contribution: { kind: 'attendance', on: localDate(new Date(a.startsAt)), status },
      details: {
        activityId: a.activityId,
        activityType: a.type,
        title: a.title,
        branchId: a.branchId,
        // Entered after the fact: the timeline says so, with the reason (who is in the audit).
        ...(a.recordedLate
          ? { recordedLate: { reason: a.recordedLate.reason, recordedAt: a.recordedLate.recordedAt } }
          : {}),
      },
    })),
  ),
  credits('study-completed', StudyCompleted, (s) => [
    {
      personId: s.personId,
      naturalKey: s.resourceId,
      contribution: { kind: 'study', on: localDate(new Date(s.completedAt)), minutes: s.minutes },
      details: { resourceId: s.resourceId, title: s.title },
    },
  ]),
  credits('assessment-graded', AssessmentGraded, (g) => [
    {
      personId: g.personId,
      naturalKey: g.attemptId,
      contribution: {
        kind: 'assessment',
        on: localDate(new Date(g.gradedAt)),
        assessmentId: g.assessmentId,
        passed: g.passed,
      },
      details: { assessmentId: g.assessmentId, attemptId: g.attemptId, title: g.title, score: g.score },
    },
  ]),
  credits('joint-event-completed', JointEventCompleted, (j) => {
    const on = localDate(new Date(j.startsAt));
    return j.members.map((m) => ({
      personId: m.personId,
      naturalKey: j.jointEventId,
      contribution: { kind: 'volunteering' as const, on, hours: m.hours },
      details: { jointEventId: j.jointEventId, title: j.title, jointEventKind: j.kind },
    }));
  }),
];
