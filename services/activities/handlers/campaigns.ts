/**
 * Institution-wide campaigns (统一部署): the committee schedules one activity on one theme for
 * several or all branches, each its own time and place. Each branch's activity is scheduled
 * as `POST /activities` schedules one (same rules, same ActivityScheduled, so the same
 * invitations), atomically per branch; the whole is idempotent by its Idempotency-Key, and a
 * retry after a partial failure makes only the branches missing.
 */
import * as z from 'zod';
import { actorOf, type Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import {
  conflict,
  isDomainError,
  notFound,
  ruleViolation,
  unwrap,
  validationFailed,
} from '../../../shared/errors.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { pageOf, pageQuery, pageView } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, multiLine, singleLine } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { toLocalIso } from '../../../shared/time.js';
import type { Activity } from '../domain/activity.js';
import { findClash } from '../domain/booking.js';
import {
  type Campaign,
  type CampaignEntry,
  campaignActivityId,
  campaignStatus,
  campaignSummary,
  checkBranchesKnown,
  checkBranchesOnce,
  MAX_CAMPAIGN_BRANCHES,
} from '../domain/campaign.js';
import { evidenceOf } from '../domain/evidence.js';
import { createCampaign, getCampaign, knownOf, listCampaigns } from '../store/campaigns.js';
import { evidenceTallies } from '../store/evidence.js';
import { bookingsAround, getActivity, getRoom, knownBranches, transaction } from '../store.js';
import { activityTypeEnum, CampaignListItemView, CampaignView, local } from '../views.js';
import { prepareActivity, type ScheduleInput, scheduleActivity } from './activities.js';
import { committeeOnly, instant } from './common.js';

const place = {
  startsAt: instant.meta({ example: '2027-01-15T14:30:00+08:00' }),
  endsAt: instant.meta({ example: '2027-01-15T16:30:00+08:00' }),
  location: singleLine(200).optional().meta({ example: '支部活动室' }),
};

const createBody = z.strictObject({
  title: singleLine(200).meta({ example: '“学习贯彻全会精神”主题党日' }),
  type: activityTypeEnum
    .exclude(['party-group-meeting'])
    .meta({ description: 'Any type but a party-group meeting, which belongs to one party group' }),
  agenda: multiLine(5000).optional(),
  branches: z
    .array(z.strictObject({ branchId: idParam, ...place, roomId: idParam.optional() }))
    .min(1)
    .max(MAX_CAMPAIGN_BRANCHES)
    .optional()
    .meta({ description: 'Each branch once, with its own time and place. Send this or `allBranches`' }),
  allBranches: z
    .strictObject(place)
    .optional()
    .meta({ description: 'Every branch this service knows, at one time and place. Send this or `branches`' }),
});

const campaignParams = z.strictObject({ campaignId: idParam });

/** What a branch's activity of the campaign is scheduled with: what `POST /activities` takes. */
const inputOf = (c: Campaign, e: CampaignEntry): ScheduleInput =>
  ({
    branchId: e.branchId,
    type: c.type,
    title: c.title,
    ...(c.agenda ? { agenda: c.agenda } : {}),
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    ...(e.location ? { location: e.location } : {}),
    ...(e.roomId ? { roomId: e.roomId } : {}),
  }) as ScheduleInput;

/** `each` over `xs`, 8 at a time, in order. */
const inGroups = async <T, R>(xs: readonly T[], each: (x: T) => Promise<R>): Promise<R[]> => {
  const out: R[] = [];
  for (let i = 0; i < xs.length; i += 8) out.push(...(await Promise.all(xs.slice(i, i + 8).map(each))));
  return out;
};

/**
 * The rooms the branches named, checked before anything is written: each exists, seats the
 * invitees and is free then, and no two branches of the campaign share it at once. (Each
 * branch's write checks its room again; a booking made in between fails only that branch.)
 */
const checkRooms = async (ctx: ServiceContext, activities: readonly Activity[]) => {
  const booked = activities.flatMap((a) =>
    a.roomId ? [{ roomId: a.roomId, activityId: a.activityId, startsAt: a.startsAt, endsAt: a.endsAt }] : [],
  );
  for (const wanted of booked) {
    const room = await getRoom(ctx, wanted.roomId);
    if (!room) throw ruleViolation('room-not-found', `Room ${wanted.roomId} does not exist`);
    const a = activities.find((x) => x.activityId === wanted.activityId) as Activity;
    if (a.inviteeIds.length > room.capacity) {
      throw ruleViolation(
        'room-too-small',
        `${room.name} seats ${room.capacity}; ${a.inviteeIds.length} are invited`,
      );
    }
    const others = booked.filter((b) => b.roomId === wanted.roomId);
    const clash = findClash(
      [...(await bookingsAround(ctx, wanted.roomId, wanted.startsAt, wanted.endsAt)), ...others],
      wanted,
    );
    if (clash) {
      throw conflict('room-booked', `The room is booked by activity ${clash.activityId} at that time`, {
        activityId: clash.activityId,
        startsAt: toLocalIso(new Date(clash.startsAt)),
        endsAt: toLocalIso(new Date(clash.endsAt)),
      });
    }
  }
};

/**
 * Schedules each branch's activity not written yet, one transaction per branch. Every branch
 * is tried; the first failure is thrown after, and a retry with the same key makes the rest.
 */
const scheduleMissing = async (
  ctx: ServiceContext,
  caller: Caller,
  c: Campaign,
  now: Date,
  prepared?: Activity[],
) => {
  const failures: unknown[] = [];
  await inGroups(c.entries, async (e) => {
    if (await getActivity(ctx, e.activityId)) return;
    try {
      const activity =
        prepared?.find((a) => a.activityId === e.activityId) ??
        (await prepareActivity(ctx, caller, inputOf(c, e), now, {
          activityId: e.activityId,
          campaignId: c.campaignId,
        }));
      await scheduleActivity(ctx, activity, now);
    } catch (error) {
      // Written meanwhile by an attempt beside this one: done.
      if (isDomainError(error) && (await getActivity(ctx, e.activityId))) return;
      failures.push(error);
    }
  });
  if (failures.length > 0) throw failures[0];
};

/** The campaign and where each branch's part stands at `now`: its activities, then the branches' evidence tallies. */
const campaignView = async (
  ctx: ServiceContext,
  c: Campaign,
  now: Date,
): Promise<z.output<typeof CampaignView>> => {
  const [activities, tallies] = await Promise.all([
    inGroups(c.entries, (e) => getActivity(ctx, e.activityId)),
    evidenceTallies(
      ctx,
      c.entries.map((e) => e.branchId),
    ),
  ]);
  const branches = c.entries.map((e, i) => {
    const a = activities[i];
    const evidence = evidenceOf(tallies.get(e.branchId) ?? {}, e.activityId);
    return {
      branchId: e.branchId,
      activityId: e.activityId,
      startsAt: local(a?.startsAt ?? e.startsAt),
      endsAt: local(a?.endsAt ?? e.endsAt),
      ...(e.location ? { location: e.location } : {}),
      ...(e.roomId ? { roomId: e.roomId } : {}),
      status: campaignStatus(a, evidence, now),
      evidence,
    };
  });
  return {
    campaignId: c.campaignId,
    title: c.title,
    type: c.type,
    ...(c.agenda ? { agenda: c.agenda } : {}),
    createdBy: c.createdBy,
    createdAt: c.createdAt,
    asOf: toLocalIso(now),
    branches,
    summary: campaignSummary(branches.map((b) => b.status)),
  };
};

export const campaignRoutes = [
  route('POST /activities/campaigns', {
    summary:
      'Schedule a campaign (统一部署): one activity on one theme for several or all branches, each its own time and place. Send an Idempotency-Key: a repeat answers 201 with the campaign and makes any branch an earlier attempt left unwritten, never one twice',
    description:
      'Everything is checked before anything is written: each branch once, each known to this service (422 `unknown-branch` otherwise), each window and room. Then each branch’s activity is scheduled as `POST /activities` would (its invitees, its ActivityScheduled), in its own transaction. If one fails, the answer is that failure; the same request with the same Idempotency-Key makes what is missing.',
    access: ['committee'],
    outcomes: committeeOnly,
    refusals: [
      'unknown-branch',
      'ends-before-start',
      'too-long',
      'late-entry-reason-required',
      'room-not-found',
      'room-too-small',
      'room-booked',
      'room-busy',
    ],
    responses: { 201: CampaignView },
    request: { body: createBody },
    idempotent: true,
    handler: async (request, ctx) => {
      const { body, caller, now } = request;
      if ((body.branches === undefined) === (body.allBranches === undefined)) {
        throw validationFailed([{ field: 'body.branches', message: 'Send either branches or allBranches' }]);
      }
      const campaignId = newId();
      const wanted =
        body.branches ??
        (await knownBranches(ctx))
          .sort()
          .map(
            (branchId) => ({ branchId, ...body.allBranches }) as NonNullable<typeof body.branches>[number],
          );
      if (wanted.length === 0) throw ruleViolation('unknown-branch', 'This service knows no branch yet');
      if (wanted.length > MAX_CAMPAIGN_BRANCHES) {
        throw validationFailed([
          { field: 'body.allBranches', message: `At most ${MAX_CAMPAIGN_BRANCHES} branches` },
        ]);
      }
      const branchIds = unwrap(checkBranchesOnce(wanted.map((e) => e.branchId)));
      unwrap(checkBranchesKnown(branchIds, await knownOf(ctx, branchIds)));
      const campaign: Campaign = {
        campaignId,
        title: body.title,
        type: body.type,
        ...(body.agenda ? { agenda: body.agenda } : {}),
        entries: wanted.map((e) => ({
          branchId: e.branchId,
          activityId: campaignActivityId(campaignId, e.branchId),
          startsAt: e.startsAt,
          endsAt: e.endsAt,
          ...(e.location ? { location: e.location } : {}),
          ...(e.roomId ? { roomId: e.roomId } : {}),
        })),
        createdBy: actorOf(caller),
        createdAt: toLocalIso(now),
      };
      return createOnce(ctx, request, {
        scope: accountScope('campaign', caller),
        entityId: campaignId,
        replay: async (id) => {
          const held = await getCampaign(ctx, id);
          if (!held) throw notFound('Campaign');
          await scheduleMissing(ctx, caller, held, now);
          return created(await campaignView(ctx, held, now), `/activities/campaigns/${id}`);
        },
        create: async ({ claim, commit }) => {
          // Every branch's activity is decided before the first is written: a refusal writes nothing.
          const prepared = await inGroups(campaign.entries, (e) =>
            prepareActivity(ctx, caller, inputOf(campaign, e), now, { activityId: e.activityId, campaignId }),
          );
          await checkRooms(ctx, prepared);
          await commit(createCampaign(claim(transaction(ctx)), campaign, now.toISOString()));
          await scheduleMissing(ctx, caller, campaign, now, prepared);
          return created(await campaignView(ctx, campaign, now), `/activities/campaigns/${campaignId}`);
        },
      });
    },
  }),

  route('GET /activities/campaigns', {
    summary: 'List campaigns (统一部署), oldest first',
    access: ['committee'],
    outcomes: committeeOnly,
    responses: { 200: pageOf(CampaignListItemView) },
    request: { query: z.strictObject({ ...pageQuery }) },
    handler: async ({ query }, ctx) => {
      const page = await listCampaigns(ctx, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return ok(
        pageView(page, (c) => ({
          campaignId: c.campaignId,
          title: c.title,
          type: c.type,
          branches: c.entries.length,
          createdAt: c.createdAt,
        })),
      );
    },
  }),

  route('GET /activities/campaigns/{campaignId}', {
    summary:
      'A campaign’s page: each branch’s activity and where it stands (scheduled, held with or without evidence, missed)',
    access: ['committee'],
    outcomes: committeeOnly,
    responses: { 200: CampaignView },
    request: { params: campaignParams },
    handler: async ({ params, now }, ctx) => {
      const c = await getCampaign(ctx, params.campaignId);
      if (!c) throw notFound('Campaign');
      return ok(await campaignView(ctx, c, now));
    },
  }),
];
