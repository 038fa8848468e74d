/**
 * How a notice made from another service's event is posted, whichever event it comes from:
 * once, under its natural id, with the NoticePosted that delivers it.
 */
import type { ServiceContext } from '../../shared/context.js';
import type { Transaction } from '../../shared/store/transaction.js';
import { toLocalIso } from '../../shared/time.js';
import type { EventNotice } from './domain/event-notices.js';
import { NoticePosted } from './events.js';
import { type ActivityNotice, createActivityNotice, getNotice } from './store.js';

/** Posts a notice made from an event, unless an earlier event about the same fact did. */
export const post = async (
  ctx: ServiceContext,
  t: Transaction,
  notice: ActivityNotice | EventNotice,
  occurredAt: Date,
) => {
  if (await getNotice(ctx, notice.noticeId)) return;
  createActivityNotice(t, notice);
  t.publish(
    NoticePosted,
    { noticeId: notice.noticeId, kind: notice.kind, postedAt: toLocalIso(occurredAt) },
    { key: notice.noticeId, occurredAt },
  );
};
