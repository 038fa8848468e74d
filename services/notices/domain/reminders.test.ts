import { describe, expect, it } from 'vitest';
import { activityLeads, dueMinute, isNews, reminderAction, reminderTimes } from './reminders.js';

const start = new Date('2026-12-10T02:00:00Z'); // 10:00 in Shanghai
const minutes = (n: number) => new Date(start.getTime() + n * 60_000);

describe('reminderAction', () => {
  const reminder = { dueAt: minutes(-60), until: start };
  it('waits until due', () => {
    expect(reminderAction(reminder, minutes(-61))).toBe('wait');
  });
  it('sends from its due time until the start', () => {
    expect(reminderAction(reminder, minutes(-60))).toBe('send');
    expect(reminderAction(reminder, new Date(start.getTime() - 1))).toBe('send');
  });
  it('drops it at or after the start: never sent late', () => {
    expect(reminderAction(reminder, start)).toBe('drop');
    expect(reminderAction(reminder, minutes(3 * 24 * 60))).toBe('drop');
  });
});

describe('reminderTimes', () => {
  it('a day and an hour before the start', () => {
    expect(reminderTimes(start, minutes(-10 * 24 * 60), activityLeads)).toEqual([
      { slot: '24h', dueAt: minutes(-24 * 60) },
      { slot: '1h', dueAt: minutes(-60) },
    ]);
  });
  it('leaves out a lead already due when decided (scheduled or moved within it)', () => {
    expect(reminderTimes(start, minutes(-23 * 60), activityLeads).map((t) => t.slot)).toEqual(['1h']);
    expect(reminderTimes(start, minutes(-24 * 60), activityLeads).map((t) => t.slot)).toEqual(['1h']);
    expect(reminderTimes(start, minutes(-30), activityLeads)).toEqual([]);
  });
});

describe('dueMinute', () => {
  it('rounds a due time up to the minute its sweep takes it', () => {
    expect(dueMinute(new Date('2026-12-09T15:59:30Z')).toISOString()).toBe('2026-12-09T16:00:00.000Z');
    expect(dueMinute(minutes(-60)).toISOString()).toBe(minutes(-60).toISOString());
  });
});

describe('isNews', () => {
  it('an activity decided before it starts is news', () => {
    expect(isNews(start, minutes(-1))).toBe(true);
  });
  it('one recorded once it had begun, or after, is history (补录)', () => {
    expect(isNews(start, start)).toBe(false);
    expect(isNews(start, minutes(90 * 24 * 60))).toBe(false);
  });
});
