/**
 * Reads a table's DynamoDB stream from DynamoDB Local and feeds its records to the same
 * relay handler that runs on AWS, the way Lambda's event-source mapping does: the same
 * filter on outbox items, batches in shard order, and on a reported failure the batch is
 * retried from the failed record. The position in each shard is checkpointed on disk, so a
 * killed runtime resumes where it stopped and no outbox item is skipped.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { compilePattern } from '../../shared/events/pattern.js';

export interface StreamRelayOptions {
  tableName: string;
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  /** The relay handler; the same function the relay Lambda runs. */
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  /** The event-source mapping's filter (an EventBridge-syntax pattern on the record). */
  filter: unknown;
  checkpointFile: string;
  batchSize?: number;
  pollIntervalMs?: number;
  region: string;
  log?: (entry: Record<string, unknown>) => void;
}

interface Checkpoint {
  streamArn: string;
  /** Last sequence number handled per shard, or `closed` when the shard is finished. */
  shards: Record<string, string>;
}

const CLOSED = 'closed';
const staleIterator = new Set(['TrimmedDataAccessException', 'ExpiredIteratorException']);

/** Lambda hands records over as plain JSON; the SDK gives Dates and class-free objects. */
const toLambdaRecord = (record: _Record, streamArn: string, region: string): DynamoDBRecord => {
  const { dynamodb, ...rest } = record;
  return {
    eventID: rest.eventID,
    eventName: rest.eventName as DynamoDBRecord['eventName'],
    eventVersion: rest.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: JSON.parse(
      JSON.stringify({
        ...dynamodb,
        ApproximateCreationDateTime:
          dynamodb?.ApproximateCreationDateTime instanceof Date
            ? Math.floor(dynamodb.ApproximateCreationDateTime.getTime() / 1000)
            : dynamodb?.ApproximateCreationDateTime,
      }),
    ),
  } as DynamoDBRecord;
};

export interface PollResult {
  /** Records read from the stream in this round (filtered or not). */
  read: number;
  /** True when the relay gave records back and they wait for the next round. */
  stuck: boolean;
}

export class StreamRelay {
  private readonly matches: (record: unknown) => boolean;
  private checkpoint: Checkpoint | undefined;
  private iterators = new Map<string, string>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  lastError: string | undefined;
  relayed = 0;

