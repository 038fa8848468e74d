import type { Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, notFound } from '../../../shared/errors.js';
import { retryOnConflict } from '../../../shared/store/retry.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { canManagePerson, canSeePerson, type Person, snapshotOf } from '../domain/person.js';
import { PersonUpdated } from '../events.js';
import { getPerson, replacePerson } from '../store.js';
import { type Audited, auditWrite } from './audit.js';

/** The person if the caller may see them; anyone else learns nothing (404). */
export const visiblePerson = async (
  ctx: ServiceContext,
  caller: Caller,
  personId: string,
): Promise<Person> => {
  const person = await getPerson(ctx, personId);
  if (!person || !canSeePerson(caller, person)) throw notFound('Person');
  return person;
};

/** The person if the caller may change their record (their secretary, the committee). */
export const managedPerson = async (
  ctx: ServiceContext,
  caller: Caller,
  personId: string,
): Promise<Person> => {
  const person = await getPerson(ctx, personId);
  if (!person || !canManagePerson(caller, person)) throw notFound('Person');
  return person;
};

/** The optimistic write of a person: it lands only on the version that was read. */
export const versionGuard = (expected: number) => ({
  condition: '#version = :expected',
  names: { '#version': 'version' },
  values: { ':expected': expected },
});

/**
 * The optimistic write of an item that may predate versioning (branches, records): such an
 * item counts as version 1. The item must still exist, so a write never recreates it.
 */
export const itemVersionGuard = (expected: number) => ({
  condition:
    expected === 1
      ? 'attribute_exists(#pk) AND (attribute_not_exists(#version) OR #version = :expected)'
      : 'attribute_exists(#pk) AND #version = :expected',
  names: { '#pk': 'pk', '#version': 'version' },
  values: { ':expected': expected },
});

/** The version of an item read back; one written before versioning is at version 1. */
export const versionOf = (item: Record<string, unknown>): number =>
  typeof item.version === 'number' ? item.version : 1;

/**
 * A handler that writes a person: the write moves them between tallies (store.ts), and
 * writes at once share tally items (a birth year's), so a lost race (`concurrent-update`)
 * is read and decided again. A real change in between is then a version conflict, as ever.
 */
export const decidedAgain =
  <R, C, T>(handler: (req: R, ctx: C) => Promise<T>) =>
  (req: R, ctx: C): Promise<T> =>
    retryOnConflict(() => handler(req, ctx));

/**
 * A person's roles change (committee, secretary): their next version is written and
 * announced (PersonUpdated, `roles`), which their sign-in account follows, and audited,
 * all in the caller's transaction.
 */
export const changeRoles = (tx: Transaction, req: Audited, current: Person, next: Person): void => {
  replacePerson(tx, current, next, {
    ...versionGuard(current.version),
    onConditionFailed: () => conflict('version-conflict', 'the person changed meanwhile; read it again'),
  });
  tx.publish(
    PersonUpdated,
    { person: snapshotOf(next), changed: ['roles'] },
    {
      key: next.personId,
      occurredAt: req.now,
    },
  );
  auditWrite(tx, req, 'person.roles', current.personId);
};

/** The person's next version, written now. */
export const nextVersion = (p: Person, now: Date, change: Partial<Person> = {}): Person => ({
  ...p,
  ...change,
  version: p.version + 1,
  updatedAt: now.toISOString(),
});
