import * as z from 'zod';
import { isUlid } from './ids.js';

/** Shared zod building blocks, so every service spells the API conventions the same way. */

/**
 * Dates outside these years are typing mistakes, not data: a birth year before 1900 or a
 * meeting in 9999 (which in UTC can even become year 10000, whose `toISOString()` is no
 * longer ISO-8601 and breaks keys and event contracts). Services narrow further.
 */
export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 2100;
const plausibleYear = (year: number) => year >= EARLIEST_YEAR && year <= LATEST_YEAR;
const yearsMessage = `Expected a date between the years ${EARLIEST_YEAR} and ${LATEST_YEAR}`;

/** An instant with an explicit offset (`2026-11-26T09:30:00+08:00`); `Z` counts as an offset. */
export const isoDateTime = z.iso
  .datetime({ offset: true })
  .refine((value) => plausibleYear(new Date(value).getUTCFullYear()), { message: yearsMessage, abort: true });
/** A calendar date, YYYY-MM-DD, that exists. */
export const isoDate = z.iso
  .date()
  .refine((value) => plausibleYear(Number(value.slice(0, 4))), { message: yearsMessage, abort: true });
export const ulid = z.string().refine(isUlid, 'Expected a ULID');
export const nonEmpty = (max: number) => z.string().trim().min(1).max(max);
/** A path parameter holding an id; anything else is a 400, never a lookup. */
export const idParam = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[0-9A-Za-z_-]+$/, 'Not a valid id');
/** `?flag=true|false` in a query string. */
export const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
