import { z } from 'zod';
import type { Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { badRequest, notFound } from '../../../shared/errors.js';
import { decodeCursor, encodeCursor, pageQuery } from '../../../shared/http/paging.js';
import { ok } from '../../../shared/http/result.js';
import { idParam } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { canSeePerson, type Person, personView } from '../domain/person.js';
import { type Contribution, pointsOf, yearlyPoints } from '../domain/points.js';
import { personPartition, strip } from '../store.js';

/** A timeline entry: what happened on which local date, newest first. */
interface Entry {
  type: string;
  on: string;
  order: string;
  [field: string]: unknown;
}

interface Gathered {
  person: Person;
  stages: Entry[];
  records: Entry[];
  contributions: Entry[];
  pools: string[];
  points: ReturnType<typeof yearlyPoints>;
}

const newestFirst = (a: Entry, b: Entry) => b.on.localeCompare(a.on) || b.order.localeCompare(a.order);

/** Everything under a person, read in one Query of their partition. */
const gather = async (ctx: ServiceContext, caller: Caller, personId: string): Promise<Gathered> => {
  const items = await personPartition(ctx, personId);
  const personItem = items.find((i) => i.sk === 'PERSON');
  if (!personItem) throw notFound('Person');
  const person = strip<Person>(personItem);
  if (!canSeePerson(caller, person)) throw notFound('Person');
  const stages: Entry[] = [];
  const records: Entry[] = [];
  const contributions: Entry[] = [];
  const pools: string[] = [];
  const credited: Contribution[] = [];
  for (const item of items) {
    const sk = item.sk as string;
    const rest = strip<Record<string, unknown>>(item);
    if (sk.startsWith('STAGE#')) stages.push({ ...(rest as Entry), order: sk });
    else if (sk.startsWith('RECORD#')) {
      const { recordKind, ...record } = rest as Record<string, unknown>;
      records.push({ ...(record as Entry), type: 'record', kind: recordKind, order: sk });
    } else if (sk.startsWith('POOL#')) pools.push(item.pool as string);
    else if (sk.startsWith('CONTRIB#')) {
      const contribution = item.contribution as Contribution;
      credited.push(contribution);
      const { contribution: _c, occurredAtMs: _o, ...details } = rest as Record<string, unknown>;
      const { kind: _k, ...facts } = contribution;
      contributions.push({
        ...(details as Omit<Entry, 'type' | 'on' | 'order'>),
        ...facts,
        type: contribution.kind,
        points: pointsOf(contribution),
        order: sk,
      });
    }
  }
  return { person, stages, records, contributions, pools, points: yearlyPoints(credited) };
};

const cursorSchema = z.strictObject({ on: z.string().max(10), order: z.string().max(300) });

/** A page of the timeline, newest first; the cursor is the position of the last entry given. */
const page = (g: Gathered, limit: number, cursor: string | undefined) => {
  const decoded = decodeCursor(cursor);
  const position = decoded === undefined ? undefined : cursorSchema.safeParse(decoded);
  if (position && !position.success)
    throw badRequest('invalid-cursor', 'The cursor is not one this API issued');
  const after = position?.data;
  const sorted = [...g.stages, ...g.records, ...g.contributions].sort(newestFirst);
  const rest = after ? sorted.filter((e) => newestFirst(e, after as Entry) > 0) : sorted;
  const items = rest.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rest.length > limit && last ? encodeCursor({ on: last.on, order: last.order }) : undefined;
  return { items: items.map(({ order: _o, ...e }) => e), ...(nextCursor ? { nextCursor } : {}) };
};

/** `GET /talent/me`: the caller's profile, stage, records and points. */
export const profileOf = async (ctx: ServiceContext, caller: Caller, personId: string) => {
  const g = await gather(ctx, caller, personId);
  return {
    person: personView(g.person, caller),
    stage: {
      politicalStatus: g.person.politicalStatus,
      since: g.person.statusSince,
      ...(g.person.probation ? { probation: g.person.probation } : {}),
    },
    history: g.stages.sort(newestFirst).map(({ order: _o, ...e }) => e),
    records: g.records.sort(newestFirst).map(({ order: _o, ...e }) => e),
    pools: g.pools,
    points: g.points,
  };
};

export const timelineRoutes = [
  route('GET /talent/people/{personId}/timeline', {
    access: ['committee', 'secretary', 'member'],
    request: {
      params: z.strictObject({ personId: idParam }),
      // A person's timeline is short; the default page holds a few years of it.
      query: z.strictObject({ ...pageQuery, limit: z.coerce.number().int().min(1).max(500).default(200) }),
    },
    handler: async ({ params, query, caller }, ctx) => {
      const g = await gather(ctx, caller, params.personId);
      return ok({ personId: g.person.personId, ...page(g, query.limit, query.cursor), points: g.points });
    },
  }),
];
