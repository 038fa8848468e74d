/**
 * Completion survives being cut short. It runs in steps (close attendance; commit the new
 * state with ActivityCompleted; publish each invitee's AttendanceRecorded in follow-up
 * transactions), so these tests put the table in the state a crash between steps leaves
 * and check that the retry, or the subscription on ActivityCompleted, finishes the job
 * without losing or duplicating an event.
 */
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ActivityCompleted } from '../../services/activities/events.js';
import { publish, runtime, settle, tableClient } from '../support/api.js';
import { at, branchWithMembers, meeting, outboxOf } from './support.js';

const TableName = () => runtime().tableNames.activities as string;

describe('an interrupted completion', () => {
  it('after attendance was closed: check-ins are refused, and completing again finishes', async () => {
    const { branchId, secretary, members } = await branchWithMembers(2);
    const { body } = await secretary.post('/activities', meeting(branchId), at('2026-11-20T10:00:00+08:00'));
    const member = members[0] as (typeof members)[0];
    await member.post(
      `/activities/${body.activityId}/check-in`,
      { code: body.checkInCode },
      at('2026-11-26T09:00:00+08:00'),
    );
    // The state step 1 leaves: attendance closed, status still scheduled.
    await tableClient().send(
      new UpdateCommand({
        TableName: TableName(),
        Key: { pk: `ACTIVITY#${body.activityId}`, sk: 'ACTIVITY' },
        UpdateExpression: 'SET attendanceClosed = :yes',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
    const other = members[1] as (typeof members)[0];
    const late = await other.post(
      `/activities/${body.activityId}/check-in`,
      { code: body.checkInCode },
      at('2026-11-26T10:00:00+08:00'),
    );
    expect(late.status).toBe(409);
    expect((await secretary.post(`/activities/${body.activityId}/cancel`, { reason: 'x' })).status).toBe(409);
    const done = await secretary.post(
      `/activities/${body.activityId}/complete`,
      { minutes: '记录' },
      at('2026-11-26T11:00:00+08:00'),
    );
    expect(done.status).toBe(200);
    expect(done.body.attendance).toMatchObject({ invited: 2, present: 1, absent: 1 });
  });

  it('after the state change: the subscription on ActivityCompleted publishes what is missing, once', async () => {
    const { branchId, memberIds, secretary } = await branchWithMembers(3);
    const { body } = await secretary.post('/activities', meeting(branchId), at('2026-11-20T10:00:00+08:00'));
    const done = await secretary.post(
      `/activities/${body.activityId}/complete`,
      { minutes: '记录' },
      at('2026-11-26T11:00:00+08:00'),
    );
    expect(done.status).toBe(200);
    await settle();
    // As if the request had died before two invitees' attendance was written and published:
    // remove their final records and their events.
    const missing = memberIds.slice(0, 2);
    const finals = await tableClient().send(
      new QueryCommand({
        TableName: TableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `PARTICIPATION#${branchId}` },
      }),
    );
    const outbox = await tableClient().send(
      new QueryCommand({
        TableName: TableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `OUTBOX#${body.activityId}` },
      }),
    );
    for (const item of [
      ...(finals.Items ?? []).filter((i) => missing.includes(i.personId)),
      ...(outbox.Items ?? []).filter((i) =>
        missing.some((id) => (i.detail as string).includes(`"personId":"${id}"`)),
      ),
    ]) {
      await tableClient().send(
        new DeleteCommand({ TableName: TableName(), Key: { pk: item.pk, sk: item.sk } }),
      );
    }
    expect(
      (await outboxOf(body.activityId)).filter((e) => e.detailType === 'AttendanceRecorded'),
    ).toHaveLength(1);

    // The bus delivers ActivityCompleted (again): the consumer finishes the job.
    const [completed] = (await outboxOf(body.activityId)).filter((e) => e.detailType === 'ActivityCompleted');
    await publish(ActivityCompleted, completed?.data as never);
    await settle();
    const recorded = (await outboxOf(body.activityId)).filter((e) => e.detailType === 'AttendanceRecorded');
    expect(recorded.map((e) => e.data.personId).sort()).toEqual([...memberIds].sort());
  });

  it('of more invitees than commit together: each final status is published once, and the second pass adds none', async () => {
    const { branchId, memberIds, secretary, members } = await branchWithMembers(30);
    const { body } = await secretary.post('/activities', meeting(branchId), at('2026-11-20T10:00:00+08:00'));
    const present = members.slice(0, 3);
    for (const member of present) {
      await member.post(
        `/activities/${body.activityId}/check-in`,
        { code: body.checkInCode },
        at('2026-11-26T09:05:00+08:00'),
      );
    }
    const done = await secretary.post(
      `/activities/${body.activityId}/complete`,
      { minutes: '记录' },
      at('2026-11-26T11:00:00+08:00'),
    );
    expect(done.body.attendance).toMatchObject({ invited: 30, present: 3, absent: 27 });
    await settle();
    const recorded = async () =>
      (await outboxOf(body.activityId)).filter((e) => e.detailType === 'AttendanceRecorded');
    const first = await recorded();
    expect(first.map((e) => e.data.personId).sort()).toEqual([...memberIds].sort());
    expect(first.filter((e) => e.data.status === 'present')).toHaveLength(3);

    const [completed] = (await outboxOf(body.activityId)).filter((e) => e.detailType === 'ActivityCompleted');
    await publish(ActivityCompleted, completed?.data as never);
    await settle();
    expect((await recorded()).map((e) => e.data.personId).sort()).toEqual([...memberIds].sort());
  });
});
