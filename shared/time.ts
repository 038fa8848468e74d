/**
 * The institution's time zone is Asia/Shanghai (UTC+8 all year, no daylight saving).
 * Time rules take "now" as a parameter; these helpers turn instants into the local
 * calendar the rules speak in (dates, months, quarters).
 */
export const INSTITUTION_ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 60 * 60 * 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The local calendar date (YYYY-MM-DD) of an instant, in Asia/Shanghai. */
export const localDate = (instant: Date): string => {
  const shifted = new Date(instant.getTime() + OFFSET_MS);
  return `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`;
};

/** An instant written with the institution's offset: `2026-11-26T09:30:00+08:00`. */
export const toLocalIso = (instant: Date): string => {
  const shifted = new Date(instant.getTime() + OFFSET_MS);
  const iso = shifted.toISOString();
  const ms = shifted.getUTCMilliseconds();
  return `${iso.slice(0, 19)}${ms ? `.${pad(ms, 3)}` : ''}+08:00`;
};

/** An instant as a register prints it, local to the minute: `2026-11-26 09:30`. */
export const localMinute = (instant: Date): string => toLocalIso(instant).slice(0, 16).replace('T', ' ');

/** The instant a local date begins (00:00 in Asia/Shanghai). */
export const startOfLocalDay = (date: string): Date => new Date(Date.parse(`${date}T00:00:00+08:00`));

export const localYear = (instant: Date): number => Number(localDate(instant).slice(0, 4));
export const localMonth = (instant: Date): number => Number(localDate(instant).slice(5, 7));
export const localQuarter = (instant: Date): number => Math.ceil(localMonth(instant) / 3);

/** Whole days from one calendar date to another (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Adds calendar months to a date, clamping to the month's last day (2026-01-31 + 1 → 2026-02-28). */
export const addMonths = (date: string, months: number): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${pad(month)}-${pad(Math.min(d, last))}`;
};

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Full years from a birth date to a date (an 18th birthday counts on the day). */
export const ageOn = (birthDate: string, on: string): number => {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
};

/** Full months between two dates (2026-03-01 → 2026-11-26 is 8). */
export const monthsBetween = (from: string, to: string): number => {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  return (ty - fy) * 12 + (tm - fm) - (td < fd ? 1 : 0);
};
