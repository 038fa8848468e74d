/**
 * Posting notices to branches' work-chat groups (企业微信, 钉钉): a consumer of NoticePosted.
 * Each notice is posted once per group it addresses: a post is claimed (a lease) before it
 * is sent and marked delivered once the platform accepted it, so a redelivery of the event,
 * or a retry after one group failed, posts only what is missing. A failure throws: the bus
 * retries with backoff and, after its retries, the event goes to the dead letters.
 *
 * At least once, not exactly once: if the platform accepted a post but its answer was lost
 * (a timeout), or the function stopped before the mark was written, the retry posts again.
 */
import { randomUUID } from 'node:crypto';
import { pause } from '../../shared/backoff.js';
import type { ServiceContext } from '../../shared/context.js';
import { patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import {
  accepted,
  robotAddress,
  signedRobotUrl,
  type WorkChatNotice,
  workChatMessage,
} from './domain/work-chat.js';
import { NoticePosted } from './events.js';
import {
  allWebhooks,
  claimPost,
  getPost,
  markPostDelivered,
  releasePost,
  type WorkChatWebhook,
  webhooksOf,
} from './store/work-chat.js';
import { getNotice, type Notice } from './store.js';

/** A platform that has not answered by then is a failure (the consumer has 10 s in all). */
export const POST_TIMEOUT_MS = 3_000;
/** How long a claim holds: longer than a post may take, so only a dead attempt's claim lapses. */
export const WORK_CHAT_LEASE_MS = 10_000;
/** How long a second delivery of the same notice waits for the first's outcome before retrying later. */
const WAIT_MS = 4_000;
const POLL_MS = 100;
/** Groups posted to at once. */
const BATCH = 25;

const robotHosts = new Set<string>(Object.values(robotAddress).map((r) => r.host));

/**
 * Where a post really goes. On AWS, the robot's URL. Locally the runtime names its capture
 * (`workChatEndpoint`, which only the local runtime sets), and posts for the platforms'
 * hosts go there, the host as the first path segment; no other host is ever called.
 */
export const destinationOf = (env: ServiceContext['env'], url: URL): string => {
  if (!robotHosts.has(url.host)) throw new Error(`work-chat: ${url.host} is no platform's robot host`);
  return env.workChatEndpoint ? `${env.workChatEndpoint}/${url.host}${url.pathname}${url.search}` : url.href;
};

/** What a group is told: an announcement's title and text, or an activity notice's title and summary. */
const messageOf = (notice: Notice): WorkChatNotice =>
  notice.kind === 'announcement'
    ? { title: `${notice.mandatory ? '【必读】' : ''}${notice.title}`, text: notice.text }
    : { title: notice.title, text: notice.summary };

/**
 * The groups a notice addresses: its branches' (every branch with one, for the institution),
 * or its activity's branch's. A notice to people one by one (study, an assessment, a
 * registration, a partner's approval) is theirs, not a group's.
 */
const groupsOf = async (ctx: ServiceContext, notice: Notice): Promise<WorkChatWebhook[]> => {
  if (notice.kind === 'announcement') {
    if (notice.audience.kind === 'institution') return allWebhooks(ctx);
    return webhooksOf(ctx, notice.audience.branchIds);
  }
  return 'branchId' in notice ? webhooksOf(ctx, [notice.branchId]) : [];
};

/** Why a post failed, in words that never carry the URL, its key or the secret. */
const reasonOf = (error: unknown): string => {
  if (!(error instanceof Error)) return 'failed';
  if (error.name === 'TimeoutError') return `no answer within ${POST_TIMEOUT_MS} ms`;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.name} (${code})` : error.name;
};

/** One post to one group; throws unless the platform accepted it. */
const send = async (ctx: ServiceContext, webhook: WorkChatWebhook, message: WorkChatNotice) => {
  const url = signedRobotUrl(webhook, ctx.clock().getTime());
  let res: Response;
  let answer: unknown;
  try {
    res = await fetch(destinationOf(ctx.env, url), {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(workChatMessage(webhook.platform, message)),
      // A robot address never redirects: following one would call a URL nobody checked.
      redirect: 'manual',
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
    answer = await res.json().catch(() => undefined);
  } catch (error) {
    throw new Error(reasonOf(error));
  }
  if (!accepted(res.status, answer)) {
    const { errcode, errmsg } = (answer ?? {}) as { errcode?: unknown; errmsg?: unknown };
    const said = errcode === undefined ? '' : `, errcode ${errcode} ${String(errmsg ?? '').slice(0, 120)}`;
    throw new Error(`HTTP ${res.status}${said}`);
  }
};

/** Posts the notice to one group unless it was posted already; waits for another delivery posting it now. */
const postOnce = async (
  ctx: ServiceContext,
  noticeId: string,
  webhook: WorkChatWebhook,
  message: WorkChatNotice,
) => {
  const key = { noticeId, branchId: webhook.branchId };
  const waitUntil = Date.now() + WAIT_MS;
  for (;;) {
    if ((await getPost(ctx, noticeId, webhook.branchId))?.state === 'done') return;
    const attemptId = randomUUID();
    if (await claimPost(ctx, { ...key, attemptId, now: ctx.clock(), leaseMs: WORK_CHAT_LEASE_MS })) {
      try {
        await send(ctx, webhook, message);
      } catch (error) {
        await releasePost(ctx, { ...key, attemptId });
        throw error;
      }
      await markPostDelivered(ctx, { ...key, deliveredAt: ctx.clock().toISOString() });
      ctx.log.info('work-chat posted', { noticeId, branchId: webhook.branchId, platform: webhook.platform });
      return;
    }
    // Another delivery of the same event holds the post: its outcome decides, or a retry does.
    if (Date.now() > waitUntil) throw new Error('being posted by another delivery');
    await pause(POLL_MS);
  }
};

const postToGroups = async (ctx: ServiceContext, noticeId: string) => {
  const notice = await getNotice(ctx, noticeId);
  // A notice withdrawn before it was posted reaches no group.
  if (!notice || (notice.kind === 'announcement' && notice.status !== 'published')) return;
  const groups = await groupsOf(ctx, notice);
  const message = messageOf(notice);
  const failures: string[] = [];
  for (let i = 0; i < groups.length; i += BATCH) {
    const batch = groups.slice(i, i + BATCH);
    const settled = await Promise.allSettled(batch.map((w) => postOnce(ctx, noticeId, w, message)));
    settled.forEach((outcome, j) => {
      if (outcome.status === 'fulfilled') return;
      const w = batch[j] as WorkChatWebhook;
      const reason = outcome.reason instanceof Error ? outcome.reason.message : 'failed';
      failures.push(`branch ${w.branchId} (${w.platform}): ${reason}`);
    });
  }
  if (failures.length > 0) {
    // The groups that took it are marked; the retry posts to the others only.
    throw new Error(
      `work-chat: notice ${noticeId} not posted to ${failures.length} of ${groups.length} groups: ${failures.join('; ')}`,
    );
  }
};

export const workChatSubscriptions = [
  subscription({
    name: 'work-chat-notice',
    pattern: patternFor(NoticePosted),
    contract: NoticePosted,
    handler: async (event, _t, ctx) => postToGroups(ctx, event.data.noticeId),
  }),
];
