/**
 * DynamoDB as the bill sees it: a middleware on every service's DynamoDB client (through
 * shared/aws/clients.ts' hook) asks for ReturnConsumedCapacity TOTAL and adds up read and
 * write request units, items read and calls, and counts Scans, which no request path may
 * issue. The bench reads the meter between sequential requests to attribute it to a route.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { onDynamoDbClient } from '../../shared/aws/clients.js';

export interface Usage {
  calls: number;
  readUnits: number;
  writeUnits: number;
  /** Items DynamoDB looked at: Query/Scan ScannedCount, items a Get returned. */
  itemsRead: number;
  queries: number;
  scans: number;
  /** Calls that failed (a condition or transaction refused): AWS bills their writes too. */
  failed: number;
  commands: Record<string, number>;
}

export const emptyUsage = (): Usage => ({
  calls: 0,
  readUnits: 0,
  writeUnits: 0,
  itemsRead: 0,
  queries: 0,
  scans: 0,
  failed: 0,
  commands: {},
});

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const READS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);

/** Units of one ConsumedCapacity entry, read or write by what DynamoDB says, else by command. */
const units = (c: Capacity, command: string) => {
  if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined)
    return { read: c.ReadCapacityUnits ?? 0, write: c.WriteCapacityUnits ?? 0 };
  const total = c.CapacityUnits ?? 0;
  return READS.has(command) ? { read: total, write: 0 } : { read: 0, write: total };
};

const itemsRead = (command: string, output: Record<string, unknown>): number => {
  switch (command) {
    case 'QueryCommand':
    case 'ScanCommand':
      return (output.ScannedCount as number | undefined) ?? 0;
    case 'GetItemCommand':
      return output.Item ? 1 : 0;
    case 'BatchGetItemCommand':
      return Object.values((output.Responses as Record<string, unknown[]> | undefined) ?? {}).reduce(
        (n, items) => n + items.length,
        0,
      );
    case 'TransactGetItemsCommand':
      return ((output.Responses as unknown[] | undefined) ?? []).length;
    default:
      return 0;
  }
};

export class CapacityMeter {
  private usage = emptyUsage();
  /** Every Scan seen, with the label that was current: the bench fails on any. */
  readonly scans: { label: string; table: string }[] = [];
  label = 'unlabelled';

  /** Instruments every DynamoDB client created from now on; returns the uninstall. */
  install(): () => void {
    return onDynamoDbClient((client: DynamoDBClient) => {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const command = context.commandName ?? 'unknown';
          const input = args.input as Record<string, unknown>;
          input.ReturnConsumedCapacity = 'TOTAL';
          const u = this.usage;
          u.calls++;
          u.commands[command] = (u.commands[command] ?? 0) + 1;
          if (command === 'QueryCommand') u.queries++;
          if (command === 'ScanCommand') {
            u.scans++;
            this.scans.push({ label: this.label, table: String(input.TableName) });
          }
          try {
            const result = await next(args);
            const output = result.output as unknown as Record<string, unknown>;
            const consumed = output.ConsumedCapacity as Capacity | Capacity[] | undefined;
            for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
              const { read, write } = units(c, command);
              u.readUnits += read;
              u.writeUnits += write;
            }
            u.itemsRead += itemsRead(command, output);
            return result;
          } catch (error) {
            u.failed++;
            throw error;
          }
        },
        { step: 'initialize', name: 'benchConsumedCapacity', override: true },
      );
    });
  }

  /** What was used since the last take. */
  take(): Usage {
    const u = this.usage;
    this.usage = emptyUsage();
    return u;
  }
}

export const addUsage = (a: Usage, b: Usage): Usage => {
  const commands = { ...a.commands };
  for (const [k, v] of Object.entries(b.commands)) commands[k] = (commands[k] ?? 0) + v;
  return {
    calls: a.calls + b.calls,
    readUnits: a.readUnits + b.readUnits,
    writeUnits: a.writeUnits + b.writeUnits,
    itemsRead: a.itemsRead + b.itemsRead,
    queries: a.queries + b.queries,
    scans: a.scans + b.scans,
    failed: a.failed + b.failed,
    commands,
  };
};
