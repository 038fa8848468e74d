/**
 * Late entry: what happened at an activity may be written down after the fact (minutes are
 * sometimes typed up later), but never silently and never without bound. Pure: `now` (the
 * request time) is a parameter; days are local (Asia/Shanghai) calendar days.
 *
 * - Scheduling an activity whose end is already past (or moving a scheduled one's end into
 *   the past) records it after the fact: it always needs a `lateEntryReason`.
 * - Recording attendance or completing is on time through the 7th local day after the day
 *   the activity ended; from the 8th day on it needs a `lateEntryReason`.
 * - From the 61st local day after the day it ended, a secretary may no longer record it at
 *   all (422 `late-entry-closed`); the committee still may, with a reason.
 * - The first late write marks the activity (`recordedLate`: reason, when, by whom): its view,
 *   compliance and the events it publishes show it. Later late writes need their own reason;
 *   the mark keeps the first.
 */
import { accept, type DomainError, type Result, refuse, ruleViolation } from '../../../shared/errors.js';
import { addDays, localDate, startOfLocalDay, toLocalIso } from '../../../shared/time.js';

/** Local days after the day an activity ended during which attendance and completion need no reason. */
export const LATE_ENTRY_GRACE_DAYS = 7;
/** Local days after the day an activity ended after which only the committee may record it. */
export const LATE_ENTRY_LIMIT_DAYS = 60;

export interface LateEntry {
  reason: string;
  /** UTC ISO instant of the late write. */
  recordedAt: string;
  /** The person who wrote it. */
  by: string;
}

/** `create`: scheduling (or moving) the activity; `record`: attendance or completion. */
export type LateWrite = 'create' | 'record';

/** The first instant (local midnight) `days` local days after the local day of `endsAt` has passed. */
const afterDays = (endsAt: string, days: number): number =>
  startOfLocalDay(addDays(localDate(new Date(endsAt)), days + 1)).getTime();

/** When a write about an activity ending at `endsAt` stops being on time, and when a secretary's stops. */
export const lateEntryEdges = (endsAt: string) => ({
  graceEnds: new Date(afterDays(endsAt, LATE_ENTRY_GRACE_DAYS)),
  secretaryLimit: new Date(afterDays(endsAt, LATE_ENTRY_LIMIT_DAYS)),
});

/**
 * Whether a write about an activity ending at `endsAt` is late at `now`, and if so whether it
 * may go ahead: undefined when on time, the mark to keep when late and allowed, else a refusal
 * (422 `late-entry-reason-required`, `late-entry-closed`).
 */
export const lateEntry = (input: {
  write: LateWrite;
  endsAt: string;
  now: Date;
  reason: string | undefined;
  committee: boolean;
  by: string;
}): Result<LateEntry | undefined, DomainError> => {
  const { graceEnds, secretaryLimit } = lateEntryEdges(input.endsAt);
  const t = input.now.getTime();
  const late = input.write === 'create' ? t > Date.parse(input.endsAt) : t >= graceEnds.getTime();
  if (!late) return accept(undefined);
  if (t >= secretaryLimit.getTime() && !input.committee) {
    return refuse(
      ruleViolation(
        'late-entry-closed',
        `An activity can be recorded by its secretary until ${LATE_ENTRY_LIMIT_DAYS} days after it ended; ask the committee`,
        { endsAt: toLocalIso(new Date(input.endsAt)), closedAt: toLocalIso(secretaryLimit) },
      ),
    );
  }
  if (input.reason === undefined) {
    return refuse(
      ruleViolation(
        'late-entry-reason-required',
        input.write === 'create'
          ? 'The activity has already ended: say why it is recorded after the fact (lateEntryReason)'
          : `More than ${LATE_ENTRY_GRACE_DAYS} days after the activity ended: say why it is recorded late (lateEntryReason)`,
        {
          endsAt: toLocalIso(new Date(input.endsAt)),
          ...(input.write === 'record' ? { graceEndedAt: toLocalIso(graceEnds) } : {}),
        },
      ),
    );
  }
  return accept({ reason: input.reason, recordedAt: toLocalIso(input.now), by: input.by });
};
