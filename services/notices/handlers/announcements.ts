/** Announcements (通知公告): drafted, published, withdrawn and pinned; their read receipts and reminders. */
import * as z from 'zod';
import { actorOf, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap } from '../../../shared/errors.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { pageOf, pageQuery, pageView } from '../../../shared/http/paging.js';
import { accepted, created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { allManagers, branchManagers, branchPeople } from '../../../shared/outcomes.js';
import { idParam, multiLine, singleLine } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { toLocalIso } from '../../../shared/time.js';
import {
  type Announcement,
  addresses,
  canPin,
  canPublish,
  canRemind,
  canWithdraw,
  checkAudience,
  manages,
} from '../domain/announcements.js';
import { attachmentsSeenBy } from '../domain/attachments.js';
import { receiptsByBranch } from '../domain/receipts.js';
import { NoticePinned, NoticePosted, NoticeWithdrawn, UnreadReminded } from '../events.js';
import { listAttachments } from '../store/attachments.js';
import {
  announcementItem,
  getAnnouncement,
  getReminder,
  isKnownBranch,
  listAnnouncements,
  putAnnouncement,
  recipientsOf,
  reminderItem,
  transaction,
} from '../store.js';
import {
  AnnouncementView,
  announcementView,
  attachmentView,
  ReceiptsView,
  ReminderView,
  receiptsView,
} from '../views.js';

const MAX_BRANCHES = 100;

const audience = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('institution') }),
  z.strictObject({
    kind: z.literal('branches'),
    branchIds: z
      .array(idParam)
      .min(1)
      .max(MAX_BRANCHES)
      .refine((ids) => new Set(ids).size === ids.length, 'Name each branch once'),
  }),
]);

const createBody = z.strictObject({
  title: singleLine(200).meta({ example: '关于开展“七一”主题党日活动的通知' }),
  text: multiLine(20_000).meta({
    example: '各党支部：请于6月28日前组织开展主题党日活动，并将活动记录上传平台。',
  }),
  audience,
  /** The committee's alone (必读). */
  mandatory: z.boolean().optional(),
  pinned: z.boolean().optional(),
});

const announcementParams = z.strictObject({ announcementId: idParam });

/** The announcement if the caller manages it; otherwise it does not exist for them. */
const managedAnnouncement = async (ctx: ServiceContext, caller: Caller, announcementId: string) => {
  const a = await getAnnouncement(ctx, announcementId);
  if (!a || !manages(caller, a)) throw notFound('Announcement');
  return a;
};

/** Moves the announcement on from what was read, with the event its readers' inboxes follow. */
const commitChange = async (
  ctx: ServiceContext,
  read: Announcement,
  next: Announcement,
  event?: (t: ReturnType<typeof transaction>) => void,
) => {
  const t = putAnnouncement(transaction(ctx), next, read.version);
  event?.(t);
  await t.commit();
};

