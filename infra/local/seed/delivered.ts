/**
 * Ready means caught up: the seed's requests set off events (timelines, calendars, agendas,
 * inboxes) that the local bus may still be delivering when the last request answers. The
 * demo is ready when the runtime's `/health` shows nothing in flight on the bus and the
 * outbox relays idle, twice in a row a poll apart (a relay polls its stream every 100 ms,
 * so an outbox item committed just before the first look is on the bus by the second).
 */

interface Health {
  parts?: {
    bus?: { accepted?: number; inFlight?: number };
    relays?: { services?: Record<string, { relayed?: number }> };
  };
}

export interface Settled {
  /** Time spent waiting, in ms. */
  waitedMs: number;
  /** False when the budget ran out first: what was still in flight. */
  caughtUp: boolean;
  inFlight: number;
}

const POLL_MS = 500;

const stateOf = (h: Health) => ({
  inFlight: h.parts?.bus?.inFlight ?? 0,
  accepted: h.parts?.bus?.accepted ?? 0,
  relayed: Object.values(h.parts?.relays?.services ?? {}).reduce((n, r) => n + (r.relayed ?? 0), 0),
});

export const untilDelivered = async (
  url: string,
  { budgetMs = 180_000, onWait }: { budgetMs?: number; onWait?: (inFlight: number) => void } = {},
): Promise<Settled> => {
  const started = Date.now();
  let last: ReturnType<typeof stateOf> | undefined;
  for (;;) {
    const now = stateOf((await (await fetch(`${url}/health`)).json()) as Health);
    const still =
      last !== undefined &&
      now.inFlight === 0 &&
      last.inFlight === 0 &&
      now.accepted === last.accepted &&
      now.relayed === last.relayed;
    const waitedMs = Date.now() - started;
    if (still) return { waitedMs, caughtUp: true, inFlight: 0 };
    if (waitedMs > budgetMs) return { waitedMs, caughtUp: false, inFlight: now.inFlight };
    if (now.inFlight > 0) onWait?.(now.inFlight);
    last = now;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
};
