import * as z from 'zod';
import { actorOf, actsForBranch, type Caller, hasRole, isSelf, selfOf } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, DomainError, forbidden, notFound, ownRecord, unwrap } from '../../../shared/errors.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { pageOf, pageQuery } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { maskEmail, maskPhone } from '../../../shared/pii.js';
import { idParam, isoDate, singleLine, ulid, versionField } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { versionConflict } from '../../../shared/store/version.js';
import { localDate, toLocalIso } from '../../../shared/time.js';
import { changesBetween } from '../domain/audit.js';
import { naturalKeyOf } from '../domain/imports.js';
import {
  type ArrivalEvidence,
  arrivalEvidenceKinds,
  checkPersonDates,
  checkRegistration,
  educations,
  genders,
  type Person,
  registrationRuleCodes,
  snapshotOf,
} from '../domain/person.js';
import {
  MemberJoinedBranch,
  MemberLeftBranch,
  PersonRegistered,
  PersonUpdated,
  politicalStatuses,
} from '../events.js';
import { putNaturalKey } from '../store/imports.js';
import {
  createPerson,
  getAccountState,
  getPeople,
  getPerson,
  listPeople,
  poolPage,
  replacePerson,
  transaction,
} from '../store.js';
import { PersonRecord, PersonSummary, Profile, personRecord, personSummary } from '../views.js';
import { type Audited, auditRead, auditWrite } from './audit.js';
import { leaveSecretaryship, requireBranch } from './branches.js';
import { decidedAgain, managedPerson, visiblePerson } from './common.js';
import { ownBranchManagers, ownProfile, personAndManagers, personManagers } from './outcomes.js';
import { talentPools } from './pools.js';
import { profileOf } from './timeline.js';

const phone = z
  .string()
  .regex(/^\+?[0-9][0-9 -]{4,19}$/, 'Not a phone number')
  .meta({ example: '13800138000' });
const email = z.email().max(200).meta({ example: 'zhangwei@example.cn' });

const optionalFields = {
  workStartDate: isoDate,
  position: singleLine(100).meta({ example: '办公室主任' }),
  education: z.enum(educations),
  title: singleLine(100).meta({ example: '高级工程师' }),
  partyGroupId: idParam,
  phone,
  email,
};

export const registerBody = z.strictObject({
  /** Optional, the committee's only: the id the person's account already names (the token's `custom:personId`); new otherwise. */
  personId: ulid.optional(),
  name: singleLine(100).meta({ example: '张伟' }),
  gender: z.enum(genders),
  birthDate: isoDate.meta({ example: '1990-05-12' }),
  department: singleLine(100).meta({ example: '党政办公室' }),
  branchId: idParam.optional(),
  /** An ordinary registration: `masses` or `applicant`; a later stage needs `history`. */
  politicalStatus: z.enum(politicalStatuses),
  statusSince: isoDate.meta({ example: '2024-03-15' }),
  /**
   * The committee's path for a person arriving past the start of the pipeline (an existing
   * member, a transfer in): the evidence of the stage `politicalStatus` names since `statusSince`.
   */
  history: z
    .strictObject({
      evidence: z.strictObject({
        kind: z.enum(arrivalEvidenceKinds),
        reference: singleLine(100),
        issuedOn: isoDate,
      }),
    })
    .optional(),
  workStartDate: optionalFields.workStartDate.optional(),
  position: optionalFields.position.optional(),
  education: optionalFields.education.optional(),
  title: optionalFields.title.optional(),
  partyGroupId: optionalFields.partyGroupId.optional(),
  phone: phone.optional(),
  email: email.optional(),
});

/** PATCH: `null` clears an optional field; political status changes only through transitions. */
const patchBody = z.strictObject({
  version: versionField,
  name: singleLine(100).optional(),
  gender: z.enum(genders).optional(),
  birthDate: isoDate.optional(),
  department: singleLine(100).optional(),
  branchId: idParam.optional(),
  workStartDate: optionalFields.workStartDate.nullable().optional(),
  position: optionalFields.position.nullable().optional(),
  education: optionalFields.education.nullable().optional(),
  title: optionalFields.title.nullable().optional(),
  partyGroupId: optionalFields.partyGroupId.nullable().optional(),
  phone: phone.nullable().optional(),
  email: email.nullable().optional(),
});