export const announcementRoutes = [
  route('POST /notices/announcements', {
    summary:
      'Draft an announcement (通知公告) to the whole institution or chosen branches (a secretary: their own). A repeat with the same Idempotency-Key answers 201 with the announcement as it stands now',
    access: ['committee', 'secretary'],
    outcomes: branchManagers,
    responses: { 201: AnnouncementView },
    request: { body: createBody },
    idempotent: true,
    handler: async (request, ctx) => {
      const { body, caller, now } = request;
      const mandatory = body.mandatory ?? false;
      const scoped = unwrap(checkAudience(caller, body.audience, mandatory));
      if (scoped.audience.kind === 'branches') {
        // A branch nobody has been registered in is not one notices knows.
        for (const branchId of scoped.audience.branchIds) {
          if (!(await isKnownBranch(ctx, branchId))) throw notFound('Branch');
        }
      }
      const announcement: Announcement = {
        announcementId: newId(),
        title: body.title,
        text: body.text,
        audience: scoped.audience,
        mandatory,
        pinned: body.pinned ?? false,
        status: 'draft',
        ...(scoped.ownerBranchId ? { ownerBranchId: scoped.ownerBranchId } : {}),
        createdBy: actorOf(caller),
        createdAt: toLocalIso(now),
        version: 1,
      };
      const location = (id: string) => `/notices/announcements/${id}`;
      return createOnce(ctx, request, {
        scope: accountScope('announcement', caller),
        entityId: announcement.announcementId,
        replay: async (id) =>
          created(announcementView(await managedAnnouncement(ctx, caller, id)), location(id)),
        create: async ({ claim, commit }) => {
          const t = claim(transaction(ctx));
          t.create(announcementItem(announcement), () => notFound('Announcement'));
          await commit(t);
          return created(announcementView(announcement), location(announcement.announcementId));
        },
      });
    },
  }),

  route('GET /notices/announcements', {
    summary:
      "The announcements the caller manages, newest first: the committee's are all of them, a secretary's their branch's",
    access: ['committee', 'secretary'],
    outcomes: allManagers,
    responses: { 200: pageOf(AnnouncementView) },
    request: { query: z.strictObject({ ...pageQuery }) },
    handler: async ({ query, caller }, ctx) => {
      const branchId = hasRole(caller, 'committee') ? undefined : caller.branchId;
      if (!hasRole(caller, 'committee') && !branchId) return ok({ items: [] });
      const page = await listAnnouncements(ctx, {
        ...(branchId ? { branchId } : {}),
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return ok(pageView(page, announcementView));
    },
  }),

  route('GET /notices/announcements/{announcementId}', {
    summary: 'Read one announcement: its managers, and once published everyone it is addressed to',
    access: ['committee', 'secretary', 'member'],
    outcomes: branchPeople,
    responses: { 200: AnnouncementView },
    request: { params: announcementParams },
    handler: async ({ params, caller }, ctx) => {
      const a = await getAnnouncement(ctx, params.announcementId);
      const addressed = a?.status === 'published' && addresses(a.audience, caller.branchId);
      if (!a || !(manages(caller, a) || addressed)) throw notFound('Announcement');
      const attachments = attachmentsSeenBy(caller, a, await listAttachments(ctx, a.announcementId));
      return ok({ ...announcementView(a), attachments: attachments.map(attachmentView) });
    },
  }),

  route('POST /notices/announcements/{announcementId}/publish', {
    summary: "Publish a draft: it reaches every party member of its audience's branches, in their inboxes",
    access: ['committee', 'secretary'],
    refusals: ['announcement-status-conflict', 'version-conflict'],
    outcomes: branchManagers,
    responses: { 200: AnnouncementView },
    request: { params: announcementParams },
    handler: async ({ params, caller, now }, ctx) => {
      const read = unwrap(canPublish(await managedAnnouncement(ctx, caller, params.announcementId)));
      const next: Announcement = {
        ...read,
        status: 'published',
        publishedAt: toLocalIso(now),
        version: read.version + 1,
      };
      await commitChange(ctx, read, next, (t) =>
        t.publish(
          NoticePosted,
          { noticeId: next.announcementId, kind: 'announcement', postedAt: toLocalIso(now) },
          { key: next.announcementId, occurredAt: now },
        ),
      );
      return ok(announcementView(next));
    },
  }),

  route('POST /notices/announcements/{announcementId}/withdraw', {
    summary: 'Withdraw an announcement (撤回): it leaves every inbox it reached',
    access: ['committee', 'secretary'],
    refusals: ['announcement-status-conflict', 'version-conflict'],
    outcomes: branchManagers,
    responses: { 200: AnnouncementView },
    request: { params: announcementParams },
    handler: async ({ params, caller, now }, ctx) => {
      const read = unwrap(canWithdraw(await managedAnnouncement(ctx, caller, params.announcementId)));
      const next: Announcement = {
        ...read,
        status: 'withdrawn',
        withdrawnAt: toLocalIso(now),
        version: read.version + 1,
      };
      await commitChange(ctx, read, next, (t) => {
        if (read.status === 'published') {
          t.publish(
            NoticeWithdrawn,
            { noticeId: next.announcementId },
            { key: next.announcementId, occurredAt: now },
          );
        }
      });
      return ok(announcementView(next));
    },
  }),

  route('POST /notices/announcements/{announcementId}/pin', {
    summary: 'Pin (置顶) or unpin an announcement; its inbox entries follow',
    access: ['committee', 'secretary'],
    refusals: ['announcement-status-conflict', 'version-conflict'],
    outcomes: branchManagers,
    responses: { 200: AnnouncementView },
    request: { params: announcementParams, body: z.strictObject({ pinned: z.boolean() }) },
    handler: async ({ params, body, caller, now }, ctx) => {
      const read = unwrap(canPin(await managedAnnouncement(ctx, caller, params.announcementId)));
      const next: Announcement = { ...read, pinned: body.pinned, version: read.version + 1 };
      await commitChange(ctx, read, next, (t) => {
        if (read.status === 'published') {
          t.publish(
            NoticePinned,
            { noticeId: next.announcementId, pinned: next.pinned, version: next.version },
            { key: next.announcementId, occurredAt: now },
          );
        }
      });
      return ok(announcementView(next));
    },
  }),

  route('GET /notices/announcements/{announcementId}/reads', {
    summary:
      'Read receipts (阅读回执) per branch: who has read it, when, and who has not (its managers only)',
    access: ['committee', 'secretary'],
    outcomes: branchManagers,
    responses: { 200: ReceiptsView },
    request: { params: announcementParams },
    handler: async ({ params, caller }, ctx) => {
      const a = await managedAnnouncement(ctx, caller, params.announcementId);
      const entries = await recipientsOf(ctx, a.announcementId);
      return ok(receiptsView(a.announcementId, receiptsByBranch(entries)));
    },
  }),

  route('POST /notices/announcements/{announcementId}/reminders', {
    summary:
      'Remind those who have not read it: their entries come back to the top of their inboxes, marked reminded. A repeat with the same Idempotency-Key reminds nobody again',
    access: ['committee', 'secretary'],
    refusals: ['announcement-status-conflict', 'version-conflict'],
    outcomes: branchManagers,
    responses: { 202: ReminderView },
    request: { params: announcementParams },
    idempotent: true,
    handler: async (request, ctx) => {
      const { params, caller, now } = request;
      const a = unwrap(canRemind(await managedAnnouncement(ctx, caller, params.announcementId)));
      const reminderId = newId();
      const view = (id: string, remindedAt: string, unread: number) =>
        accepted({ reminderId: id, announcementId: a.announcementId, remindedAt, unread });
      return createOnce(ctx, request, {
        scope: accountScope('reminder', caller),
        entityId: reminderId,
        replay: async (id) => {
          const held = await getReminder(ctx, a.announcementId, id);
          if (!held) throw notFound('Reminder');
          return view(id, held.remindedAt, held.unread);
        },
        create: async ({ claim, commit }) => {
          const unread = (await recipientsOf(ctx, a.announcementId)).filter((e) => !e.readAt).length;
          const remindedAt = toLocalIso(now);
          const t = claim(transaction(ctx));
          t.put(reminderItem(a.announcementId, reminderId, remindedAt, actorOf(caller), unread));
          t.publish(
            UnreadReminded,
            { noticeId: a.announcementId, reminderId, remindedAt },
            { key: a.announcementId, occurredAt: now },
          );
          await commit(t);
          return view(reminderId, remindedAt, unread);
        },
      });
    },
  }),
];
