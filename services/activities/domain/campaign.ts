/**
 * Institution-wide campaigns (统一部署): the committee schedules one activity on one theme for
 * several or all branches, each branch its own time and place. Which branches it may name,
 * the id of each branch's activity (derived, so a retry finds what an earlier attempt made),
 * and what each branch's part stands at. Pure: "now" is a parameter.
 */
import { createHash } from 'node:crypto';
import { accept, type Result, refuse, ruleViolation, validationFailed } from '../../../shared/errors.js';
import type { ActivityType } from '../events.js';
import type { Activity } from './activity.js';

/** An institution has tens of branches; a campaign's item stays small and its page one read each. */
export const MAX_CAMPAIGN_BRANCHES = 100;

export interface CampaignEntry {
  branchId: string;
  /** The branch's activity: derived from the campaign and the branch (`campaignActivityId`). */
  activityId: string;
  /** As sent (any offset); the activity stores them in UTC. */
  startsAt: string;
  endsAt: string;
  location?: string;
  roomId?: string;
}

export interface Campaign {
  campaignId: string;
  title: string;
  type: ActivityType;
  agenda?: string;
  entries: CampaignEntry[];
  createdBy: string;
  createdAt: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The id of a branch's activity in a campaign: the campaign's time part and 80 bits of a hash
 * of the two ids, a ULID like any other. The same campaign and branch always give the same id,
 * so an activity made by an attempt that failed later is found, not made again.
 */
export const campaignActivityId = (campaignId: string, branchId: string): string => {
  const hash = createHash('sha256').update(`${campaignId}\u0000${branchId}`).digest();
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[(hash[i] as number) % 32];
  return `${campaignId.slice(0, 10)}${random}`;
};

/** Each branch once. */
export const checkBranchesOnce = (branchIds: readonly string[]): Result<readonly string[]> => {
  const twice = branchIds.filter((b, i) => branchIds.indexOf(b) !== i);
  return twice.length === 0
    ? accept(branchIds)
    : refuse(
        validationFailed([{ field: 'body.branches', message: `Each branch once: ${twice.join(', ')}` }]),
      );
};

/** Every branch named must be one this service knows (its roster copy or its activities); else nothing is written. */
export const checkBranchesKnown = (
  branchIds: readonly string[],
  known: ReadonlySet<string>,
): Result<readonly string[]> => {
  const unknown = branchIds.filter((b) => !known.has(b));
  return unknown.length === 0
    ? accept(branchIds)
    : refuse(ruleViolation('unknown-branch', `No such branch: ${unknown.join(', ')}`));
};

/**
 * Where a branch's part of a campaign stands at `now`:
 * - pending — 未建: its activity is not written yet (an attempt failed before it; a retry
 *   with the same Idempotency-Key makes it);
 * - scheduled — 已安排: not yet ended;
 * - held-with-evidence — 已召开且有佐证: completed, with at least one accepted file;
 * - held-without-evidence — 已召开无佐证: completed, no accepted file yet;
 * - missed — 未召开: cancelled, or ended and not completed. A completion recorded later
 *   (late entry) makes it held.
 */
export const campaignStatuses = [
  'pending',
  'scheduled',
  'held-with-evidence',
  'held-without-evidence',
  'missed',
] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

export const campaignStatus = (
  activity: Pick<Activity, 'status' | 'endsAt'> | undefined,
  evidence: number,
  now: Date,
): CampaignStatus => {
  if (!activity) return 'pending';
  if (activity.status === 'completed') return evidence > 0 ? 'held-with-evidence' : 'held-without-evidence';
  if (activity.status === 'cancelled') return 'missed';
  return Date.parse(activity.endsAt) <= now.getTime() ? 'missed' : 'scheduled';
};

/** How many branches stand at each status. */
export const campaignSummary = (statuses: readonly CampaignStatus[]) => ({
  branches: statuses.length,
  pending: statuses.filter((s) => s === 'pending').length,
  scheduled: statuses.filter((s) => s === 'scheduled').length,
  heldWithEvidence: statuses.filter((s) => s === 'held-with-evidence').length,
  heldWithoutEvidence: statuses.filter((s) => s === 'held-without-evidence').length,
  missed: statuses.filter((s) => s === 'missed').length,
});
