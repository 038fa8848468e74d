/**
 * Completion survives being cut short. It runs in steps (close attendance; commit the new
 * state with ActivityCompleted; publish the invitees' AttendanceRecorded, a group per follow-up
 * transaction), so these tests put the table in the state a crash between steps leaves
 * and check that the retry, or the subscription on ActivityCompleted, finishes the job
 * without losing or duplicating an event.
 */
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ActivityCompleted } from '../../services/activities/events.js';
import { publish, runtime, settle, tableClient } from '../support/api.js';
import { at, attendanceIn, branchWithMembers, meeting, outboxOf } from './support.js';

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
    // As if the request had died before a group's attendance was written and published: the
    // group's final records and its event go together (one transaction).
    const outbox = await tableClient().send(
      new QueryCommand({
        TableName: TableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `OUTBOX#${body.activityId}` },
      }),
    );
    const lost = (outbox.Items ?? []).filter((i) => i.detailType === 'AttendanceRecorded');
    expect(lost).toHaveLength(1);
    const missing = (JSON.parse(lost[0]?.detail as string).data.attendees as { personId: string }[]).map(
      (a) => a.personId,
    );
    expect(missing.sort()).toEqual([...memberIds].sort());
    const finals = await tableClient().send(
      new QueryCommand({
        TableName: TableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `PARTICIPATION#${branchId}` },
      }),
    );
    for (const item of [...(finals.Items ?? []).filter((i) => missing.includes(i.personId)), ...lost]) {
      await tableClient().send(
        new DeleteCommand({ TableName: TableName(), Key: { pk: item.pk, sk: item.sk } }),
      );
    }
    expect(attendanceIn(await outboxOf(body.activityId))).toEqual([]);

    // The bus delivers ActivityCompleted (again): the consumer finishes the job.
    const [completed] = (await outboxOf(body.activityId)).filter((e) => e.detailType === 'ActivityCompleted');
    await publish(ActivityCompleted, completed?.data as never);
    await settle();
    const recorded = attendanceIn(await outboxOf(body.activityId));
    expect(recorded.map((e) => e.personId).sort()).toEqual([...memberIds].sort());
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
    const events = async () =>
      (await outboxOf(body.activityId)).filter((e) => e.detailType === 'AttendanceRecorded');
    const recorded = async () => attendanceIn(await events());
    const first = await recorded();
    expect(first.map((e) => e.personId).sort()).toEqual([...memberIds].sort());
    expect(first.filter((e) => e.status === 'present')).toHaveLength(3);
    // Two groups (25 and 5), an event each.
    expect((await events()).map((e) => e.data.attendees.length).sort((a, b) => b - a)).toEqual([25, 5]);

    const [completed] = (await outboxOf(body.activityId)).filter((e) => e.detailType === 'ActivityCompleted');
    await publish(ActivityCompleted, completed?.data as never);
    await settle();
    expect((await recorded()).map((e) => e.personId).sort()).toEqual([...memberIds].sort());
    expect(await events()).toHaveLength(2);
  });
});