  constructor(private readonly options: StreamRelayOptions) {
    this.matches = compilePattern(options.filter);
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.poll()
        .then((result) => {
          // Back off while the relay keeps failing, like Lambda's retries of a stream batch.
          this.failures = result.stuck ? this.failures + 1 : 0;
        })
        .catch((error: unknown) => {
          this.failures++;
          this.lastError = error instanceof Error ? error.message : String(error);
          this.options.log?.({
            level: 'warn',
            message: 'stream poll failed',
            table: this.options.tableName,
            error: this.lastError,
          });
        })
        .finally(() => {
          if (this.stopped) return;
          const base = this.options.pollIntervalMs ?? 100;
          const delay = this.failures === 0 ? base : Math.min(base * 2 ** this.failures, 5_000);
          this.timer = setTimeout(tick, delay);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.chain.catch(() => undefined);
  }

  /** One serialized pass over every shard (the background loop and `drain` never overlap). */
  poll(): Promise<PollResult> {
    const next = this.chain.then(() => this.pollShards());
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Polls until a pass reads nothing new, or the relay is stuck (the bus refusing). */
  async drain(): Promise<PollResult> {
    let total = 0;
    for (;;) {
      const result = await this.poll();
      total += result.read;
      if (result.read === 0 || result.stuck) return { read: total, stuck: result.stuck };
    }
  }

  private async loadCheckpoint(streamArn: string): Promise<Checkpoint> {
    if (this.checkpoint?.streamArn === streamArn) return this.checkpoint;
    let stored: Checkpoint | undefined;
    try {
      stored = JSON.parse(await readFile(this.options.checkpointFile, 'utf8')) as Checkpoint;
    } catch {
      stored = undefined;
    }
    // A different stream ARN means the table was recreated: its old positions mean nothing.
    this.checkpoint = stored?.streamArn === streamArn ? stored : { streamArn, shards: {} };
    this.iterators.clear();
    return this.checkpoint;
  }

  private async saveCheckpoint(): Promise<void> {
    if (!this.checkpoint) return;
    const file = this.options.checkpointFile;
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(this.checkpoint));
    await rename(temp, file);
  }

  private async shards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStart: string | undefined;
    do {
      const page = await this.options.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStart }),
      );
      shards.push(...(page.StreamDescription?.Shards ?? []));
      exclusiveStart = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStart);
    return shards;
  }

  private async pollShards(): Promise<PollResult> {
    const table = await this.options.dynamodb.send(
      new DescribeTableCommand({ TableName: this.options.tableName }),
    );
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`Table ${this.options.tableName} has no stream`);
    const checkpoint = await this.loadCheckpoint(streamArn);
    const shards = await this.shards(streamArn);
    let read = 0;
    for (const shard of shards) {
      const shardId = shard.ShardId as string;
      if (checkpoint.shards[shardId] === CLOSED) continue;
      // A child shard starts only after its parent is finished, as Lambda does.
      const parent = shard.ParentShardId;
      if (parent && shards.some((s) => s.ShardId === parent) && checkpoint.shards[parent] !== CLOSED)
        continue;
      const result = await this.pollShard(streamArn, shardId, checkpoint);
      read += result.read;
      if (result.stuck) return { read, stuck: true };
    }
    this.lastError = undefined;
    return { read, stuck: false };
  }

  private async iterator(
    streamArn: string,
    shardId: string,
    after: string | undefined,
  ): Promise<string | undefined> {
    const cached = this.iterators.get(shardId);
    if (cached) return cached;
    const { ShardIterator } = await this.options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  }

  private async pollShard(streamArn: string, shardId: string, checkpoint: Checkpoint): Promise<PollResult> {
    const after = checkpoint.shards[shardId];
    const iterator = await this.iterator(streamArn, shardId, after);
    if (!iterator) {
      checkpoint.shards[shardId] = CLOSED;
      await this.saveCheckpoint();
      return { read: 0, stuck: false };
    }
    let page: Awaited<ReturnType<typeof this.getRecords>>;
    try {
      page = await this.getRecords(iterator);
    } catch (error) {
      this.iterators.delete(shardId);
      // A cached iterator can go stale (DynamoDB Local sometimes answers a kept iterator with
      // TrimmedDataAccessException): start again from the checkpoint, which is what counts.
      if (!(error instanceof Error) || !staleIterator.has(error.name)) throw error;
      const fresh = await this.iterator(streamArn, shardId, after);
      if (!fresh) throw error;
      this.options.log?.({
        level: 'debug',
        message: 'stream iterator renewed',
        table: this.options.tableName,
        error: error.name,
      });
      page = await this.getRecords(fresh);
    }
    const records = page.Records ?? [];
    if (records.length === 0) {
      if (page.NextShardIterator) this.iterators.set(shardId, page.NextShardIterator);
      else {
        this.iterators.delete(shardId);
        checkpoint.shards[shardId] = CLOSED;
        await this.saveCheckpoint();
      }
      return { read: 0, stuck: false };
    }

    const lambdaRecords = records.map((r) => toLambdaRecord(r, streamArn, this.options.region));
    const selected = lambdaRecords.filter((r) => this.matches(r));
    const failedAt = selected.length > 0 ? await this.relay(selected) : undefined;
    if (failedAt === undefined) {
      checkpoint.shards[shardId] = records.at(-1)?.dynamodb?.SequenceNumber as string;
      if (page.NextShardIterator) this.iterators.set(shardId, page.NextShardIterator);
      else this.iterators.delete(shardId);
      await this.saveCheckpoint();
      return { read: records.length, stuck: false };
    }
    // Everything before the failed record is done; the rest comes again from there.
    const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
    const done = index > 0 ? records[index - 1]?.dynamodb?.SequenceNumber : after;
    if (done) checkpoint.shards[shardId] = done;
    this.iterators.delete(shardId);
    await this.saveCheckpoint();
    return { read: records.length, stuck: true };
  }

  private getRecords(iterator: string) {
    return this.options.streams.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 100 }),
    );
  }

  /** Returns the sequence number to resume from, or undefined when the whole batch went through. */
  private async relay(records: DynamoDBRecord[]): Promise<string | undefined> {
    let response: DynamoDBBatchResponse;
    try {
      response = await this.options.handler({ Records: records });
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      return records[0]?.dynamodb?.SequenceNumber;
    }
    const failures = response.batchItemFailures.map((f) => f.itemIdentifier);
    if (failures.length === 0) {
      this.relayed += records.length;
      return undefined;
    }
    const firstFailed = records.find((r) => failures.includes(r.dynamodb?.SequenceNumber ?? ''));
    this.lastError = 'relay reported failed records';
    const sequence = firstFailed?.dynamodb?.SequenceNumber ?? records[0]?.dynamodb?.SequenceNumber;
    this.relayed += records.findIndex((r) => r.dynamodb?.SequenceNumber === sequence);
    return sequence;
  }
}
