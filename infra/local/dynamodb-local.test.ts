import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDescription } from '../../shared/service.js';
import { singleTable } from '../../shared/store/table.js';
import {
  DATABASE_FILE,
  type DynamoDbLocal,
  ensureTable,
  JAVA_MISSING_MESSAGE,
  PID_FILE,
  startDynamoDbLocal,
} from './dynamodb-local.js';
import { createTables, localNames } from './tables.js';

const clientFor = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'someone', secretAccessKey: 'anything' },
    maxAttempts: 1,
  });

const table: CreateTableCommandInput = {
  TableName: 'things',
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
};

describe('DynamoDB Local in memory', () => {
  let db: DynamoDbLocal;
  let client: DynamoDBClient;

  beforeAll(async () => {
    db = await startDynamoDbLocal({ inMemory: true });
    client = clientFor(db.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await db?.stop();
  });

  it('serves a table with a stream, idempotently created', async () => {
    expect(db.endpoint).toBe(`http://127.0.0.1:${db.port}`);
    await ensureTable(client, table);
    await ensureTable(client, table);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'things' }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.StreamSpecification?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
    expect(Table?.LatestStreamArn).toMatch(/^arn:aws:dynamodb:/);

    await client.send(
      new PutItemCommand({ TableName: 'things', Item: { pk: { S: 'a' }, sk: { S: '1' }, n: { N: '7' } } }),
    );
    const { Item } = await client.send(
      new GetItemCommand({ TableName: 'things', Key: { pk: { S: 'a' }, sk: { S: '1' } } }),
    );
    expect(Item?.n).toEqual({ N: '7' });
  });

  it("opens every service table's stream shard at creation, and leaves nothing in the table", async () => {
    // A shard DynamoDB Local opens late is slow (tables.ts): creation must open it.
    const streams = new DynamoDBStreamsClient({
      endpoint: db.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'someone', secretAccessKey: 'anything' },
      maxAttempts: 1,
    });
    const singleTableService = { name: 'shards', table: singleTable(1) } as unknown as ServiceDescription;
    const names = await createTables(client, [singleTableService], localNames('open'));
    const tableName = names.shards as string;
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const streamArn = Table?.LatestStreamArn as string;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: StreamDescription?.Shards?.[0]?.ShardId as string,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
    // The shard's first write happened at creation (its speed is the bench's to measure).
    expect(Records?.map((r) => r.eventName)).toEqual(['INSERT', 'REMOVE']);
    const { Items } = await client.send(new ScanCommand({ TableName: tableName }));
    expect(Items).toEqual([]);
    streams.destroy();
  });

  it('gives an existing table the indexes it lacks, with the items it already holds', async () => {
    const before: CreateTableCommandInput = { ...table, TableName: 'grows-an-index' };
    await ensureTable(client, before);
    await client.send(
      new PutItemCommand({
        TableName: 'grows-an-index',
        Item: { pk: { S: 'a' }, sk: { S: '1' }, gsi1pk: { S: 'BY-COLOUR' }, gsi1sk: { S: 'red' } },
      }),
    );
    const withIndex: CreateTableCommandInput = {
      ...before,
      AttributeDefinitions: [
        ...(before.AttributeDefinitions ?? []),
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    };
    await ensureTable(client, withIndex);
    await ensureTable(client, withIndex);
    const { Items } = await client.send(
      new QueryCommand({
        TableName: 'grows-an-index',
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'BY-COLOUR' } },
      }),
    );
    expect(Items?.map((i) => i.sk)).toEqual([{ S: '1' }]);
  });

  it('shares one database between differently configured clients (-sharedDb)', async () => {
    const other = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'ap-east-1',
      credentials: { accessKeyId: 'other', secretAccessKey: 'other' },
      maxAttempts: 1,
    });
    try {
      const { TableNames } = await other.send(new ListTablesCommand({}));
      expect(TableNames).toContain('things');
    } finally {
      other.destroy();
    }
  });
});

