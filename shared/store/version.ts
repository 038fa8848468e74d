/**
 * Optimistic concurrency, the same on every table: an item carries `version`; a write that
 * decided on what it read expects that version, and if another write came first it is refused
 * with the one `version-conflict` (409): read again and decide again.
 */
import { conflict, type DomainError } from '../errors.js';
import type { Condition } from './transaction.js';

/** The refusal when the item changed since it was read; `what` names it ("The activity"). */
export const versionConflict = (what: string, details?: { version: number }): DomainError =>
  conflict('version-conflict', `${what} changed meanwhile; read it again`, details);

interface AlsoRequired {
  /** More that must hold, in the item's own names (`#status = :scheduled`). */
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  /**
   * The refusal when the whole condition fails; a version conflict by default. A write that
   * is re-decided on a fresh read (a retried placement, a roster snapshot) names its own.
   */
  onConditionFailed?: () => DomainError;
}

/** The condition of a write decided on version `expected` of `what`. */
export const expectVersion = (expected: number, what: string, also?: AlsoRequired): Condition => ({
  condition: also?.condition
    ? `#version = :expectedVersion AND (${also.condition})`
    : '#version = :expectedVersion',
  names: { '#version': 'version', ...also?.names },
  values: { ':expectedVersion': expected, ...also?.values },
  onConditionFailed: also?.onConditionFailed ?? (() => versionConflict(what)),
});

/** The part of an update expression that moves the item to its next version. */
export const versionBump = {
  expression: '#version = #version + :versionStep',
  names: { '#version': 'version' },
  values: { ':versionStep': 1 },
} as const;
