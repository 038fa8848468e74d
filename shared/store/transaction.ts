import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { conflict, type DomainError } from '../errors.js';
import type { Envelope, EventContract } from '../events/contract.js';
import { buildEnvelope, outboxItem, outboxKey, type PublishOptions } from '../events/outbox.js';
import type { TableSpec } from '../service.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

export interface Condition {
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  /** The refusal to report when this item's condition fails (a 409 or 422 naming the rule). */
  onConditionFailed?: () => DomainError;
}

/** DynamoDB's own limit on one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

export interface TableRef {
  db: DynamoDBDocumentClient;
  tableName: string;
  table: TableSpec;
}

/**
 * One atomic unit of work on a service's table: state changes, invariants (conditions) and
 * the events they publish (outbox items) commit together or not at all.
 */
export class Transaction {
  private readonly items: TransactItem[] = [];
  private readonly refusals: (Condition['onConditionFailed'] | undefined)[] = [];
  readonly published: Envelope[] = [];

  constructor(private readonly ref: TableRef) {}

  get size(): number {
    return this.items.length;
  }

  private add(item: TransactItem, refusal: Condition['onConditionFailed']): this {
    if (this.items.length >= MAX_TRANSACTION_ITEMS) {
      throw new Error(`A transaction holds at most ${MAX_TRANSACTION_ITEMS} items`);
    }
    this.items.push(item);
    this.refusals.push(refusal);
    return this;
  }

  private static expression(c: Condition | undefined) {
    if (!c?.condition) return {};
    return {
      ConditionExpression: c.condition,
      ...(c.names ? { ExpressionAttributeNames: c.names } : {}),
      ...(c.values ? { ExpressionAttributeValues: c.values } : {}),
    };
  }

  put(item: Item, c?: Condition): this {
    return this.add(
      { Put: { TableName: this.ref.tableName, Item: item, ...Transaction.expression(c) } },
      c?.onConditionFailed,
    );
  }

  /** Put that refuses to overwrite: the usual "create" with its duplicate refusal. */
  create(item: Item, onExists: () => DomainError): this {
    return this.put(item, {
      condition: 'attribute_not_exists(#pk)',
      names: { '#pk': this.ref.table.partitionKey.name },
      onConditionFailed: onExists,
    });
  }

  update(
    key: Item,
    update: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> },
    c?: Condition,
  ): this {
    const names = { ...update.names, ...c?.names };
    const values = { ...update.values, ...c?.values };
    return this.add(
      {
        Update: {
          TableName: this.ref.tableName,
          Key: key,
          UpdateExpression: update.expression,
          ...(c?.condition ? { ConditionExpression: c.condition } : {}),
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        },
      },
      c?.onConditionFailed,
    );
  }

  delete(key: Item, c?: Condition): this {
    return this.add(
      { Delete: { TableName: this.ref.tableName, Key: key, ...Transaction.expression(c) } },
      c?.onConditionFailed,
    );
  }

  check(key: Item, c: Condition & { condition: string }): this {
    return this.add(
      {
        ConditionCheck: {
          TableName: this.ref.tableName,
          Key: key,
          ConditionExpression: c.condition,
          ...(c.names ? { ExpressionAttributeNames: c.names } : {}),
          ...(c.values ? { ExpressionAttributeValues: c.values } : {}),
        },
      },
      c.onConditionFailed,
    );
  }

  /** Adds the event's outbox item; the event exists if and only if the transaction commits. */
  publish<Data>(contract: EventContract<string, Data>, data: Data, options: PublishOptions): Envelope<Data> {
    const envelope = buildEnvelope(contract, data, options.occurredAt);
    const key = outboxKey(options.key, envelope.eventId);
    this.put({
      [this.ref.table.partitionKey.name]: key.partition,
      [this.ref.table.sortKey.name]: key.sort,
      ...outboxItem(contract, envelope, options.occurredAt),
    });
    this.published.push(envelope);
    return envelope;
  }

  async commit(): Promise<void> {
    if (this.items.length === 0) return;
    try {
      await this.ref.db.send(new TransactWriteCommand({ TransactItems: this.items }));
    } catch (error) {
      throw this.explain(error);
    }
  }

  /** Which item refused, and why, in the domain's words. */
  private explain(error: unknown): unknown {
    if (!(error instanceof TransactionCanceledException)) return error;
    const reasons = error.CancellationReasons ?? [];
    const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
    if (failed >= 0) {
      return this.refusals[failed]?.() ?? conflict('conflict', 'The data changed meanwhile; read it again');
    }
    if (reasons.some((r) => r.Code === 'TransactionConflict')) {
      return conflict('concurrent-update', 'Another change to the same data was in progress; try again');
    }
    return error;
  }
}
