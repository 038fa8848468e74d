/**
 * 三会一课提醒: activities' CadenceAtRisk (a cadence period about to be missed) reaches the
 * branch's secretaries, as notices' roster copy names them, as one notice per branch, type
 * (and party group) and period (domain/cadence-notices.ts), posted like every event-made
 * notice: written only if absent, then NoticePosted, deliver-notice and e-mail. The consumer
 * marker stops a redelivery, the natural id another event about the same period.
 */
import { patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import { CadenceAtRisk } from '../activities/events.js';
import { branchSecretaries } from '../talent/roster.js';
import { cadenceAtRiskNotice } from './domain/cadence-notices.js';
import { post } from './post.js';
import { rosterReader } from './store.js';

export const cadenceNoticeSubscriptions = [
  subscription({
    name: 'cadence-at-risk',
    pattern: patternFor(CadenceAtRisk),
    contract: CadenceAtRisk,
    handler: async (event, t, ctx) => {
      const a = event.data;
      const secretaries = await branchSecretaries(rosterReader(ctx), a.branchId);
      // A branch without a secretary (or one the copy does not know yet) has nobody to tell:
      // the committee sees the period in compliance. Nothing is posted, so nothing blocks a
      // later delivery from posting.
      if (secretaries.length === 0) {
        ctx.log.info('cadence at risk: the branch has no secretary', {
          branchId: a.branchId,
          type: a.type,
          period: a.period,
        });
        return;
      }
      const occurredAt = new Date(event.occurredAt);
      const notice = cadenceAtRiskNotice(
        a,
        secretaries.map((s) => s.personId),
        occurredAt,
      );
      await post(ctx, t, notice, occurredAt);
    },
  }),
];
