import { nonEmpty } from '../../shared/schemas.js';

/** One line of text: no control characters (a NUL or an escape is not a name, and breaks exports). */
export const singleLine = (max: number) =>
  nonEmpty(max).regex(/^[^\p{Cc}]*$/u, 'Must not contain control characters');

/** Free text: line breaks and tabs, but no other control characters. */
export const multiLine = (max: number) =>
  nonEmpty(max).regex(/^(?:[^\p{Cc}]|[\n\r\t])*$/u, 'Must not contain control characters');
