/**
 * What notices does with talent's PipelineStepDue (发展党员提醒): the person and their branch's
 * secretaries (支部书记, from the roster copy) each get a notice (domain/pipeline-notices.ts),
 * posted once under its natural id and delivered by deliver-notice like any other: to the
 * inbox and by e-mail, never to a work-chat group (it is about one person).
 */
import { patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import { PipelineStepDue } from '../talent/events.js';
import { branchSecretaries, rosterPerson } from '../talent/roster.js';
import { pipelineStepNotices } from './domain/pipeline-notices.js';
import { post } from './post.js';
import { rosterReader } from './store.js';

export const pipelineNoticeSubscriptions = [
  subscription({
    name: 'pipeline-step-due',
    pattern: patternFor(PipelineStepDue),
    contract: PipelineStepDue,
    handler: async (event, t, ctx) => {
      const step = event.data;
      const roster = rosterReader(ctx);
      // Left the register since the sweep: nobody is told of their steps any more.
      if ((await rosterPerson(roster, step.personId))?.departedOn !== undefined) return;
      const secretaries = step.branchId ? await branchSecretaries(roster, step.branchId) : [];
      const occurredAt = new Date(event.occurredAt);
      const notices = pipelineStepNotices(
        step,
        secretaries.map((s) => s.personId),
        occurredAt,
      );
      for (const n of notices) await post(ctx, t, n, occurredAt);
    },
  }),
];
