import * as z from 'zod';
import type { Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { type DomainError, noPerson, notFound } from '../../../shared/errors.js';
import { invalidCursor } from '../../../shared/http/cursor.js';
import { pageQuery } from '../../../shared/http/paging.js';
import { ok } from '../../../shared/http/result.js';
import { idParam } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import type { ActivityType } from '../../activities/events.js';
import type { jointEventKinds } from '../../community/events.js';
import { canSeePerson, type Person } from '../domain/person.js';
import { type Contribution, pointsOf, yearlyPoints } from '../domain/points.js';
import type { AccountState } from '../domain/roles.js';
import { evidenceOfItem, isEvidenceItem } from '../store/evidence.js';
import { personPartition, strip } from '../store.js';
import {
  type HistoryEntry,
  type Profile,
  personRecord,
  type RecordEntry,
  type TalentPool,
  Timeline,
  type TimelineEntry,
} from '../views.js';
import { auditRead } from './audit.js';
import { personAndManagers } from './outcomes.js';
import { viewOf } from './records.js';

/** A timeline entry with its position (the item's sort key) for ordering and the cursor. */
type Entry = TimelineEntry & { order: string };

interface Gathered {
  person: Person;
  stages: (HistoryEntry & { order: string })[];
  records: (RecordEntry & { order: string })[];
  contributions: Entry[];
  pools: TalentPool[];
  points: ReturnType<typeof yearlyPoints>;
  account?: AccountState;
}

const newestFirst = (a: Pick<Entry, 'on' | 'order'>, b: Pick<Entry, 'on' | 'order'>) =>
  b.on.localeCompare(a.on) || b.order.localeCompare(a.order);

/**
 * A contribution as the timeline shows it: its facts, its points, and the few details the
 * reporting event gave, named one by one so nothing else stored with it is shown.
 */
const contributionEntry = (item: Record<string, unknown>, c: Contribution): TimelineEntry => {
  const s = (field: string) => item[field] as string;
  const points = pointsOf(c);
  switch (c.kind) {
    case 'attendance':
      return {
        type: 'attendance',
        on: c.on,
        status: c.status,
        points,
        activityId: s('activityId'),
        activityType: item.activityType as ActivityType,
        title: s('title'),
        branchId: s('branchId'),
        ...(item.recordedLate
          ? { recordedLate: item.recordedLate as { reason: string; recordedAt: string } }
          : {}),
      };
    case 'study':
      return {
        type: 'study',
        on: c.on,
        minutes: c.minutes,
        points,
        resourceId: s('resourceId'),
        title: s('title'),
      };
    case 'assessment':
      return {
        type: 'assessment',
        on: c.on,
        assessmentId: c.assessmentId,
        attemptId: s('attemptId'),
        passed: c.passed,
        score: item.score as number,
        points,
        title: s('title'),
      };
    case 'volunteering':
      return {
        type: 'volunteering',
        on: c.on,
        hours: c.hours,
        points,
        jointEventId: s('jointEventId'),
        jointEventKind: item.jointEventKind as (typeof jointEventKinds)[number],
        title: s('title'),
      };
  }
};

/** A history item (stage change, extension, oath, pipeline fact) as stored, without its keys. */
const historyEntry = (item: Record<string, unknown>): HistoryEntry => strip<HistoryEntry>(item);

/** Everything under a person, read in one Query of their partition; `missing` is the error when there is no such person. */
const gather = async (
  ctx: ServiceContext,
  caller: Caller,
  personId: string,
  missing: () => DomainError = () => notFound('Person'),
): Promise<Gathered> => {
  const items = await personPartition(ctx, personId);
  const personItem = items.find((i) => i.sk === 'PERSON');
  if (!personItem) throw missing();
  const person = strip<Person>(personItem);
  if (!canSeePerson(caller, person)) throw notFound('Person');
  const g: Gathered = { person, stages: [], records: [], contributions: [], pools: [], points: [] };
  const credited: Contribution[] = [];
  for (const item of items) {
    const order = item.sk as string;
    if (order.startsWith('STAGE#')) g.stages.push({ ...historyEntry(item), order });
    else if (order.startsWith('RECORD#')) {
      const record = viewOf(item);
      g.records.push({ type: 'record', on: record.date, ...record, order });
    } else if (order.startsWith('POOL#')) g.pools.push(item.pool as TalentPool);
    else if (order.startsWith('CONTRIB#')) {
      const contribution = item.contribution as Contribution;
      credited.push(contribution);
      g.contributions.push({ ...contributionEntry(item, contribution), order });
    }
  }
  g.points = yearlyPoints(credited);
  // Each step of the history names the checked files evidencing it (佐证材料).
  const files = items.filter(isEvidenceItem).map(evidenceOfItem);
  g.stages = g.stages.map((e) => {
    const step = e.type === 'stage' ? e.to : e.type;
    if (e.type === 'probation-extended' || e.type === 'oath' || step === 'masses') return e;
    const ids = files.filter((f) => f.status === 'available' && f.step === step).map((f) => f.attachmentId);
    return { ...e, evidenceFiles: ids };
  });
  return g;
};

const withoutOrder = <T extends { order: string }>({ order: _o, ...e }: T): Omit<T, 'order'> => e;

const cursorSchema = z.strictObject({ on: z.string().max(10), order: z.string().max(300) });

/** A page of the timeline, newest first; the cursor is the position of the last entry given. */
const page = async (ctx: ServiceContext, g: Gathered, limit: number, cursor: string | undefined) => {
  const position =
    cursor === undefined ? undefined : cursorSchema.safeParse(await ctx.cursors.open('timeline', cursor));
  if (position && !position.success) throw invalidCursor();
  const after = position?.data;
  const sorted = [...g.stages, ...g.records, ...g.contributions].sort(newestFirst);
  const rest = after ? sorted.filter((e) => newestFirst(e, after as Entry) > 0) : sorted;
  const items = rest.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rest.length > limit && last
      ? await ctx.cursors.seal('timeline', { on: last.on, order: last.order })
      : undefined;
  return { items: items.map((e) => withoutOrder(e) as TimelineEntry), ...(nextCursor ? { nextCursor } : {}) };
};

/**
 * `GET /talent/me`: the caller's profile, stage, records and points. An account whose person
 * the register does not hold is no one here: 403 `no-person`, and nothing is audited.
 */
export const profileOf = async (
  ctx: ServiceContext,
  caller: Caller,
  personId: string,
): Promise<z.output<typeof Profile>> => {
  const g = await gather(ctx, caller, personId, noPerson);
  // Someone who left the register is no one here either, though their record is kept.
  if (g.person.departure) throw noPerson();
  return {
    person: personRecord(g.person, g.account),
    stage: {
      politicalStatus: g.person.politicalStatus,
      since: g.person.statusSince,
      ...(g.person.probation ? { probation: g.person.probation } : {}),
    },
    history: g.stages.sort(newestFirst).map((e) => withoutOrder(e) as HistoryEntry),
    records: g.records.sort(newestFirst).map((e) => withoutOrder(e) as RecordEntry),
    pools: g.pools,
    points: g.points,
  };
};

export const timelineRoutes = [
  route('GET /talent/people/{personId}/timeline', {
    access: ['committee', 'secretary', 'member'],
    summary: "A person's timeline (成长轨迹), newest first, with yearly points (积分)",
    outcomes: personAndManagers,
    responses: { 200: Timeline },
    request: {
      params: z.strictObject({ personId: idParam }),
      // A person's timeline is short; the default page holds a few years of it.
      query: z.strictObject({ ...pageQuery, limit: z.coerce.number().int().min(1).max(500).default(200) }),
    },
    handler: async (req, ctx) => {
      const { params, query, caller } = req;
      const g = await gather(ctx, caller, params.personId);
      // The page first: a forged cursor is refused before anything is recorded as read.
      const body: z.output<typeof Timeline> = {
        personId: g.person.personId,
        ...(await page(ctx, g, query.limit, query.cursor)),
        points: g.points,
      };
      await auditRead(ctx, req, 'timeline.read', { personId: g.person.personId });
      return ok(body);
    },
  }),
];
