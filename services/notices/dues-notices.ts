/**
 * What notices does with talent's DuesArrearsFound (党费催缴): the member gets one notice
 * (domain/dues-notices.ts), posted once under its natural id and delivered by deliver-notice
 * like any other: to the inbox and by e-mail, never to a work-chat group (it is about one person).
 */
import { patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import { DuesArrearsFound } from '../talent/events.js';
import { rosterPerson } from '../talent/roster.js';
import { duesUnpaidNotice } from './domain/dues-notices.js';
import { post } from './post.js';
import { rosterReader } from './store.js';

export const duesNoticeSubscriptions = [
  subscription({
    name: 'dues-arrears-found',
    pattern: patternFor(DuesArrearsFound),
    contract: DuesArrearsFound,
    handler: async (event, t, ctx) => {
      // Left the register since the sweep: nobody is asked for their dues any more.
      if ((await rosterPerson(rosterReader(ctx), event.data.personId))?.departedOn !== undefined) return;
      const occurredAt = new Date(event.occurredAt);
      await post(ctx, t, duesUnpaidNotice(event.data, occurredAt), occurredAt);
    },
  }),
];
