/** Helpers for talent's tests: fresh branches and people per test, and the outbox as written. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { as, runtime, tableClient } from '../support/api.js';

export type Client = Awaited<ReturnType<typeof as>>;

export const committee = () => as({ roles: ['committee'] });

export const TODAY = '2026-11-26T10:00:00+08:00';

export const newBranch = async (
  admin: Client,
  partyGroups: { name: string }[] = [{ name: '第一党小组' }],
) => {
  const res = await admin.post('/talent/branches', { name: `支部 ${Math.random()}`, partyGroups });
  expect(res.status).toBe(201);
  return res.body as { branchId: string; partyGroups: { id: string; name: string }[] };
};

export const personBody = (overrides: Record<string, unknown> = {}) => ({
  name: '张三',
  gender: 'male',
  birthDate: '1990-05-01',
  department: '药品检验所',
  politicalStatus: 'masses',
  statusSince: '2020-01-01',
  ...overrides,
});

export const register = async (
  client: Client,
  overrides: Record<string, unknown> = {},
  now: string = TODAY,
) => {
  const res = await client.post('/talent/people', personBody(overrides), { now });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { personId: string; version: number; [k: string]: any };
};

/** The events talent wrote for one person, in the order it published them. */
export const outbox = async (personId: string) => {
  const out = await tableClient().send(
    new QueryCommand({
      TableName: runtime().tableNames.talent as string,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `OUTBOX#${personId}` },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((item) => ({
    type: item.detailType as string,
    detail: JSON.parse(item.detail as string) as { eventId: string; data: any },
  }));
};
