/** Room bookings (党员活动室): half-open intervals [startsAt, endsAt); back to back is fine. Pure. */

export interface Booking {
  roomId: string;
  activityId: string;
  startsAt: string;
  endsAt: string;
}

export const overlaps = (a: { startsAt: string; endsAt: string }, b: { startsAt: string; endsAt: string }) =>
  Date.parse(a.startsAt) < Date.parse(b.endsAt) && Date.parse(b.startsAt) < Date.parse(a.endsAt);

/** The first booking that clashes with the wanted interval, ignoring the activity's own booking. */
export const findClash = (
  bookings: readonly Booking[],
  wanted: { activityId: string; startsAt: string; endsAt: string },
): Booking | undefined => bookings.find((b) => b.activityId !== wanted.activityId && overlaps(b, wanted));

/** Hours of each booking that fall inside [from, to). */
export const bookedHoursWithin = (
  bookings: readonly { startsAt: string; endsAt: string }[],
  from: Date,
  to: Date,
): number => {
  let ms = 0;
  for (const b of bookings) {
    const start = Math.max(Date.parse(b.startsAt), from.getTime());
    const end = Math.min(Date.parse(b.endsAt), to.getTime());
    if (end > start) ms += end - start;
  }
  return Math.round((ms / 3_600_000) * 100) / 100;
};
