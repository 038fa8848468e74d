/**
 * Guessing the check-in code. A code is six digits (10⁶ values) and check-in stays open for up
 * to 12.5 hours, so wrong codes are limited twice (the counters live in the store, counted
 * atomically):
 *
 * - per person and activity: the 5th wrong code is the last; from then on that person's
 *   check-ins to that activity are refused (429 `check-in-locked`, right code or wrong) until
 *   check-in closes. The secretary can still record them (`PUT …/attendance`). Nobody else
 *   is affected.
 * - per activity: every 50 wrong codes (from everyone together) the code is replaced by a
 *   new random one, which the organisers see on the activity. A campaign spread over many
 *   invited accounts therefore tries at most 50 values against any one code: a chance of
 *   5 in 100,000 per code, and an account can add only 5 tries to it.
 *
 * Pure: the counts are parameters.
 */
import { DomainError, ruleViolation } from '../../../shared/errors.js';
import { toLocalIso } from '../../../shared/time.js';
import { WRONG_CODE } from './activity.js';

/** Wrong codes a person may send to one activity; the last one locks them out of it. */
export const MAX_WRONG_CODES_PER_PERSON = 5;
/** Wrong codes (from everyone) after which an activity's code is replaced. */
export const WRONG_CODES_PER_CODE = 50;

/** The refusal of a locked-out person, the same whatever code they sent (it tells them nothing). */
export const checkInLocked = (endsAt: string): DomainError =>
  new DomainError(
    'throttled',
    'check-in-locked',
    `Too many wrong check-in codes for this activity; ask the secretary to record your attendance`,
    { lockedUntil: toLocalIso(new Date(endsAt)), askSecretary: true },
  );

/** A wrong code, with how many more the person may try (0: the next attempt is locked out). */
export const wrongCode = (wrongSoFar: number) =>
  ruleViolation(WRONG_CODE, 'The check-in code is not right', {
    attemptsLeft: Math.max(0, MAX_WRONG_CODES_PER_PERSON - wrongSoFar),
  });

/** The code is due to be replaced once the activity's wrong codes reach the next multiple of 50. */
export const rotationDue = (wrongCodes: number, rotations: number): boolean =>
  wrongCodes >= WRONG_CODES_PER_CODE * (rotations + 1);
