/**
 * Who holds which role, and who leaves the register. The committee names its own members
 * (党委委员) here and branch secretaries on the branch (handlers/branches.ts); a person's
 * sign-in account follows both (infra/functions/accounts.ts). Nobody acts on their own
 * roles or their own departure.
 */
import * as z from 'zod';
import { actorOf, type Caller, isSelf } from '../../../shared/auth.js';
import { conflict, notFound, ownRecord, ruleViolation } from '../../../shared/errors.js';
import { pageOf, pageQuery } from '../../../shared/http/paging.js';
import { noContent, ok } from '../../../shared/http/result.js';
import { idParam, isoDate, versionField } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { versionConflict } from '../../../shared/store/version.js';
import { localDate, toLocalIso } from '../../../shared/time.js';
import { type Departure, departureReasons, type Person, snapshotOf } from '../domain/person.js';
import { MemberLeftBranch, PersonUpdated } from '../events.js';
import {
  committeeMembersPage,
  committeeRoleItem,
  getPeople,
  getPerson,
  keys,
  replacePerson,
  transaction,
} from '../store.js';
import { PersonSummary, personSummary } from '../views.js';
import { auditRead, auditWrite } from './audit.js';
import { leaveSecretaryship } from './branches.js';
import { changeRoles, decidedAgain, managedPerson, nextVersion } from './common.js';
import { committeeOnly, personManagers } from './outcomes.js';

const personParams = z.strictObject({ personId: idParam });

/** A person still on the register; one who left is no one's to name. */
const onRegister = async (ctx: Parameters<typeof getPerson>[0], personId: string): Promise<Person> => {
  const person = await getPerson(ctx, personId);
  if (!person || person.departure) throw notFound('Person');
  return person;
};

const departureBody = z.strictObject({
  version: versionField,
  on: isoDate,
  // 停止党籍 is an end of membership, recorded with its decision (handlers/lifecycle.ts).
  reason: z.enum(departureReasons).exclude(['membership-stopped']),
});

/**
 * What any departure writes (this route, a transfer out, an end of membership:
 * handlers/lifecycle.ts): the record kept with its departure, every role ended, the person
 * out of their branch (MemberLeftBranch) and, through PersonUpdated, out of every other
 * service's roster and of the accounts function's sign-ins. The caller audits it.
 */
export const writeDeparture = async (
  ctx: Parameters<typeof getPerson>[0],
  tx: ReturnType<typeof transaction>,
  req: { caller: Caller; now: Date },
  person: Person,
  departure: Omit<Departure, 'formerBranchId' | 'recordedBy'>,
): Promise<Person> => {
  const { caller, now } = req;
  const { branchId, partyGroupId: _g, secretaryOf, committeeMember, ...rest } = person;
  const next = nextVersion(rest, now, {
    departure: {
      ...departure,
      ...(branchId ? { formerBranchId: branchId } : {}),
      recordedBy: actorOf(caller),
    },
  });
  replacePerson(tx, person, next);
  if (committeeMember) tx.delete(keys.committeeRole(person.personId));
  if (secretaryOf) await leaveSecretaryship(ctx, tx, person, now);
  const snapshot = snapshotOf(next);
  const options = { key: next.personId, occurredAt: now };
  if (branchId) tx.publish(MemberLeftBranch, { person: snapshot, branchId }, options);
  tx.publish(PersonUpdated, { person: snapshot, changed: ['departure', 'roles'] }, options);
  return next;
};

export const roleRoutes = [
  route('GET /talent/committee/members', {
    access: ['committee'],
    summary: 'The members of the party committee (党委委员)',
    outcomes: committeeOnly,
    responses: { 200: pageOf(PersonSummary) },
    request: { query: z.strictObject({ ...pageQuery }) },
    handler: async (req, ctx) => {
      const page = await committeeMembersPage(ctx, req.query);
      const people = await getPeople(ctx, page.items);
      await auditRead(ctx, req, 'people.list', { scope: { list: 'committee' } });
      return ok({
        items: page.items.flatMap((id) => {
          const p = people.get(id);
          return p ? [personSummary(p)] : [];
        }),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    },
  }),

  route('PUT /talent/committee/members/{personId}', {
    access: ['committee'],
    summary: 'Name a full member to the party committee; their account joins group committee',
    outcomes: committeeOnly,
    refusals: ['own-record', 'not-a-full-member'],
    responses: { 200: PersonSummary },
    request: { params: personParams },
    handler: decidedAgain(async (req, ctx) => {
      const { params, caller, now } = req;
      const person = await onRegister(ctx, params.personId);
      if (isSelf(caller, person.personId)) throw ownRecord('Nobody names themselves to the committee');
      if (person.politicalStatus !== 'full') {
        throw ruleViolation('not-a-full-member', 'only a full party member (正式党员) sits on the committee');
      }
      if (person.committeeMember) return ok(personSummary(person));
      const next = nextVersion(person, now, { committeeMember: true });
      const tx = transaction(ctx).put(committeeRoleItem(person.personId, toLocalIso(now)));
      changeRoles(tx, req, person, next);
      await tx.commit();
      return ok(personSummary(next));
    }),
  }),

  route('DELETE /talent/committee/members/{personId}', {
    access: ['committee'],
    summary: 'Take a person off the party committee; their account leaves group committee',
    outcomes: committeeOnly,
    responses: { 204: 'empty' },
    request: { params: personParams },
    handler: decidedAgain(async (req, ctx) => {
      const { params, caller } = req;
      const person = await getPerson(ctx, params.personId);
      if (!person) throw notFound('Person');
      if (isSelf(caller, person.personId)) throw ownRecord('Nobody takes themselves off the committee');
      if (!person.committeeMember) return noContent();
      const { committeeMember: _c, ...rest } = person;
      const tx = transaction(ctx).delete(keys.committeeRole(person.personId));
      changeRoles(tx, req, person, nextVersion(rest, req.now));
      await tx.commit();
      return noContent();
    }),
  }),

  route('POST /talent/people/{personId}/departure', {
    access: ['committee', 'secretary'],
    summary:
      'Record that a person left the register (组织关系转出, 离职, …): the record is kept, every role ends, the account is disabled',
    outcomes: personManagers,
    refusals: ['own-record', 'version-conflict', 'already-departed', 'departure-in-future'],
    responses: { 200: PersonSummary },
    request: { params: personParams, body: departureBody },
    handler: decidedAgain(async (req, ctx) => {
      const { params, body, caller, now } = req;
      // Nobody records their own departure: managedPerson refuses the caller's own record.
      const person = await managedPerson(ctx, caller, params.personId);
      if (person.departure) throw conflict('already-departed', `the person left on ${person.departure.on}`);
      if (body.version !== person.version) {
        throw versionConflict('The person', { version: person.version });
      }
      if (body.on > localDate(now)) throw ruleViolation('departure-in-future', `${body.on} is after today`);
      const tx = transaction(ctx);
      const next = await writeDeparture(ctx, tx, req, person, { on: body.on, reason: body.reason });
      auditWrite(tx, req, 'person.departure', person.personId);
      await tx.commit();
      return ok(personSummary(next));
    }),
  }),
];
