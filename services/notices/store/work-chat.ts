/**
 * Work-chat webhooks and what was posted to them. Access patterns (pk / sk):
 *   WORK-CHAT / BRANCH#<branchId>          a branch's webhook (its credential and
 *                                          钉钉's secret)                  GetItem, Put, Delete;
 *                                          Query (every branch's, for an institution-wide notice)
 *   NOTICE#<noticeId> / WORK-CHAT#<branchId>  the post of a notice to a branch's group: claimed
 *                                          while sending (a lease), then delivered  GetItem,
 *                                          conditional Put/Update/Delete (the consumer)
 *
 * The webhooks share one partition: a branch has at most one, an institution has hundreds of
 * branches, and an institution-wide notice reads them all in one Query.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '../../../shared/context.js';
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

const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

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

/** A notice's post to one group: being sent under a lease, or delivered. */
export interface WorkChatPost {
  state: 'sending' | 'delivered';
  /** The attempt holding the lease while sending. */
  attemptId?: string;
  /** Epoch milliseconds the lease lasts until. */
  leaseUntil?: number;
  deliveredAt?: string;
}

export const getPost = (ctx: ServiceContext, noticeId: string, branchId: string) =>
  getItem<WorkChatPost>(ctx, postKey(noticeId, branchId));

/**
 * Takes the post for this attempt: nobody holds it, or the holder's lease ran out (it died
 * mid-way). False when it is delivered or another attempt holds it.
 */
export const claimPost = async (
  ctx: ServiceContext,
  p: { noticeId: string; branchId: string; attemptId: string; now: number; leaseMs: number },
): Promise<boolean> => {
  try {
    await ctx.db.send(
      new PutCommand({
        TableName: ctx.env.tableName,
        Item: {
          ...postKey(p.noticeId, p.branchId),
          kind: 'work-chat-post',
          state: 'sending',
          attemptId: p.attemptId,
          leaseUntil: p.now + p.leaseMs,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#state = :sending AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sending': 'sending', ':now': p.now },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

/** The platform refused or did not answer: the claim goes, so a retry may post at once. */
export const releasePost = async (
  ctx: ServiceContext,
  p: { noticeId: string; branchId: string; attemptId: string },
): Promise<void> => {
  try {
    await ctx.db.send(
      new DeleteCommand({
        TableName: ctx.env.tableName,
        Key: postKey(p.noticeId, p.branchId),
        ConditionExpression: 'attemptId = :attempt AND #state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':attempt': p.attemptId, ':sending': 'sending' },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};

/** The platform accepted the post: a redelivery of the notice finds it delivered and posts nothing. */
export const markPostDelivered = async (
  ctx: ServiceContext,
  p: { noticeId: string; branchId: string; deliveredAt: string },
): Promise<void> => {
  await ctx.db.send(
    new UpdateCommand({
      TableName: ctx.env.tableName,
      Key: postKey(p.noticeId, p.branchId),
      UpdateExpression:
        'SET #state = :delivered, deliveredAt = :at, kind = :kind REMOVE attemptId, leaseUntil',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':delivered': 'delivered',
        ':at': p.deliveredAt,
        ':kind': 'work-chat-post',
      },
    }),
  );
};
