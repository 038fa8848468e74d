/** Cadence compliance, participation and room utilisation. Every read is a Query or a GetItem. */
import * as z from 'zod';
import { actsForBranch, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, ruleViolation } from '../../../shared/errors.js';
import { ok } from '../../../shared/http/result.js';
import { idParam } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { localDate, localYear, startOfLocalDay } from '../../../shared/time.js';
import { branchRoster } from '../../talent/roster.js';
import { bookedHoursWithin } from '../domain/booking.js';
import { type CadenceRules, compliance } from '../domain/cadence.js';
import { evidenceCompliance } from '../domain/evidence.js';
import { LOW_PARTICIPATION, participation } from '../domain/participation.js';
import { groupsWithMembers } from '../domain/party-groups.js';
import { evidenceTally } from '../store/evidence.js';
import {
  allRooms,
  bookingsAround,
  completedActivities,
  getCadence,
  knownBranches,
  meetingPartyGroups,
  participationRecords,
  partyGroupTally,
  rosterReader,
} from '../store.js';
import { ComplianceView, local, ParticipationView, RoomUtilisationView } from '../views.js';
import { anyOrganiser, branchOrganisers, instant } from './common.js';

const DAY = 86_400_000;
const MAX_WINDOW = 366 * DAY;

/**
 * The branch an insight is about: the one named, if the caller acts for it; none named, every
 * branch for the committee (undefined) and their own for a secretary. Outside the caller's
 * scope, or for an account of no branch, the branch is not found.
 */
export const scopedBranch = (caller: Caller, branchId: string | undefined): string | undefined => {
  if (branchId === undefined && hasRole(caller, 'committee')) return undefined;
  const chosen = branchId ?? caller.branchId;
  if (!chosen || !actsForBranch(caller, chosen)) throw notFound('Branch');
  return chosen;
};

/** An insight as asked: by whom, for which branch (and period), and when. */
interface InsightRequest<Query extends { branchId?: string }> {
  caller: Caller;
  query: Query;
  now: Date;
}

/**
 * The branches an insight reads: `branchId` the one in the caller's scope (undefined: every
 * branch, for the committee), `branches` it or every branch the service knows. Called first,
 * so a branch out of scope is not found before anything else about the query is judged.
 */
const branchesInScope = async (
  ctx: ServiceContext,
  { caller, query }: InsightRequest<{ branchId?: string }>,
) => {
  const branchId = scopedBranch(caller, query.branchId);
  const branches = branchId === undefined ? (await knownBranches(ctx)).sort() : [branchId];
  return { branchId, branches };
};

/** `each` per branch, a few at a time: an institution has tens of branches, not thousands. */
const perBranch = async <T>(branches: readonly string[], each: (branchId: string) => Promise<T>) => {
  const results: T[] = [];
  for (let i = 0; i < branches.length; i += 8) {
    results.push(...(await Promise.all(branches.slice(i, i + 8).map(each))));
  }
  return results;
};

const window = (from: string | undefined, to: string | undefined, now: Date, defaultFrom: Date) => {
  const start = from ? new Date(from) : defaultFrom;
  const end = to ? new Date(to) : now;
  if (end.getTime() <= start.getTime()) throw ruleViolation('empty-window', '`to` must be after `from`');
  if (end.getTime() - start.getTime() > MAX_WINDOW) {
    throw ruleViolation('window-too-long', 'An insight covers at most 366 days');
  }
  return { start, end };
};

/**
 * A branch's party groups are the ones with members in its party-group tally (kept with the
 * roster copy: one item, however large the branch), plus any that held a meeting this year.
 * A group that has neither (empty, never met) cannot be seen: talent publishes no event for
 * party groups themselves.
 */
const branchCompliance = async (
  ctx: ServiceContext,
  branchId: string,
  year: number,
  today: string,
  rules: CadenceRules,
) => {
  const [activities, tally, evidence] = await Promise.all([
    completedActivities(
      ctx,
      branchId,
      startOfLocalDay(`${year}-01-01`).toISOString(),
      startOfLocalDay(`${year + 1}-01-01`).toISOString(),
    ),
    partyGroupTally(ctx, branchId),
    evidenceTally(ctx, branchId),
  ]);
  const partyGroupIds = [...groupsWithMembers(tally), ...meetingPartyGroups(activities)];
  const held = activities.map((a) => ({
    type: a.type,
    ...(a.partyGroupId ? { partyGroupId: a.partyGroupId } : {}),
    heldOn: localDate(new Date(a.startsAt)),
    activityId: a.activityId,
    ...(a.recordedLate ? { recordedLate: true } : {}),
  }));
  const meetings = activities.map((a) => ({
    activityId: a.activityId,
    type: a.type,
    ...(a.partyGroupId ? { partyGroupId: a.partyGroupId } : {}),
    title: a.title,
    heldOn: localDate(new Date(a.startsAt)),
  }));
  return {
    branchId,
    ...compliance({ year, today, rules, held, partyGroupIds }),
    evidence: evidenceCompliance(meetings, evidence),
  };
};

