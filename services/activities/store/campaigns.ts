/**
 * Institution-wide campaigns (统一部署). Access patterns (pk / sk):
 *   CAMPAIGN#<campaignId> / CAMPAIGN      a campaign and its branches' entries   GetItem;
 *                                         created once (with its Idempotency-Key's claim)
 *     gsi1 CAMPAIGNS / <createdAt>#<id>   every campaign, newest last           Query (the list)
 *   BRANCHES / BRANCH#<branchId>          the branches a campaign names (store.ts)  BatchGetItem
 *
 * Each branch's activity is an ordinary activity (store.ts) carrying `campaignId`, with an id
 * derived from the campaign and the branch (domain/campaign.ts).
 */
import type { ServiceContext } from '../../../shared/context.js';
import { conflict } from '../../../shared/errors.js';
import type { Page } from '../../../shared/http/paging.js';
import { getInBatches } from '../../../shared/store/batch.js';
import { getItem, queryPage } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import type { Campaign } from '../domain/campaign.js';

const campaignKey = (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'CAMPAIGN' });
const EVERY_CAMPAIGN = 'CAMPAIGNS';

const FIELDS = ['campaignId', 'title', 'type', 'agenda', 'entries', 'createdBy', 'createdAt'] as const;

const toCampaign = (item: Record<string, unknown>): Campaign => {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as Campaign;
};

/** Writes a new campaign; `createdAtUtc` orders the list. */
export const createCampaign = (t: Transaction, c: Campaign, createdAtUtc: string): Transaction =>
  t.create(
    {
      ...campaignKey(c.campaignId),
      kind: 'campaign',
      gsi1pk: EVERY_CAMPAIGN,
      gsi1sk: `${createdAtUtc}#${c.campaignId}`,
      ...c,
    },
    () => conflict('activity-exists', 'The campaign already exists'),
  );

export const getCampaign = async (ctx: ServiceContext, campaignId: string): Promise<Campaign | undefined> => {
  const item = await getItem(ctx, campaignKey(campaignId));
  return item ? toCampaign(item) : undefined;
};

/** Every campaign, oldest first, a page at a time. */
export const listCampaigns = (
  ctx: ServiceContext,
  page: { limit: number; cursor?: string },
): Promise<Page<Campaign>> =>
  queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': EVERY_CAMPAIGN },
    },
    {
      list: 'campaigns',
      partition: { name: 'gsi1pk', value: EVERY_CAMPAIGN },
      limit: page.limit,
      cursor: page.cursor,
    },
    toCampaign,
  );

/** Which of `branchIds` this service has heard of (its `BRANCHES` items): one BatchGetItem per 100. */
export const knownOf = async (ctx: ServiceContext, branchIds: readonly string[]): Promise<Set<string>> => {
  const items = await getInBatches(
    ctx,
    [...new Set(branchIds)].map((b) => ({ pk: 'BRANCHES', sk: `BRANCH#${b}` })),
  );
  return new Set(items.map((i) => i.branchId as string));
};
