import { newId } from '../ids.js';
import type { Envelope, EventContract } from './contract.js';

/**
 * The outbox item that travels with a state change in one DynamoDB transaction. The
 * table's stream carries it to the relay, which puts it on the bus: a write never commits
 * without its event, and an event is never sent for a write that did not commit.
 *
 * Items of one aggregate share a partition (`OUTBOX#<aggregate>`) and sort by ULID event
 * id, so the stream, which is ordered per item key, relays one aggregate's events in
 * the order they happened.
 */
export const OUTBOX_KIND = 'outbox';
/** Stream records worth relaying; on AWS the event-source mapping's filter, locally the poller's. */
export const outboxStreamFilter = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { kind: { S: [OUTBOX_KIND] } } },
} as const;

/** How long a relayed outbox item is kept: the stream's own retention is 24 hours. */
const OUTBOX_RETENTION_SECONDS = 2 * 24 * 60 * 60;

export interface OutboxItem {
  kind: typeof OUTBOX_KIND;
  source: string;
  detailType: string;
  /** The envelope as JSON text, exactly as it will appear as the event's detail. */
  detail: string;
  expiresAt: number;
}

export interface PublishOptions {
  /** The aggregate the event is about (a person id, an activity id): orders its events. */
  key: string;
  occurredAt: Date;
}

export const buildEnvelope = <Data>(
  contract: EventContract<string, Data>,
  data: Data,
  occurredAt: Date,
): Envelope<Data> => {
  // Parsing both validates against the publisher's contract and drops nothing silently:
  // a contract violation is a programming error and must fail the write.
  const parsed = contract.data.safeParse(data);
  if (!parsed.success) {
    throw new Error(`${contract.name} does not match its contract: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return {
    eventId: newId(),
    occurredAt: occurredAt.toISOString(),
    version: contract.version,
    data: parsed.data,
  };
};

export const outboxKey = (aggregate: string, eventId: string): { partition: string; sort: string } => ({
  partition: `OUTBOX#${aggregate}`,
  sort: `EVENT#${eventId}`,
});

export const outboxItem = <Data>(
  contract: EventContract<string, Data>,
  envelope: Envelope<Data>,
  occurredAt: Date,
): OutboxItem => ({
  kind: OUTBOX_KIND,
  source: contract.source,
  detailType: contract.name,
  detail: JSON.stringify(envelope),
  expiresAt: Math.floor(occurredAt.getTime() / 1000) + OUTBOX_RETENTION_SECONDS,
});
