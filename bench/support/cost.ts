/**
 * What one request costs on AWS, measured on the local platform: the route's consumed
 * capacity, then what its consumers consumed until the platform settled, the events put
 * and the consumers' run time, priced with the list prices of prices.ts. The api bench
 * prices every route with it, the notices bench a notice per recipient.
 */
import { stageConfig } from '../../infra/config.js';
import { addUsage, emptyUsage, type Usage } from './capacity.js';
import { type CallOptions, onDelivery, type Platform, type Reply } from './platform.js';
import { PRICES } from './prices.js';
import { ascending, percentile, round } from './report.js';

/** Lambda memory as prod deploys it: the size every figure is billed at. */
export const MEMORY_MB = stageConfig('prod').lambda.memorySize;

/** A request sent once per sample, each followed by a settle. */
export interface CostedRequest {
  route: string;
  status: number;
  request: (i: number) => { method: string; path: string; options: CallOptions };
  /** Told each answer, for a later route that goes on from it (an attempt, then its submission). */
  onReply?: (reply: Reply, i: number) => void;
  /** A route whose work grows with the invitees or participants: how many each sample had. */
  invitees?: number;
}

export interface RouteCost {
  route: string;
  samples: number;
  invitees?: number;
  latencyMs: number;
  sync: Usage;
  downstream: Usage;
  events: number;
  deliveries: number;
  consumerMs: number;
  usdPerMillion: Record<string, number> & { total: number };
}

const per = (u: Usage, n: number): Usage => ({
  ...u,
  calls: u.calls / n,
  readUnits: u.readUnits / n,
  writeUnits: u.writeUnits / n,
  itemsRead: u.itemsRead / n,
  queries: u.queries / n,
  scans: u.scans / n,
  failed: u.failed / n,
});

export const price = (c: Omit<RouteCost, 'usdPerMillion'>) => {
  const gb = MEMORY_MB / 1024;
  const billedS = (ms: number) => Math.ceil(ms) / 1000;
  const readUnits = c.sync.readUnits + c.downstream.readUnits;
  const writeUnits = c.sync.writeUnits + c.downstream.writeUnits;
  const parts = {
    apiGateway: PRICES.httpApiPerMillionRequests,
    routerLambda:
      PRICES.lambdaPerMillionRequests + gb * billedS(c.latencyMs) * PRICES.lambdaPerGbSecondArm * 1e6,
    dynamodb:
      readUnits * PRICES.dynamodbPerMillionReadUnits + writeUnits * PRICES.dynamodbPerMillionWriteUnits,
    events: c.events * PRICES.eventBridgePerMillionEvents,
    consumerLambdas:
      c.deliveries * PRICES.lambdaPerMillionRequests +
      gb * (c.consumerMs / 1000) * PRICES.lambdaPerGbSecondArm * 1e6,
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return Object.fromEntries(
    [...Object.entries(parts), ['total', total]].map(([k, v]) => [k, round(v as number, 3)]),
  ) as RouteCost['usdPerMillion'];
};

export const measureCost = async (p: Platform, r: CostedRequest, samples: number): Promise<RouteCost> => {
  let sync = emptyUsage();
  let downstream = emptyUsage();
  let events = 0;
  let deliveries = 0;
  let consumerMs = 0;
  const latencies: number[] = [];
  const stop = onDelivery((d) => {
    deliveries++;
    consumerMs += Math.ceil(d.ms);
  });
  try {
    for (let i = 0; i < samples; i++) {
      await p.runtime.settle();
      p.meter.take();
      p.meter.label = r.route;
      const accepted = p.runtime.bus.stats().accepted;
      const { method, path, options } = r.request(i);
      const reply = await p.call(method, path, options);
      if (reply.status !== r.status)
        throw new Error(
          `${r.route}: expected ${r.status}, got ${reply.status} ${JSON.stringify(reply.body)}`,
        );
      latencies.push(reply.ms);
      r.onReply?.(reply, i);
      sync = addUsage(sync, p.meter.take());
      p.meter.label = `consumers of ${r.route}`;
      await p.runtime.settle();
      downstream = addUsage(downstream, p.meter.take());
      events += p.runtime.bus.stats().accepted - accepted;
    }
  } finally {
    stop();
    p.meter.label = 'unlabelled';
  }
  const base = {
    route: r.route,
    samples,
    ...(r.invitees !== undefined ? { invitees: r.invitees } : {}),
    latencyMs: round(percentile(ascending(latencies), 0.5)),
    sync: per(sync, samples),
    downstream: per(downstream, samples),
    events: events / samples,
    deliveries: deliveries / samples,
    consumerMs: round(consumerMs / samples),
  };
  return { ...base, usdPerMillion: price(base) };
};