/** What compliance is asked: a branch (or every branch in scope) and a year. */
export const complianceQuery = z.strictObject({
  branchId: idParam.optional(),
  year: z.coerce.number().int().min(2000).max(2100).optional(),
});

/** Compliance as `GET /activities/insights/compliance` answers it (its export writes the same). */
export const complianceReport = async (
  ctx: ServiceContext,
  asked: InsightRequest<z.output<typeof complianceQuery>>,
): Promise<z.output<typeof ComplianceView>> => {
  const { branches } = await branchesInScope(ctx, asked);
  const year = asked.query.year ?? localYear(asked.now);
  const today = localDate(asked.now);
  const { rules } = await getCadence(ctx);
  const results = await perBranch(branches, (b) => branchCompliance(ctx, b, year, today, rules));
  return { year, asOf: today, rules, branches: results };
};

/** What participation is asked: a branch (or every branch in scope) and a window. */
export const participationQuery = z.strictObject({
  branchId: idParam.optional(),
  from: instant.optional(),
  to: instant.optional(),
});

/** Participation as `GET /activities/insights/participation` answers it (its export writes the same). */
export const participationReport = async (
  ctx: ServiceContext,
  asked: InsightRequest<z.output<typeof participationQuery>>,
): Promise<z.output<typeof ParticipationView>> => {
  const { branchId, branches: inScope } = await branchesInScope(ctx, asked);
  const { query, now } = asked;
  // Without a window: the year so far.
  const { start, end } = window(query.from, query.to, now, startOfLocalDay(`${localYear(now)}-01-01`));
  const branches = await perBranch(inScope, async (b) => ({
    records: await participationRecords(ctx, b, start.toISOString(), end.toISOString()),
    roster: await branchRoster(rosterReader(ctx), b),
  }));
  // Across branches a person who moved counts once, with everything they were invited to.
  const result = participation(branches.flatMap((b) => b.records));
  const names = new Map(branches.flatMap((b) => b.roster.map((p) => [p.personId, p.name] as const)));
  return {
    ...(branchId === undefined ? {} : { branchId }),
    from: local(start.toISOString()),
    to: local(end.toISOString()),
    threshold: LOW_PARTICIPATION,
    invited: result.invited,
    attended: result.attended,
    rate: result.rate,
    members: result.members.map((m) => {
      const name = names.get(m.personId);
      return { ...m, ...(name === undefined ? {} : { name }) };
    }),
  };
};

export const insightRoutes = [
  route('GET /activities/insights/compliance', {
    summary:
      'Cadence compliance (三会一课) per branch and period: held vs required, overdue; and which held meetings have evidence (佐证材料)',
    description:
      'Without `branchId`, the committee gets every branch and a secretary their own; with it, the committee any branch and a secretary only their own (404 otherwise, and for an account of no branch).',
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    responses: { 200: ComplianceView },
    request: { query: complianceQuery },
    handler: async (req, ctx) => ok(await complianceReport(ctx, req)),
  }),

  route('GET /activities/insights/participation', {
    summary:
      'Participation rate per member, of a branch or every branch, with those below the threshold flagged',
    description:
      'Without `branchId`, the committee gets every branch together (no `branchId` in the answer) and a secretary their own branch; with it, the committee any branch and a secretary only their own (404 otherwise, and for an account of no branch).',
    access: ['committee', 'secretary'],
    refusals: ['empty-window', 'window-too-long'],
    outcomes: branchOrganisers,
    responses: { 200: ParticipationView },
    request: { query: participationQuery },
    handler: async (req, ctx) => ok(await participationReport(ctx, req)),
  }),

  route('GET /activities/insights/rooms', {
    summary: 'Room (党员活动室) utilisation in a window: bookings and booked hours',
    access: ['committee', 'secretary'],
    refusals: ['empty-window', 'window-too-long'],
    outcomes: anyOrganiser,
    responses: { 200: RoomUtilisationView },
    request: { query: z.strictObject({ from: instant, to: instant }) },
    handler: async ({ query, now }, ctx) => {
      const { start, end } = window(query.from, query.to, now, now);
      const hours = (end.getTime() - start.getTime()) / 3_600_000;
      const rooms = [];
      for (const room of await allRooms(ctx)) {
        const bookings = await bookingsAround(ctx, room.roomId, start.toISOString(), end.toISOString());
        const booked = bookedHoursWithin(bookings, start, end);
        rooms.push({
          roomId: room.roomId,
          name: room.name,
          capacity: room.capacity,
          bookings: bookings.length,
          bookedHours: booked,
          // Share of every hour in the window (round the clock, not office hours).
          utilisation: Math.round((booked / hours) * 10_000) / 10_000,
        });
      }
      return ok({
        from: local(start.toISOString()),
        to: local(end.toISOString()),
        hours,
        rooms,
      } satisfies z.output<typeof RoomUtilisationView>);
    },
  }),
];
