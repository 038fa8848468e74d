/** Helpers for talent's tests: fresh branches and people per test, and the outbox as written. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { ActivityCompleted } from '../../services/activities/events.js';
import { newId } from '../../shared/ids.js';
import { as, publish, runtime, tableClient } from '../support/api.js';

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

/** A retired members' branch (离退休党支部), flagged so that retirements may move people into it. */
export const retiredMembersBranch = async (admin: Client): Promise<string> => {
  const res = await admin.post('/talent/branches', { name: `离退休党支部 ${newId()}`, retiredMembers: true });
  expect(res.status, res.text).toBe(201);
  return res.body.branchId as string;
};

/** Evidence of a history (党员档案) for a person registered past the pipeline's start. */
export const historyOf = (issuedOn: string) => ({
  evidence: { kind: 'party-file', reference: `档案 ${Math.random()}`, issuedOn },
});

/**
 * A registration body. A stage past the pipeline's start comes with a history (the
 * committee's path), unless the overrides say otherwise (`history: undefined` sends none).
 */
export const personBody = (overrides: Record<string, unknown> = {}) => {
  const body: Record<string, unknown> = {
    name: '张三',
    gender: 'male',
    birthDate: '1990-05-01',
    department: '药品检验所',
    politicalStatus: 'masses',
    statusSince: '2020-01-01',
    ...overrides,
  };
  // An ordinary registration records a recent application (talent's README).
  if (body.politicalStatus === 'applicant' && !('statusSince' in overrides)) body.statusSince = '2026-06-01';
  if (!('history' in overrides) && !['masses', 'applicant'].includes(body.politicalStatus as string)) {
    body.history = historyOf(body.statusSince as string);
  }
  if (body.history === undefined) delete body.history;
  return body;
};

/**
 * Registers a person. Without `now`, the register learns of them on the day their current
 * stage began (noon in Beijing), so steps dated from then on are not before registration.
 */
export const register = async (client: Client, overrides: Record<string, unknown> = {}, now?: string) => {
  const body = personBody(overrides);
  const res = await client.post('/talent/people', body, { now: now ?? `${body.statusSince}T12:00:00+08:00` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { personId: string; version: number; [k: string]: any };
};

/**
 * A full member of the branch since 2015, registered by `admin`, with a 2026 dues base that
 * `setter` (default `admin`) sets on TODAY: a student's fixed 0.20 a month unless `basis`
 * says otherwise. What every dues test starts from.
 */
export const memberPayingDues = async (
  admin: Client,
  branchId: string,
  name: string,
  {
    basis = { category: 'student' },
    setter = admin,
  }: { basis?: Record<string, unknown>; setter?: Client } = {},
) => {
  const { personId } = await register(
    admin,
    { branchId, name, politicalStatus: 'full', statusSince: '2015-07-01' },
    TODAY,
  );
  const base = await setter.put(`/talent/dues/${personId}/2026`, { ...basis, version: 0 }, { now: TODAY });
  expect(base.status, JSON.stringify(base.body)).toBe(200);
  return personId;
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

/**
 * A branch general meeting (or another type) held on a day, as activities reports it once
 * completed; talent learns it from the bus (call settle() before naming it). Its id.
 */
export const heldMeeting = async (
  branchId: string,
  heldOn: string,
  type = 'branch-general-meeting' as const,
) => {
  const activityId = newId();
  await publish(ActivityCompleted, {
    activityId,
    branchId,
    type,
    title: '支部党员大会',
    startsAt: `${heldOn}T09:00:00+08:00`,
    endsAt: `${heldOn}T11:00:00+08:00`,
    heldOn,
    resolutions: ['同意接收为预备党员'],
    attendance: { invited: 10, present: 9, late: 0, excused: 1, absent: 0 },
  });
  return activityId;
};

/** A transfer out (组织关系转出) on `on`, with its letter: what a departure test sets off. */
export const transferOut = (
  admin: Client,
  person: { personId: string; version: number },
  on: string,
  options: { now?: string } = {},
) =>
  admin.post(
    `/talent/people/${person.personId}/transfer-out`,
    {
      version: person.version,
      letterNumber: `京药检党转字〔${on.slice(0, 4)}〕7号`,
      receivingOrganisation: '中共某某区委组织部',
      on,
    },
    options,
  );

/** A retirement (退休) on `on` into the retired members' branch named. */
export const retireInto = (
  admin: Client,
  person: { personId: string; version: number },
  retiredBranchId: string,
  on: string,
  options: { now?: string } = {},
) =>
  admin.post(
    `/talent/people/${person.personId}/end-membership`,
    {
      version: person.version,
      kind: 'retired',
      on,
      reason: '到龄退休',
      authority: `党委〔${on.slice(0, 4)}〕23号`,
      retiredBranchId,
    },
    options,
  );
