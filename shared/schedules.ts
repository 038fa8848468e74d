/**
 * What a schedule's run receives, on AWS and locally alike: the schedule's name and the time
 * it was due. EventBridge Scheduler fills `scheduledTime` with `<aws.scheduler.scheduled-time>`,
 * the time the run was due rather than the time it arrived, so a retried or redriven run
 * decides as the run it replays would have.
 */
import * as z from 'zod';
import type { ServiceContext } from './context.js';
import type { ServiceDescription } from './service.js';

export const schedulePayload = z.strictObject({
  schedule: z.string().min(1),
  scheduledTime: z.iso.datetime({ offset: true }),
});
export type SchedulePayload = z.infer<typeof schedulePayload>;

/** Thrown for a payload no run can use (not ours, or naming no schedule): retrying will not help. */
export class ScheduleRejected extends Error {
  override readonly name = 'ScheduleRejected';
}

/** Runs the schedule the payload names, with its scheduled time as "now". */
export const createScheduleHandler =
  (description: ServiceDescription, context: ServiceContext) =>
  async (payload: unknown): Promise<void> => {
    const parsed = schedulePayload.safeParse(payload);
    if (!parsed.success) {
      throw new ScheduleRejected(`${description.name}: not a schedule's payload: ${parsed.error.message}`);
    }
    const { schedule: name, scheduledTime } = parsed.data;
    const schedule = description.schedules?.find((s) => s.name === name);
    if (!schedule) throw new ScheduleRejected(`${description.name} has no schedule "${name}"`);
    const at = new Date(scheduledTime);
    context.log.debug('schedule run', { schedule: name, scheduledTime: at.toISOString() });
    await schedule.handler(at, context);
  };
