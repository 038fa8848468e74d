import { monotonicFactory } from 'ulid';

// Monotonic so that ids minted in the same millisecond still sort in creation order,
// which keeps ULID-keyed lists (outbox, timelines) in the order things happened.
const next = monotonicFactory();

export const newId = (): string => next();

export const isUlid = (value: string): boolean => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value);
