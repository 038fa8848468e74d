/** Helpers for the community tests: fresh partners and events, and a look into the outbox. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as, request, runtime, tableClient } from '../support/api.js';

export const table = () => runtime().tableNames.community as string;

export const schedule = {
  registrationOpensAt: '2027-03-01T09:00:00+08:00',
  registrationClosesAt: '2027-03-10T18:00:00+08:00',
  startsAt: '2027-03-12T09:00:00+08:00',
  endsAt: '2027-03-12T11:40:00+08:00',
};
export const beforeOpening = '2027-02-20T10:00:00+08:00';
export const duringRegistration = '2027-03-05T10:00:00+08:00';
export const eventDay = '2027-03-12T10:00:00+08:00';

export const committee = () => as({ roles: ['committee'] });

export const application = (overrides: Record<string, unknown> = {}) => ({
  consent: true,
  orgName: `测试科技有限公司 ${newId()}`,
  orgType: 'enterprise',
  contactName: '王五',
  contactPhone: '13812341234',
  contactEmail: 'wangwu@example.cn',
  intro: '检验检测行业的邻居单位',
  ...overrides,
});

/** An approved partner organisation and one of its accounts. */
export const approvedPartner = async () => {
  const applied = await request('POST', '/community/partners/applications', application());
  expect(applied.status).toBe(202);
  const partnerId = applied.body.partnerId as string;
  const approved = await (await committee()).post(`/community/partners/${partnerId}/approve`);
  expect(approved.status).toBe(200);
  return { partnerId, client: await as({ roles: ['partner'], orgId: partnerId }) };
};

export const publishedEvent = async (overrides: Record<string, unknown> = {}) => {
  const admin = await committee();
  const created = await admin.post(
    '/community/events',
    {
      title: '社区义诊 联合主题党日',
      kind: 'health-service',
      description: '与周边社区联合开展',
      location: '社区服务中心',
      capacity: 20,
      ...schedule,
      ...overrides,
    },
    { now: beforeOpening },
  );
  expect(created.status).toBe(201);
  const eventId = created.body.jointEventId as string;
  const published = await admin.post(`/community/events/${eventId}/publish`, undefined, {
    now: beforeOpening,
  });
  expect(published.status).toBe(200);
  return { eventId, admin };
};

/** What an event holds, as the committee sees it: places left and every registration's id. */
export const stateOf = async (admin: Awaited<ReturnType<typeof committee>>, eventId: string) => {
  const event = await admin.get(`/community/events/${eventId}`);
  const registrations = await admin.get(`/community/events/${eventId}/registrations?limit=100`);
  return {
    remainingPlaces: event.body.remainingPlaces as number,
    registrations: (registrations.body.items as { registrationId: string }[]).map((r) => r.registrationId),
  };
};

/** The events an aggregate put in the outbox, oldest first. */
export const outboxOf = async (aggregate: string) => {
  const out = await tableClient().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `OUTBOX#${aggregate}` },
    }),
  );
  return (out.Items ?? []).map((item) => ({
    type: item.detailType as string,
    data: JSON.parse(item.detail as string).data,
  }));
};
