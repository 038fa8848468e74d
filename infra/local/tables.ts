import {
  type CreateTableCommandInput,
  DeleteItemCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { ServiceDescription, TableSpec } from '../../shared/service.js';
import { ensureTable } from './dynamodb-local.js';

/** Physical names per stage; the CDK app lets CloudFormation name things instead. */
export const localNames = (stage: string) => ({
  table: (service: string) => `dangjian-${stage}-${service}`,
  bucket: (service: string, bucket: string) => `dangjian-${stage}-${service}-${bucket}`,
  bus: `dangjian-${stage}`,
});

/** The table of a description, as CreateTable input: the same keys, indexes and stream as on AWS. */
export const tableInput = (tableName: string, table: TableSpec): CreateTableCommandInput => {
  const attributes = new Map<string, 'S' | 'N'>();
  const add = (k: { name: string; type: 'S' | 'N' }) => attributes.set(k.name, k.type);
  add(table.partitionKey);
  add(table.sortKey);
  for (const index of table.indexes ?? []) {
    add(index.partitionKey);
    if (index.sortKey) add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: table.sortKey.name, KeyType: 'RANGE' },
    ],
    ...(table.indexes?.length
      ? {
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
              ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
};

/** Creates every service's table idempotently (a second start reuses the data). */
export const createTables = async (
  client: DynamoDBClient,
  services: readonly ServiceDescription[],
  names: ReturnType<typeof localNames>,
): Promise<Record<string, string>> => {
  const result: Record<string, string> = {};
  for (const service of services) {
    const tableName = names.table(service.name);
    await ensureTable(client, tableInput(tableName, service.table));
    const ttl = service.table.timeToLiveAttribute;
    if (ttl) {
      const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
      if (current.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { Enabled: true, AttributeName: ttl },
          }),
        );
      }
    }
    await openStream(client, tableName, service.table);
    result[service.name] = tableName;
  }
  return result;
};

/**
 * DynamoDB Local opens a table's stream shard at the table's first write, and every later
 * write to a shard opened after many records in other streams pays for all of them (measured
 * on 1.25: 33 ms a transaction after 20,000 records elsewhere, 84 ms after 40,000, against
 * 2 ms for a shard opened first). A service first written late (community after a seeded year
 * of activities) then ran ten times slower than on AWS, where streams are independent. One
 * write and its removal at start open every shard before anything else is written; the relay
 * skips both records (they are not outbox items).
 */
const openStream = async (client: DynamoDBClient, tableName: string, table: TableSpec) => {
  const key = {
    [table.partitionKey.name]: { S: 'LOCAL#STREAM' },
    [table.sortKey.name]: { S: 'OPEN' },
  };
  await client.send(new PutItemCommand({ TableName: tableName, Item: key }));
  await client.send(new DeleteItemCommand({ TableName: tableName, Key: key }));
};
