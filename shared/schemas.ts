import { z } from 'zod';
import { isUlid } from './ids.js';

/** Shared zod building blocks, so every service spells the API conventions the same way. */

/** An instant with an explicit offset (`2026-11-26T09:30:00+08:00`); `Z` counts as an offset. */
export const isoDateTime = z.iso.datetime({ offset: true });
/** A calendar date, YYYY-MM-DD, that exists. */
export const isoDate = z.iso.date();
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