// Each test starts a JVM, some twice (a restart): on a loaded 2-core machine one start alone
// has taken over 10 s, so the budget is for the starts, not for anything slow in between.
describe('DynamoDB Local lifecycle', { timeout: 120_000 }, () => {
  it('stop() ends the process', async () => {
    const db = await startDynamoDbLocal({});
    let exited = false;
    void db.exited.then(() => {
      exited = true;
    });
    await db.stop();
    expect(exited).toBe(true);
    await db.stop(); // twice is fine
  });

  it('kill() makes the database disappear', async () => {
    const db = await startDynamoDbLocal({});
    const client = clientFor(db.endpoint);
    try {
      await client.send(new ListTablesCommand({}));
      db.kill();
      await db.exited;
      await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
    } finally {
      client.destroy();
      await db.stop();
    }
  });

  it('keeps an on-disk database in write-ahead-log mode, and what it acknowledged across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ddb-local-'));
    try {
      const first = await startDynamoDbLocal({ dataDir });
      const c1 = clientFor(first.endpoint);
      await ensureTable(c1, table);
      await c1.send(new PutItemCommand({ TableName: 'things', Item: { pk: { S: 'wal' }, sk: { S: '1' } } }));
      c1.destroy();
      await first.stop();
      // SQLite's header: bytes 18 and 19 (file format write and read versions) are 2 in WAL mode.
      const header = (await readFile(join(dataDir, DATABASE_FILE))).subarray(18, 20);
      expect([...header]).toEqual([2, 2]);

      const again = await startDynamoDbLocal({ dataDir });
      const c2 = clientFor(again.endpoint);
      try {
        const { Item } = await c2.send(
          new GetItemCommand({ TableName: 'things', Key: { pk: { S: 'wal' }, sk: { S: '1' } } }),
        );
        expect(Item?.pk).toEqual({ S: 'wal' });
      } finally {
        c2.destroy();
        await again.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('stops a database a killed runtime left behind on the same dataDir, and keeps its data', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ddb-local-'));
    let left: DynamoDbLocal | undefined;
    try {
      // The first runtime "dies" without stopping its database: nobody calls stop() or kill().
      left = await startDynamoDbLocal({ dataDir });
      const c1 = clientFor(left.endpoint);
      await ensureTable(c1, table);
      await c1.send(new PutItemCommand({ TableName: 'things', Item: { pk: { S: 'kept' }, sk: { S: '1' } } }));
      c1.destroy();
      let leftExited = false;
      void left.exited.then(() => {
        leftExited = true;
      });

      const next = await startDynamoDbLocal({ dataDir });
      const c2 = clientFor(next.endpoint);
      try {
        // Stopped before the next one started, not merely later.
        expect(leftExited).toBe(true);
        const { Item } = await c2.send(
          new GetItemCommand({ TableName: 'things', Key: { pk: { S: 'kept' }, sk: { S: '1' } } }),
        );
        expect(Item?.pk).toEqual({ S: 'kept' });
      } finally {
        c2.destroy();
        await next.stop();
      }
      expect(await readdir(dataDir)).not.toContain('dynamodb-local.pid');
    } finally {
      // Were it not stopped (the assertion fails), it must not outlive the test.
      left?.kill();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('never stops a database whose runtime is still alive, even one in another process', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ddb-local-'));
    const running = await startDynamoDbLocal({ dataDir });
    // Another process owns it: a live stand-in for another runtime.
    const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pidFile = join(dataDir, PID_FILE);
      const { pid } = JSON.parse(await readFile(pidFile, 'utf8'));
      await writeFile(pidFile, JSON.stringify({ pid, owner: owner.pid }));
      await expect(startDynamoDbLocal({ dataDir })).rejects.toThrow(/still running/);
      const client = clientFor(running.endpoint);
      await expect(client.send(new ListTablesCommand({}))).resolves.toBeDefined();
      client.destroy();
    } finally {
      owner.kill();
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps data in dataDir across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ddb-local-'));
    try {
      const first = await startDynamoDbLocal({ dataDir });
      const c1 = clientFor(first.endpoint);
      await ensureTable(c1, table);
      await c1.send(new PutItemCommand({ TableName: 'things', Item: { pk: { S: 'kept' }, sk: { S: '1' } } }));
      c1.destroy();
      await first.stop();
      expect(await readdir(dataDir)).toContain('shared-local-instance.db');

      const second = await startDynamoDbLocal({ dataDir });
      const c2 = clientFor(second.endpoint);
      try {
        const { Item } = await c2.send(
          new GetItemCommand({ TableName: 'things', Key: { pk: { S: 'kept' }, sk: { S: '1' } } }),
        );
        expect(Item?.pk).toEqual({ S: 'kept' });
      } finally {
        c2.destroy();
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('without java, fails with one line saying how to install it', async () => {
    const err = await startDynamoDbLocal({ javaPath: '/nonexistent/bin/java' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(JAVA_MISSING_MESSAGE);
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).toMatch(/apt-get install openjdk-17-jre-headless/);
  });
});
