import type { ServiceContext } from '../context.js';
import { DomainError } from '../errors.js';
import type { ServiceDescription, SubscriptionSpec } from '../service.js';
import { getItem } from '../store/query.js';
import { Transaction } from '../store/transaction.js';
import { type BusEvent, envelopeSchema } from './contract.js';

/** What a subscription handler sees: the envelope's fields with `data` checked against the contract. */
export interface ConsumedEvent<Data> {
  /** The idempotency key: `detail.eventId` for dangjian events, the EventBridge id otherwise. */
  eventId: string;
  occurredAt: string;
  source: string;
  detailType: string;
  data: Data;
  raw: BusEvent;
}

/**
 * A subscription handler adds its effects to `tx` and returns; the wrapper commits them
 * together with the "seen" marker, so an event applies exactly once however often it is
 * delivered. Handlers may read first; invariants belong in the transaction's conditions.
 */
export type SubscriptionHandler<Data> = (
  event: ConsumedEvent<Data>,
  tx: Transaction,
  context: ServiceContext,
) => Promise<void>;

const alreadyApplied = (): DomainError =>
  new DomainError('conflict', 'already-applied', 'Event already applied');

/** Thrown for an event that can never be applied (it breaks the contract): retrying will not help. */
export class EventRejected extends Error {
  override readonly name = 'EventRejected';
}

const consumed = (subscription: SubscriptionSpec, event: BusEvent): ConsumedEvent<unknown> => {
  if (!subscription.contract) {
    return {
      eventId: event.id,
      occurredAt: event.time,
      source: event.source,
      detailType: event['detail-type'],
      data: event.detail,
      raw: event,
    };
  }
  const envelope = envelopeSchema.safeParse(event.detail);
  if (!envelope.success) {
    throw new EventRejected(
      `${subscription.name}: detail is not a dangjian envelope: ${envelope.error.message}`,
    );
  }
  const data = subscription.contract.data.safeParse(envelope.data.data);
  if (!data.success) {
    throw new EventRejected(
      `${subscription.name}: ${event['detail-type']} does not match its contract: ${data.error.message}`,
      { cause: data.error },
    );
  }
  return {
    eventId: envelope.data.eventId,
    occurredAt: envelope.data.occurredAt,
    source: event.source,
    detailType: event['detail-type'],
    data: data.data,
    raw: event,
  };
};

export const createSubscriptionHandler = (
  description: ServiceDescription,
  subscriptionName: string,
  context: ServiceContext,
): ((event: BusEvent) => Promise<void>) => {
  const subscription = description.subscriptions.find((s) => s.name === subscriptionName);
  if (!subscription) throw new Error(`${description.name} has no subscription "${subscriptionName}"`);
  const { partitionKey, sortKey } = description.table;

  return async (event) => {
    const incoming = consumed(subscription, event);
    const marker = {
      [partitionKey.name]: `SEEN#${subscription.name}#${incoming.eventId}`,
      [sortKey.name]: 'SEEN',
    };
    // Cheap early exit for the common duplicate; the transaction's condition is what makes it safe.
    const seen = await getItem(context, marker);
    if (seen) {
      context.log.info('duplicate event skipped', {
        subscription: subscription.name,
        eventId: incoming.eventId,
      });
      return;
    }
    const tx = new Transaction({
      db: context.db,
      tableName: context.env.tableName,
      table: description.table,
    });
    await subscription.handler(incoming, tx, context);
    tx.put(
      { ...marker, kind: 'seen', subscription: subscription.name, appliedAt: context.clock().toISOString() },
      {
        condition: 'attribute_not_exists(#pk)',
        names: { '#pk': partitionKey.name },
        onConditionFailed: alreadyApplied,
      },
    );
    try {
      await tx.commit();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'already-applied') {
        context.log.info('duplicate event skipped', {
          subscription: subscription.name,
          eventId: incoming.eventId,
        });
        return;
      }
      throw error;
    }
  };
};
