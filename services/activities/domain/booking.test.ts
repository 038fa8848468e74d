import { describe, expect, it } from 'vitest';
import { bookedHoursWithin, findClash, overlaps } from './booking.js';

const b = (activityId: string, from: string, to: string) => ({
  roomId: 'R',
  activityId,
  startsAt: `2026-11-26T${from}:00.000Z`,
  endsAt: `2026-11-26T${to}:00.000Z`,
});

describe('room bookings', () => {
  it('treats intervals as half-open: back to back does not overlap', () => {
    expect(overlaps(b('a', '09:00', '10:00'), b('b', '10:00', '11:00'))).toBe(false);
    expect(overlaps(b('a', '09:00', '10:00'), b('b', '09:59', '11:00'))).toBe(true);
    expect(overlaps(b('a', '09:00', '12:00'), b('b', '10:00', '11:00'))).toBe(true);
  });

  it("names the clashing booking, ignoring the activity's own", () => {
    const existing = [b('a', '08:00', '09:00'), b('b', '09:30', '10:30')];
    expect(findClash(existing, b('c', '09:00', '09:30'))).toBeUndefined();
    expect(findClash(existing, b('c', '09:00', '10:00'))?.activityId).toBe('b');
    expect(findClash(existing, b('b', '09:00', '10:00'))).toBeUndefined();
  });

  it('counts only the hours inside the window', () => {
    const from = new Date('2026-11-26T09:00:00Z');
    const to = new Date('2026-11-26T12:00:00Z');
    expect(bookedHoursWithin([b('a', '08:00', '10:00'), b('b', '11:30', '13:00')], from, to)).toBe(1.5);
  });
});
