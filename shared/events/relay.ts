import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { pause } from '../backoff.js';
import { OUTBOX_KIND } from './outbox.js';

/** PutEvents takes at most 10 entries a call. */
const PUT_EVENTS_BATCH = 10;

export interface RelayOptions {
  eventBridge: EventBridgeClient;
  busName: string;
  log: Logger;
  /** Attempts per batch for entries EventBridge refused, before handing back to the stream. */
  attempts?: number;
  /** Pause between those attempts; tests make it tiny. */
  backoffMs?: number;
}

interface Pending {
  sequenceNumber: string;
  entry: PutEventsRequestEntry;
}

const toPending = (record: DynamoDBRecord, busName: string): Pending | undefined => {
  const image = record.dynamodb?.NewImage;
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  // On AWS the event-source filter already drops everything else; this guards a misconfigured filter.
  if (record.eventName !== 'INSERT' || image?.kind?.S !== OUTBOX_KIND || !sequenceNumber) return undefined;
  const source = image.source?.S;
  const detailType = image.detailType?.S;
  const detail = image.detail?.S;
  if (!source || !detailType || !detail) return undefined;
  return {
    sequenceNumber,
    entry: { EventBusName: busName, Source: source, DetailType: detailType, Detail: detail },
  };
};

/**
 * Relays outbox items from the table's stream to the bus, in stream order, ten at a time.
 * Entries EventBridge refuses are retried; if they still fail, the first failed record is
 * reported (ReportBatchItemFailures) so the stream hands it and everything after it back:
 * an event may be sent twice (consumers are idempotent), never dropped.
 */
export const createRelayHandler = (options: RelayOptions) => {
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 200;

  const putWithRetry = async (batch: Pending[]): Promise<Pending | undefined> => {
    let remaining = batch;
    for (let attempt = 1; ; attempt++) {
      let failedIndexes: number[];
      try {
        const result = await options.eventBridge.send(
          new PutEventsCommand({ Entries: remaining.map((p) => p.entry) }),
        );
        failedIndexes = (result.Entries ?? []).flatMap((entry, index) => (entry.ErrorCode ? [index] : []));
        if ((result.FailedEntryCount ?? 0) > 0 && failedIndexes.length === 0)
          failedIndexes = remaining.map((_, i) => i);
      } catch (error) {
        options.log.warn('PutEvents failed', { attempt, error: error as Error });
        failedIndexes = remaining.map((_, i) => i);
      }
      remaining = failedIndexes.map((i) => remaining[i] as Pending);
      if (remaining.length === 0) return undefined;
      if (attempt >= attempts) return remaining[0];
      await pause(backoffMs * 2 ** (attempt - 1));
    }
  };

  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const pending = event.Records.map((r) => toPending(r, options.busName)).filter((p): p is Pending => !!p);
    for (let start = 0; start < pending.length; start += PUT_EVENTS_BATCH) {
      const firstFailed = await putWithRetry(pending.slice(start, start + PUT_EVENTS_BATCH));
      if (firstFailed) {
        options.log.error('relay gave records back to the stream', {
          sequenceNumber: firstFailed.sequenceNumber,
        });
        return { batchItemFailures: [{ itemIdentifier: firstFailed.sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  };
};
