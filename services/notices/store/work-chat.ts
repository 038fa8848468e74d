/**
 * Work-chat webhooks and what was posted to them. Access patterns (pk / sk):
 *   WORK-CHAT / BRANCH#<branchId>          a branch's webhook (its credential and
 *                                          钉钉's secret)                  GetItem, Put, Delete;
 *                                          BatchGetItem (a notice's branches'); Query (every
 *                                          branch's, for an institution-wide notice)
 *   NOTICE#<noticeId> / WORK-CHAT#<branchId>  the post of a notice to a branch's group: claimed
 *                                          while sending (a lease), then delivered  GetItem,
 *                                          conditional Put/Update/Delete (the consumer)
 *
 * The webhooks share one partition: a branch has at most one, an institution has hundreds of
 * branches, and an institution-wide notice reads them all in one Query.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../../shared/context.js';
import { getInBatches } from '../../../shared/store/batch.js';
import { claimLease, completeLease, type Leased, releaseLease } from '../../../shared/store/lease.js';
import { getItem, queryAll } from '../../../shared/store/query.js';
import type { WorkChatPlatform, WorkChatTarget } from '../domain/work-chat.js';

export interface WorkChatWebhook extends WorkChatTarget {
  branchId: string;
  registeredAt: string;
  registeredBy: string;
}

const webhookKey = (branchId: string) => ({ pk: 'WORK-CHAT', sk: `BRANCH#${branchId}` });
const postKey = (noticeId: string, branchId: string) => ({
  pk: `NOTICE#${noticeId}`,
  sk: `WORK-CHAT#${branchId}`,
});

const toWebhook = (item: Record<string, unknown>): WorkChatWebhook => ({
  branchId: item.branchId as string,
  platform: item.platform as WorkChatPlatform,
  credential: item.credential as string,
  ...(typeof item.secret === 'string' ? { secret: item.secret } : {}),
  registeredAt: item.registeredAt as string,
  registeredBy: item.registeredBy as string,
});

export const getWebhook = async (ctx: ServiceContext, branchId: string) => {
  const item = await getItem(ctx, webhookKey(branchId));
  return item ? toWebhook(item) : undefined;
};

/** The webhooks of those of the branches that registered one (100 to a BatchGetItem). */
export const webhooksOf = async (
  ctx: ServiceContext,
  branchIds: readonly string[],
): Promise<WorkChatWebhook[]> =>
  (await getInBatches(ctx, [...new Set(branchIds)].map(webhookKey))).map(toWebhook);

/** Every branch's webhook (bounded by the institution's branches). */
export const allWebhooks = async (ctx: ServiceContext): Promise<WorkChatWebhook[]> =>
  (
    await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'WORK-CHAT' },
    })
  ).map(toWebhook);

/** Registers or replaces a branch's webhook: the last registration is the group's. */
export const putWebhook = async (ctx: ServiceContext, webhook: WorkChatWebhook): Promise<void> => {
  await ctx.db.send(
    new PutCommand({
      TableName: ctx.env.tableName,
      Item: { ...webhookKey(webhook.branchId), kind: 'work-chat-webhook', ...webhook },
    }),
  );
};

export const deleteWebhook = async (ctx: ServiceContext, branchId: string): Promise<void> => {
  await ctx.db.send(new DeleteCommand({ TableName: ctx.env.tableName, Key: webhookKey(branchId) }));
};

/** A notice's post to one group: held while being sent (a lease), then done. */
export type WorkChatPost = Leased;

export const getPost = (ctx: ServiceContext, noticeId: string, branchId: string) =>
  getItem<WorkChatPost>(ctx, postKey(noticeId, branchId));

/**
 * Takes the post for this attempt (shared/store/lease.ts): nobody holds it, or the holder's
 * lease ran out. False when it is delivered or another attempt holds it.
 */
export const claimPost = (
  ctx: ServiceContext,
  p: { noticeId: string; branchId: string; attemptId: string; now: Date; leaseMs: number },
): Promise<boolean> =>
  claimLease(ctx, postKey(p.noticeId, p.branchId), {
    kind: 'work-chat-post',
    attemptId: p.attemptId,
    now: p.now,
    leaseMs: p.leaseMs,
  });

/** The platform refused or did not answer: the claim goes, so a retry may post at once. */
export const releasePost = (
  ctx: ServiceContext,
  p: { noticeId: string; branchId: string; attemptId: string },
): Promise<void> => releaseLease(ctx, postKey(p.noticeId, p.branchId), p.attemptId);

/** The platform accepted the post: a redelivery of the notice finds it done and posts nothing. */
export const markPostDelivered = (
  ctx: ServiceContext,
  p: { noticeId: string; branchId: string; deliveredAt: string },
): Promise<void> => completeLease(ctx, postKey(p.noticeId, p.branchId), { doneAt: p.deliveredAt });
