/**
 * What notices does with events: its own (delivering a notice to its recipients' inboxes,
 * withdrawing, pinning, reminding) and activities' (a notice to an activity's invitees when
 * it is scheduled or cancelled). Every consumer is safe to run twice, late or out of order:
 * an inbox entry is written once per person and notice (a conditional put), and a notice
 * made from an event has a natural id (the activity's, and what happened to it).
 */
import type { ServiceContext } from '../../shared/context.js';
import { type EventContract, patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import { toLocalIso } from '../../shared/time.js';
import { ActivityCancelled, ActivityMoved, ActivityScheduled } from '../activities/events.js';
import { branchMembers, rosterSubscriptions } from '../talent/roster.js';
import { inBatches } from './batches.js';
import { cadenceNoticeSubscriptions } from './cadence-notices.js';
import { calendarSubscriptions } from './calendar-subscriptions.js';
import { excerpt } from './domain/announcements.js';
import { isEventNotice } from './domain/event-notices.js';
import { isNews } from './domain/reminders.js';
import { duesNoticeSubscriptions } from './dues-notices.js';
import { eventNoticeSubscriptions } from './event-notices.js';
import { NoticePinned, NoticePosted, NoticeWithdrawn, UnreadReminded } from './events.js';
import { attachmentSubscriptions } from './handlers/attachments.js';
import { leaveNoticeSubscriptions } from './leave-notices.js';
import { mailSubscriptions } from './mail.js';
import { pipelineNoticeSubscriptions } from './pipeline-notices.js';
import { post } from './post.js';
import { forgetActivity, remindActivity } from './reminders.js';
import { eventNoticeEntry, eventNoticeRecipients } from './store/event-notices.js';
import {
  type ActivityCopy,
  type ActivityNotice,
  deliverEntry,
  getActivityCopy,
  getAnnouncement,
  getNotice,
  type InboxEntry,
  knownBranches,
  knownBranchItem,
  type Notice,
  noteUntoldSchedule,
  pinEntry,
  putActivityCopy,
  recipientOf,
  recipientsOf,
  remindEntry,
  removeEntry,
  rosterReader,
  stillOnRegister,
  table,
} from './store.js';
import { studyDueSubscriptions } from './study-due.js';
import { workChatSubscriptions } from './work-chat.js';

type Recipient = Pick<InboxEntry, 'personId' | 'branchId' | 'name'>;

/** Who a notice reaches: the party members of its branches (from the roster copy), or the people it names. */
const recipientsFor = async (ctx: ServiceContext, notice: Notice): Promise<Recipient[]> => {
  if (isEventNotice(notice)) return eventNoticeRecipients(ctx, notice);
  if (notice.kind !== 'announcement') {
    const named = await stillOnRegister(ctx, [...new Set(notice.personIds)]);
    return named.map((personId) => ({ personId, branchId: notice.branchId }));
  }
  const branchIds =
    notice.audience.kind === 'institution' ? await knownBranches(ctx) : notice.audience.branchIds;
  const members = await Promise.all(branchIds.map((b) => branchMembers(rosterReader(ctx), b)));
  return members.flat().map(recipientOf);
};

const entryOf = (notice: Notice, r: Recipient): InboxEntry => {
  if (isEventNotice(notice)) return eventNoticeEntry(notice, r);
  const common = { ...r, noticeId: notice.kind === 'announcement' ? notice.announcementId : notice.noticeId };
  if (notice.kind === 'announcement') {
    const postedAt = new Date(notice.publishedAt as string).toISOString();
    return {
      ...common,
      kind: 'announcement',
      title: notice.title,
      summary: excerpt(notice.text),
      postedAt,
      sortAt: postedAt,
      mandatory: notice.mandatory,
      pinned: notice.pinned,
      pinVersion: notice.version,
    };
  }
  return {
    ...common,
    kind: notice.kind,
    title: notice.title,
    summary: notice.summary,
    postedAt: notice.postedAt,
    sortAt: notice.postedAt,
    mandatory: false,
    pinned: false,
    activityId: notice.activityId,
    startsAt: notice.startsAt,
  };
};

/** Writes the entries of a posted notice, then settles a withdrawal or pin that raced it. */
const deliver = async (ctx: ServiceContext, noticeId: string) => {
  const notice = await getNotice(ctx, noticeId);
  if (!notice || (notice.kind === 'announcement' && notice.status !== 'published')) return;
  const recipients = await recipientsFor(ctx, notice);
  await inBatches(recipients, (r) => deliverEntry(ctx, entryOf(notice, r)));
  if (notice.kind !== 'announcement') return;
  // A withdrawal or pin committed meanwhile may have listed the recipients before these
  // entries existed: what the announcement says now is applied to them too.
  const now = await getAnnouncement(ctx, noticeId);
  if (now?.status === 'withdrawn') {
    await inBatches(recipients, (r) => removeEntry(ctx, r.personId, noticeId));
  } else if (now && now.version !== notice.version) {
    await inBatches(recipients, (r) =>
      pinEntry(ctx, { personId: r.personId, noticeId }, now.pinned, now.version),
    );
  }
};

type ActivityRef = { activityId: string; branchId: string; title: string; startsAt: string };

const titles: Record<ActivityNotice['kind'], string> = {
  'activity-scheduled': '活动通知',
  'activity-moved': '活动变更',
  'activity-cancelled': '活动取消',
  'activity-reminder': '活动提醒',
};

const activityNotice = (
  kind: ActivityNotice['kind'],
  a: ActivityRef,
  personIds: string[],
  postedAt: Date,
  details: { reason?: string | undefined; previousStart?: string; version?: number } = {},
): ActivityNotice => {
  const starts = toLocalIso(new Date(a.startsAt));
  const summaries: Record<ActivityNotice['kind'], string> = {
    'activity-scheduled': `开始时间 ${starts}`,
    'activity-moved': `开始时间 ${starts}（原定 ${toLocalIso(new Date(details.previousStart ?? a.startsAt))}）`,
    'activity-cancelled': `原定 ${starts}。取消原因：${details.reason ?? ''}`,
    'activity-reminder': `开始时间 ${starts}`,
  };
  // One notice per activity and what happened to it (a move: per version of the activity).
  const what = kind === 'activity-moved' ? `moved-${details.version}` : kind.slice('activity-'.length);
  return {
    noticeId: `${a.activityId}-${what}`,
    kind,
    title: `${titles[kind]}：${a.title}`,
    summary: excerpt(summaries[kind]),
    postedAt: postedAt.toISOString(),
    activityId: a.activityId,
    branchId: a.branchId,
    startsAt: new Date(a.startsAt).toISOString(),
    personIds,
  };
};

/** A change of an announcement, applied to each inbox entry it reached. */
const forEachRecipient = <Data extends { noticeId: string }>(
  name: string,
  contract: EventContract<string, Data>,
  apply: (ctx: ServiceContext, entry: InboxEntry, data: Data) => Promise<unknown>,
) =>
  subscription<Data>({
    name,
    pattern: patternFor(contract),
    contract,
    handler: async (event, _t, ctx) =>
      inBatches(await recipientsOf(ctx, event.data.noticeId), (e) => apply(ctx, e, event.data)),
  });

export const noticeSubscriptions = [
  // talent's roster, kept as notices' own copy (who is in a branch), noting each branch heard of.
  ...rosterSubscriptions(table, {
    alsoWrite: (_held, incoming, tx) => {
      if (incoming.branchId) tx.put(knownBranchItem(incoming.branchId));
    },
  }),

  subscription({
    name: 'deliver-notice',
    pattern: patternFor(NoticePosted),
    contract: NoticePosted,
    handler: async (event, _t, ctx) => deliver(ctx, event.data.noticeId),
  }),

  forEachRecipient('withdraw-notice', NoticeWithdrawn, (ctx, e) => removeEntry(ctx, e.personId, e.noticeId)),
  forEachRecipient('pin-notice', NoticePinned, (ctx, e, { pinned, version }) =>
    pinEntry(ctx, e, pinned, version),
  ),
  // Those who read it meanwhile are left alone (remindEntry's condition says so too).
  forEachRecipient('remind-unread', UnreadReminded, async (ctx, e, { reminderId, remindedAt }) => {
    if (e.readAt === undefined) await remindEntry(ctx, e, reminderId, new Date(remindedAt).toISOString());
  }),

  // The invitees are in the event itself; the copy keeps them for a later cancellation.
  subscription({
    name: 'activity-scheduled',
    pattern: patternFor(ActivityScheduled),
    contract: ActivityScheduled,
    handler: async (event, t, ctx) => {
      const a = event.data;
      const occurredAt = new Date(event.occurredAt);
      // Not news (补录), as the event alone tells: nothing to post, so nothing to read first.
      if (!isNews(new Date(a.startsAt), occurredAt)) {
        noteUntoldSchedule(t, a.activityId, a.inviteeIds);
        return;
      }
      const held = await getActivityCopy(ctx, a.activityId);
      if (held?.inviteeIds) return; // told already
      const copy: ActivityCopy = {
        activityId: a.activityId,
        status: held?.status ?? 'scheduled',
        inviteeIds: a.inviteeIds,
        ...(held?.reason !== undefined ? { reason: held.reason } : {}),
        version: (held?.version ?? 0) + 1,
      };
      putActivityCopy(t, copy, held);
      // The cancellation came first: the invitees hear of the cancellation, not of a meeting.
      const kind = held?.status === 'cancelled' ? 'activity-cancelled' : 'activity-scheduled';
      if (kind === 'activity-scheduled') remindActivity(t, a, a.inviteeIds, occurredAt);
      await post(
        ctx,
        t,
        activityNotice(kind, a, a.inviteeIds, occurredAt, { reason: held?.reason }),
        occurredAt,
      );
    },
  }),

  // A new time or place reaches the invitees as they now stand, who also replace the copy's.
  subscription({
    name: 'activity-moved',
    pattern: patternFor(ActivityMoved),
    contract: ActivityMoved,
    handler: async (event, t, ctx) => {
      const a = event.data;
      const held = await getActivityCopy(ctx, a.activityId);
      if (held?.status === 'cancelled') return;
      if (held?.activityVersion !== undefined && held.activityVersion >= a.version) return; // older news
      const occurredAt = new Date(event.occurredAt);
      const news = isNews(new Date(a.startsAt), occurredAt);
      putActivityCopy(
        t,
        {
          activityId: a.activityId,
          status: 'scheduled',
          inviteeIds: a.inviteeIds,
          ...(!news && held?.untold ? { untold: true as const } : {}),
          activityVersion: a.version,
          version: (held?.version ?? 0) + 1,
        },
        held,
      );
      // The reminders of the old start go with this move: they never remind at the old time.
      remindActivity(t, a, a.inviteeIds, occurredAt);
      if (!news) return;
      const notice = activityNotice('activity-moved', a, a.inviteeIds, occurredAt, {
        previousStart: a.previous.startsAt,
        version: a.version,
      });
      await post(ctx, t, notice, occurredAt);
    },
  }),

  // ActivityCancelled names no invitees: they are the ones the schedule named, as the copy holds them.
  subscription({
    name: 'activity-cancelled',
    pattern: patternFor(ActivityCancelled),
    contract: ActivityCancelled,
    handler: async (event, t, ctx) => {
      const a = event.data;
      const held = await getActivityCopy(ctx, a.activityId);
      if (held?.status === 'cancelled') return;
      putActivityCopy(
        t,
        {
          activityId: a.activityId,
          status: 'cancelled',
          ...(held?.inviteeIds ? { inviteeIds: held.inviteeIds } : {}),
          reason: a.reason,
          version: (held?.version ?? 0) + 1,
        },
        held,
      );
      forgetActivity(t, a.activityId);
      // Not scheduled yet as far as notices knows: the schedule, when it comes, posts this.
      if (!held?.inviteeIds || held.untold) return;
      const occurredAt = new Date(event.occurredAt);
      await post(
        ctx,
        t,
        activityNotice('activity-cancelled', a, held.inviteeIds, occurredAt, { reason: a.reason }),
        occurredAt,
      );
    },
  }),
  // Each notice posted to the work-chat groups of the branches it addresses.
  ...workChatSubscriptions,

  ...calendarSubscriptions,

  // resources' and community's events (event-notices.ts).
  ...eventNoticeSubscriptions,

  // Each notice posted is also mailed, to the same recipients (mail.ts).
  ...mailSubscriptions(recipientsFor),

  // Assigned study's reminders before its due date, and who completed it (study-due.ts).
  ...studyDueSubscriptions,
  // S3's "Object Created" for announcements' attachments: the shared upload check.
  ...attachmentSubscriptions,
  // talent's pipeline steps due or overdue, to the person and their branch's secretaries (pipeline-notices.ts).
  ...pipelineNoticeSubscriptions,
  // activities' CadenceAtRisk, to the branch's secretaries (cadence-notices.ts).
  ...cadenceNoticeSubscriptions,
  // activities' leave requests and decisions, to the secretaries and the member (leave-notices.ts).
  ...leaveNoticeSubscriptions,
  // talent's unpaid dues, to the member (dues-notices.ts).
  ...duesNoticeSubscriptions,
];