/** Which branch a list is about: the committee any (or all), a secretary only their own. */
const listScope = (caller: Caller, branchId: string | undefined): string | undefined => {
  if (hasRole(caller, 'committee')) return branchId;
  const own = branchId ?? caller.branchId;
  if (!own || !actsForBranch(caller, own)) throw notFound('Branch');
  return own;
};

const personExists = (personId: string) => conflict('person-exists', `person ${personId} already exists`);

/**
 * A registration's own id must be new. Nobody registers themselves (their own record is
 * never theirs to write). Only the committee, who sees the whole register, names the id: a
 * secretary naming one is refused whether or not it exists, so the answer tells them
 * nothing of who is registered in another branch.
 */
const requireNewId = async (ctx: ServiceContext, caller: Caller, personId: string): Promise<void> => {
  if (isSelf(caller, personId)) throw ownRecord('Nobody registers themselves');
  if (!hasRole(caller, 'committee')) {
    throw new DomainError(
      'forbidden',
      'person-id-committee-only',
      'Only the committee names the id of a new person; leave personId out and one is made',
    );
  }
  if (await getPerson(ctx, personId)) throw personExists(personId);
};

/** What the audit log keeps of a contact detail that changed: masked, as in lists. */
const audited = (field: string, value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  if (field === 'phone') return maskPhone(value);
  if (field === 'email') return maskEmail(value);
  return value;
};

/**
 * What registering a person writes, whoever registers them (this route, an import): the
 * person counted in the tallies, `PersonRegistered` (which the platform's accounts function
 * answers with a sign-in account), the audit entry, and the person's natural key
 * (domain/imports.ts). Here the key is only recorded (a namesake born the same day may be
 * registered by hand); an import holds it with a condition (`holdNaturalKey`).
 */
export const writeRegistration = (
  tx: Transaction,
  req: Audited,
  person: Person,
  onExists: () => DomainError,
  key: { hold: boolean; importId?: string } = { hold: false },
): void => {
  createPerson(tx, person, onExists);
  putNaturalKey(tx, naturalKeyOf(person.name, person.birthDate), person.personId, key);
  tx.publish(PersonRegistered, { person: snapshotOf(person) }, { key: person.personId, occurredAt: req.now });
  auditWrite(
    tx,
    req,
    person.arrivedWith ? 'person.register-with-history' : 'person.register',
    person.personId,
    changesBetween(undefined, person, ['branchId', 'politicalStatus', 'statusSince', 'arrivedWith']),
  );
};

type RegisterBody = z.output<typeof registerBody>;

/** What a registration is made of, whichever route takes it (this one, a transfer in). */
export interface Registration {
  fields: Omit<RegisterBody, 'branchId' | 'personId' | 'history'>;
  personId?: string;
  branchId?: string;
  /** A history (the committee's path), and for a transfer in the organisation that sent the person. */
  history?: { evidence: ArrivalEvidence; transferredFrom?: string };
}

/**
 * Registers a person once per Idempotency-Key: the registration's rules, the branch, the
 * dates, then writeRegistration. POST /talent/people and POST /talent/people/transfer-in.
 */
export const registerPerson = async (
  ctx: ServiceContext,
  req: Audited & { caller: Caller; idempotencyKey: string | undefined; body: unknown },
  { fields, personId, branchId, history }: Registration,
) => {
  const { caller, now } = req;
  const committee = hasRole(caller, 'committee');
  const today = localDate(now);
  unwrap(
    checkRegistration({
      birthDate: fields.birthDate,
      politicalStatus: fields.politicalStatus,
      statusSince: fields.statusSince,
      ...(history ? { history: history.evidence } : {}),
      byCommittee: committee,
      today,
    }),
  );
  await requireBranch(ctx, branchId, fields.partyGroupId);
  const at = toLocalIso(now);
  const person: Person = {
    ...fields,
    personId: personId ?? newId(),
    version: 1,
    ...(branchId ? { branchId } : {}),
    ...(fields.politicalStatus === 'probationary' ? { probation: { startedOn: fields.statusSince } } : {}),
    ...(history
      ? {
          arrivedWith: {
            history: true as const,
            stage: fields.politicalStatus,
            since: fields.statusSince,
            evidence: history.evidence,
            recordedBy: actorOf(caller),
            ...(history.transferredFrom ? { transferredFrom: history.transferredFrom } : {}),
          },
        }
      : {}),
    createdAt: at,
    updatedAt: at,
  };
  unwrap(checkPersonDates(person, today));
  return createOnce(ctx, req, {
    scope: accountScope('person', caller),
    entityId: person.personId,
    replay: async (id) => {
      const first = await getPerson(ctx, id);
      // Gone since (a departure): a repeat must not register them again.
      if (!first) throw notFound('Person');
      return created(personSummary(first), `/talent/people/${id}`);
    },
    create: async ({ claim, commit }) => {
      const tx = claim(transaction(ctx));
      // Lost a race with another registration of the same id: as requireNewId would have said.
      writeRegistration(tx, req, person, () => personExists(person.personId));
      await commit(tx);
      return created(personSummary(person), `/talent/people/${person.personId}`);
    },
  });
};

