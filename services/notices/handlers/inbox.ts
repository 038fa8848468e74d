/**
 * The inbox (我的消息): every notice addressed to the caller, read one or all, the unread
 * count. A person's own; a partner account's is its organisation's (domain/event-notices.ts).
 */
import * as z from 'zod';
import { notFound } from '../../../shared/errors.js';
import { pageOf, pageQuery, pageView } from '../../../shared/http/paging.js';
import { ok } from '../../../shared/http/result.js';
import { everyoneSignedIn } from '../../../shared/outcomes.js';
import { idParam, queryBoolean } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { toLocalIso } from '../../../shared/time.js';
import { inboxOf } from '../domain/event-notices.js';
import { listInbox, markRead, unreadCount, unreadEntries } from '../store.js';
import { InboxEntryView, inboxEntryView, MarkedView, ReadView, UnreadCountView } from '../views.js';

/** Marks run a few at a time: a long unread list is many small writes, never one transaction. */
const AT_ONCE = 25;

export const inboxRoutes = [
  route('GET /notices/me', {
    summary:
      'The notices addressed to me (a partner account: to its organisation): pinned (置顶) announcements first, then newest (or most recently reminded) first; `unread=true` lists only those not read yet, in the same order',
    access: ['committee', 'secretary', 'member', 'partner'],
    refusals: ['no-person'],
    outcomes: everyoneSignedIn,
    responses: { 200: pageOf(InboxEntryView) },
    request: { query: z.strictObject({ ...pageQuery, unread: queryBoolean.optional() }) },
    handler: async ({ query, caller }, ctx) => {
      const page = await listInbox(ctx, inboxOf(caller), {
        unread: query.unread ?? false,
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return ok(pageView(page, inboxEntryView));
    },
  }),

  route('GET /notices/me/unread-count', {
    summary: 'How many of my notices I have not read',
    access: ['committee', 'secretary', 'member', 'partner'],
    refusals: ['no-person'],
    outcomes: everyoneSignedIn,
    responses: { 200: UnreadCountView },
    handler: async ({ caller }, ctx) => ok({ unread: await unreadCount(ctx, inboxOf(caller)) }),
  }),

  route('POST /notices/me/{noticeId}/read', {
    summary: 'Mark one of my notices read; marking it again keeps the first time (200 either way)',
    access: ['committee', 'secretary', 'member', 'partner'],
    refusals: ['no-person'],
    outcomes: everyoneSignedIn,
    responses: { 200: ReadView },
    request: { params: z.strictObject({ noticeId: idParam }) },
    handler: async ({ params, caller, now }, ctx) => {
      const owner = inboxOf(caller);
      const reading = await markRead(ctx, owner, params.noticeId, now.toISOString());
      if (reading.state === 'missing') throw notFound('Notice');
      return ok({ noticeId: params.noticeId, readAt: toLocalIso(new Date(reading.readAt)) });
    },
  }),

  route('POST /notices/me/read', {
    summary: 'Mark every notice of mine read',
    access: ['committee', 'secretary', 'member', 'partner'],
    refusals: ['no-person'],
    outcomes: everyoneSignedIn,
    responses: { 200: MarkedView },
    handler: async ({ caller, now }, ctx) => {
      const owner = inboxOf(caller);
      const unread = await unreadEntries(ctx, owner);
      let marked = 0;
      for (let i = 0; i < unread.length; i += AT_ONCE) {
        const results = await Promise.all(
          unread.slice(i, i + AT_ONCE).map((e) => markRead(ctx, owner, e.noticeId, now.toISOString())),
        );
        marked += results.filter((r) => r.state === 'marked').length;
      }
      return ok({ marked });
    },
  }),
];
