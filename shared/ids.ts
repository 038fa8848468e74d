import { monotonicFactory } from 'ulid';

// Monotonic so that ids minted in the same millisecond still sort in creation order,
// which keeps ULID-keyed lists (outbox, timelines) in the order things happened.
const next = monotonicFactory();

export const newId = (): string => next();

/** Crockford base 32, 26 characters: what `newId` makes. */
export const ULID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';
