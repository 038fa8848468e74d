/**
 * A bus event as the platform's functions take it: the dangjian envelope in `detail`, its
 * `data` checked against the publisher's contract. What breaks the contract is refused at
 * once (retrying will not mend it) and lands in the dead-letter queue for a human. (Not the
 * services' consumer wrapper: that one keeps idempotency markers in a service's table.)
 */
import { type BusEvent, type EventContract, envelopeSchema } from '../../shared/events/contract.js';

export class EventRefused extends Error {
  override readonly name = 'EventRefused';
}

export interface Delivered<Data> {
  eventId: string;
  occurredAt: string;
  contract: EventContract<string, Data>;
  data: Data;
}

export const parseEvent = <Data>(
  fn: string,
  contracts: readonly EventContract<string, Data>[],
  event: BusEvent,
): Delivered<Data> => {
  const contract = contracts.find((c) => c.source === event?.source && c.name === event?.['detail-type']);
  if (!contract) {
    throw new EventRefused(
      `${fn}: expected one of ${contracts.map((c) => `${c.source} ${c.name}`).join(', ')}, got ${String(event?.source)} ${String(event?.['detail-type'])}`,
    );
  }
  const envelope = envelopeSchema.safeParse(event.detail);
  if (!envelope.success) {
    throw new EventRefused(`${fn}: detail is not a dangjian envelope: ${envelope.error.message}`);
  }
  const data = contract.data.safeParse(envelope.data.data);
  if (!data.success) {
    throw new EventRefused(`${fn}: ${contract.name} does not match its contract: ${data.error.message}`, {
      cause: data.error,
    });
  }
  return { eventId: envelope.data.eventId, occurredAt: envelope.data.occurredAt, contract, data: data.data };
};
