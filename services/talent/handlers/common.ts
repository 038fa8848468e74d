import type { Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap } from '../../../shared/errors.js';
import { retryOnConflict } from '../../../shared/store/retry.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { toLocalIso } from '../../../shared/time.js';
import { canSeePerson, managementOf, type Person, snapshotOf } from '../domain/person.js';
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

/**
 * The person if the caller may manage their record (their secretary, the committee): 404
 * outside the caller's scope, 403 `own-record` for their own, before any rule is asked.
 */
export const managedPerson = async (ctx: ServiceContext, caller: Caller, personId: string): Promise<Person> =>
  unwrap(managementOf(caller, await getPerson(ctx, personId)));

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
  replacePerson(tx, current, next);
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
  updatedAt: toLocalIso(now),
});