export const peopleRoutes = [
  route('POST /talent/people', {
    access: ['committee', 'secretary'],
    summary:
      'Register a person (人员登记); a secretary into their own branch. A repeat with the same Idempotency-Key answers 201 with the person as registered',
    description:
      'What the body may hold depends on the caller. The committee may name `personId` (a secretary naming one is 403 `person-id-committee-only`: leave it out and one is made) and may leave `branchId` out for a person of no branch; a secretary’s `branchId` defaults to their own, and another branch is 404.',
    outcomes: ownBranchManagers,
    refusals: [
      'own-record',
      'person-id-committee-only',
      'history-committee-only',
      'person-exists',
      'unknown-branch',
      'unknown-party-group',
      ...registrationRuleCodes,
    ],
    responses: { 201: PersonSummary },
    request: { body: registerBody },
    idempotent: true,
    handler: decidedAgain(async (req, ctx) => {
      const { body, caller } = req;
      const committee = hasRole(caller, 'committee');
      const branchId = committee ? body.branchId : (body.branchId ?? caller.branchId);
      // Another branch is outside a secretary's scope: it does not exist for them.
      if (!actsForBranch(caller, branchId)) throw notFound('Branch');
      if (body.personId !== undefined) await requireNewId(ctx, caller, body.personId);
      const { branchId: _ignored, personId, history, ...fields } = body;
      return registerPerson(ctx, req, {
        fields,
        ...(personId ? { personId } : {}),
        ...(branchId ? { branchId } : {}),
        ...(history ? { history } : {}),
      });
    }),
  }),

  route('GET /talent/people', {
    access: ['committee', 'secretary'],
    summary: 'List people (人员名册) of a branch, a stage or a talent pool; contact details masked',
    outcomes: ownBranchManagers,
    responses: { 200: pageOf(PersonSummary) },
    request: {
      query: z.strictObject({
        ...pageQuery,
        branchId: idParam.optional(),
        status: z.enum(politicalStatuses).optional(),
        pool: z.enum(talentPools).optional(),
        q: singleLine(50).optional(),
      }),
    },
    handler: async (req, ctx) => {
      const { query, caller } = req;
      const branchId = listScope(caller, query.branchId);
      // Audited after the read, before the answer: a refused request (a forged cursor) is no read.
      const audited = () =>
        auditRead(ctx, req, 'people.list', {
          scope: {
            list: 'people',
            ...(branchId !== undefined ? { branchId } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.pool ? { pool: query.pool } : {}),
            ...(query.q ? { q: query.q } : {}),
          },
        });
      if (query.pool) {
        // Pools are small; the page is the pool's, filtered by the other criteria.
        const page = await poolPage(ctx, query.pool, query);
        const people = await getPeople(ctx, page.items);
        const q = query.q?.toLowerCase();
        const items = page.items
          .map((id) => people.get(id))
          .filter((p): p is Person => p !== undefined)
          .filter(
            (p) =>
              (branchId === undefined || p.branchId === branchId) &&
              (query.status === undefined || p.politicalStatus === query.status) &&
              (q === undefined || p.name.toLowerCase().includes(q)),
          )
          .map(personSummary);
        await audited();
        return ok({ items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
      }
      const page = await listPeople(
        ctx,
        {
          ...(branchId !== undefined ? { branchId } : {}),
          ...(query.status ? { status: query.status } : {}),
          ...(query.q ? { q: query.q } : {}),
        },
        query,
      );
      await audited();
      return ok({ ...page, items: page.items.map(personSummary) });
    },
  }),

  route('GET /talent/people/{personId}', {
    access: ['committee', 'secretary', 'member'],
    summary:
      "One person's record (个人档案), contact details whole: the person, their secretary, the committee",
    outcomes: personAndManagers,
    responses: { 200: PersonRecord },
    request: { params: z.strictObject({ personId: idParam }) },
    handler: async (req, ctx) => {
      const person = await visiblePerson(ctx, req.caller, req.params.personId);
      const account = await getAccountState(ctx, person.personId);
      await auditRead(ctx, req, 'person.read', { personId: person.personId });
      return ok(personRecord(person, account));
    },
  }),

  route('PATCH /talent/people/{personId}', {
    access: ['committee', 'secretary'],
    summary:
      "Correct a person's record (optimistic: send the version read); only the committee moves branches",
    outcomes: personManagers,
    refusals: [
      'own-record',
      'version-conflict',
      'birth-date-implausible',
      'birth-date-in-future',
      'work-start-before-birth',
    ],
    responses: { 200: PersonSummary },
    request: { params: z.strictObject({ personId: idParam }), body: patchBody },
    handler: decidedAgain(async (req, ctx) => {
      const { params, body, caller, now } = req;
      const current = await managedPerson(ctx, caller, params.personId);
      if (current.departure) throw conflict('already-departed', `the person left on ${current.departure.on}`);
      if (body.version !== current.version) {
        throw versionConflict('The person', { version: current.version });
      }
      const { version: _v, ...changes } = body;
      const next: Person = { ...current };
      const changed: string[] = [];
      for (const [field, value] of Object.entries(changes) as [keyof typeof changes, unknown][]) {
        if (value === undefined) continue;
        const before = (current as unknown as Record<string, unknown>)[field];
        if (value === null) {
          if (before !== undefined) {
            delete (next as unknown as Record<string, unknown>)[field];
            changed.push(field);
          }
        } else if (value !== before) {
          (next as unknown as Record<string, unknown>)[field] = value;
          changed.push(field);
        }
      }
      const moved = changed.includes('branchId');
      if (moved) {
        if (!actsForBranch(caller, next.branchId)) {
          throw forbidden('Only the committee moves people between branches');
        }
        // A party group belongs to a branch: a move without a new group leaves none.
        if (!changed.includes('partyGroupId') && next.partyGroupId) {
          delete next.partyGroupId;
          changed.push('partyGroupId');
        } // A secretary who moves stops being their old branch's secretary, in the same write.
        if (next.secretaryOf !== undefined) {
          delete next.secretaryOf;
          changed.push('roles');
        }
      }
      if (changed.length === 0) {
        // Nothing to write, but the record was shown: that is a read.
        await auditRead(ctx, req, 'person.read', { personId: current.personId });
        return ok(personSummary(current));
      }
      if (moved || changed.includes('partyGroupId'))
        await requireBranch(ctx, next.branchId, next.partyGroupId);
      unwrap(checkPersonDates(next, localDate(now)));
      next.version = current.version + 1;
      next.updatedAt = toLocalIso(now);

      const tx = transaction(ctx);
      replacePerson(tx, current, next);
      if (current.secretaryOf !== undefined && next.secretaryOf === undefined) {
        await leaveSecretaryship(ctx, tx, current, now);
      }
      const person = snapshotOf(next);
      const options = { key: next.personId, occurredAt: now };
      if (moved) {
        if (current.branchId) tx.publish(MemberLeftBranch, { person, branchId: current.branchId }, options);
        if (next.branchId) tx.publish(MemberJoinedBranch, { person, branchId: next.branchId }, options);
      }
      tx.publish(PersonUpdated, { person, changed: changed.filter((f) => f !== 'version') }, options);
      auditWrite(
        tx,
        req,
        'person.update',
        next.personId,
        changesBetween(
          current,
          next,
          changed.map((f) => (f === 'roles' ? 'secretaryOf' : f)),
          audited,
        ),
      );
      await tx.commit();
      return ok(personSummary(next));
    }),
  }),

  route('GET /talent/me', {
    access: ['committee', 'secretary', 'member'],
    summary: 'My profile: record, stage, history, records, pools and points (我的档案)',
    outcomes: ownProfile,
    refusals: ['no-person'],
    responses: { 200: Profile },
    handler: async (req, ctx) => {
      const personId = selfOf(req.caller);
      const profile = await profileOf(ctx, req.caller, personId);
      await auditRead(ctx, req, 'profile.read', { personId });
      return ok(profile);
    },
  }),
];
