import * as z from 'zod';
import { ULID_PATTERN } from './ids.js';

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
  .refine((value) => plausibleYear(new Date(value).getUTCFullYear()), { message: yearsMessage, abort: true })
  // The year's bounds are on the instant (in UTC), which a pattern on the text cannot say.
  .meta({
    description: `An instant with its offset (\`Z\` counts), between the years ${EARLIEST_YEAR} and ${LATEST_YEAR}`,
    example: '2026-11-26T09:30:00+08:00',
  });
/**
 * The one form of an instant in every answer: ISO-8601 in the institution's zone with its
 * offset, milliseconds only when not zero (`2026-11-26T09:30:00+08:00`,
 * `2026-11-26T09:30:00.250+08:00`), as `toLocalIso` writes it. One offset, so answers of
 * every service sort and compare as text. Requests may send any offset.
 */
export const timestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+08:00$/)
  .meta({
    description: "An instant in the institution's zone, Asia/Shanghai (+08:00)",
    example: '2026-11-26T09:30:00+08:00',
  });
/** A calendar date, YYYY-MM-DD, that exists. */
export const isoDate = z.iso
  .date()
  // A pattern, not a refinement, so the document says it too: the years 1900–2100.
  .regex(/^(?:19\d\d|20\d\d|2100)-/, yearsMessage)
  .meta({ format: 'date', example: '2026-11-26' });
/** An id as this API makes them (shared/ids.ts), where a request names a new one. */
export const ulid = z
  .string()
  .regex(new RegExp(ULID_PATTERN), 'Expected a ULID')
  .meta({ description: 'A ULID: 26 characters of Crockford base 32', example: '01JD3W5E8QK6M1V2X9ZC7N4P5R' });
export const nonEmpty = (max: number) => z.string().trim().min(1).max(max);

/**
 * Characters no text of the record may hold: controls other than line breaks and tabs (a NUL
 * or an escape is not a name, and breaks exports), and the bidirectional embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make a name display as something
 * it is not ("invoice", U+202E, "fdp.exe" displays as "invoiceexe.pdf").
 */
const singleLinePattern = /^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u;
const multiLinePattern = /^(?:[^\p{Cc}\u202A-\u202E\u2066-\u2069]|[\n\r\t])*$/u;

/** One line of text (a name, a title, a place): no control or bidi-override characters. */
export const singleLine = (max: number) =>
  nonEmpty(max).regex(singleLinePattern, 'Must be one line without control or bidi-override characters');

/** Free text (minutes, a reason): line breaks and tabs, but no other control or bidi-override characters. */
export const multiLine = (max: number) =>
  nonEmpty(max).regex(multiLinePattern, 'Must not contain control or bidi-override characters');
/** A path parameter holding an id; anything else is a 400, never a lookup. */
export const idParam = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[0-9A-Za-z_-]+$/, 'Not a valid id')
  .meta({
    description: 'An id, as this API gives them out (a ULID); an id it never gave is not found',
    example: '01JD3W5E8QK6M1V2X9ZC7N4P5R',
  });
/** An optimistic precondition: the `version` a client read (every version this API writes is in range). */
export const versionField = z
  .number()
  .int()
  .min(1)
  .max(2_147_483_647)
  .meta({ description: 'The version you read (optimistic concurrency)', example: 3 });
/** `?flag=true|false` in a query string. */
export const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
