/**
 * Waiting for talent's events to reach a service's copy of the roster (services/talent/roster.ts):
 * a departure or a move is followed asynchronously, so a test that means "after the service
 * followed it" waits for the copy itself, never for time.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RosterEntry } from '../../services/talent/roster.js';
import { runtime, tableClient } from './api.js';
import { DELIVERY_BUDGET_MS, until } from './wait.js';

/** The person as `service`'s copy holds them (read consistently), or undefined. */
export const rosterCopyOf = async (service: string, personId: string): Promise<RosterEntry | undefined> => {
  const out = await tableClient().send(
    new GetCommand({
      TableName: runtime().tableNames[service] as string,
      Key: { pk: `PERSON#${personId}`, sk: 'ROSTER' },
      ConsistentRead: true,
    }),
  );
  return out.Item as RosterEntry | undefined;
};

/** Waits until every named service's copy holds the person at `version` or later. */
export const untilRosterCopies = (services: readonly string[], personId: string, version: number) =>
  until(`person ${personId} at version ${version} in ${services.join(', ')}`, DELIVERY_BUDGET_MS, async () =>
    (await Promise.all(services.map((s) => rosterCopyOf(s, personId)))).every(
      (entry) => entry !== undefined && entry.version >= version,
    ),
  );
