/**
 * Membership over a whole life (组织关系): a transfer out, a transfer in, the end of a
 * membership (domain/lifecycle.ts). Leaving goes through the one departure write
 * (handlers/roles.ts `writeDeparture`), arriving through the one registration
 * (handlers/people.ts `registerPerson`), so rosters, tallies, insights, accounts and every
 * other service follow each as they follow any departure or registration.
 */
import * as z from 'zod';
import { actorOf, actsForBranch, hasRole } from '../../../shared/auth.js';
import { conflict, forbidden, unwrap } from '../../../shared/errors.js';
import { ok } from '../../../shared/http/result.js';
import { idParam, isoDate, multiLine, singleLine, versionField } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { versionConflict } from '../../../shared/store/version.js';
import { localDate } from '../../../shared/time.js';
import { changesBetween } from '../domain/audit.js';
import {
  checkEndMembership,
  checkTransferOut,
  departureReasonOf,
  membershipEnds,
  retirementPlacement,
} from '../domain/lifecycle.js';
import { type Person, snapshotOf } from '../domain/person.js';
import { MemberJoinedBranch, MemberLeftBranch, PersonUpdated, type PoliticalStatus } from '../events.js';
import { replacePerson, transaction } from '../store.js';
import { PersonSummary, personSummary } from '../views.js';
import { auditWrite } from './audit.js';
import { allBranches, leaveSecretaryship } from './branches.js';
import { decidedAgain, managedPerson, nextVersion } from './common.js';
import { committeeOnly, personManagers } from './outcomes.js';
import { registerBody, registerPerson } from './people.js';
import { writeDeparture } from './roles.js';

const personParams = z.strictObject({ personId: idParam });

const transferOutBody = z.strictObject({
  version: versionField,
  /** 介绍信编号: a transfer without its letter is no transfer. */
  letterNumber: singleLine(50).meta({ example: '京药检党转字〔2026〕12号' }),
  receivingOrganisation: singleLine(200).meta({ example: '中共某某市药品监督管理局机关委员会' }),
  on: isoDate,
  note: multiLine(500).optional(),
});

const transferInBody = registerBody.omit({ personId: true, history: true, politicalStatus: true }).extend({
  /** A transfer brings a party member: 预备党员 or 正式党员, since `statusSince`. */
  politicalStatus: z.enum(['probationary', 'full'] satisfies PoliticalStatus[]),
  /** The transfer letter (组织关系介绍信): the evidence of the stage. */
  transfer: z.strictObject({
    letterNumber: singleLine(50).meta({ example: '沪药检党转字〔2026〕8号' }),
    issuedOn: isoDate,
    sendingOrganisation: singleLine(200).meta({ example: '中共某某研究院委员会' }),
  }),
});

const endMembershipBody = z.strictObject({
  version: versionField,
  kind: z.enum(membershipEnds).meta({
    description: 'retired 退休 (still a member), membership-stopped 停止党籍, expelled 出党, deceased 去世',
  }),
  on: isoDate,
  reason: multiLine(500).meta({ example: '经支部党员大会讨论、党委研究决定' }),
  /** The decision's reference, e.g. 党委决定文号. */
  authority: singleLine(100).meta({ example: '党委〔2026〕15号' }),
  /**
   * For `retired`: the retired members' branch (离退休党支部) the person moves to; needed only
   * when the institution has several.
   */
  retiredBranchId: idParam.optional().meta({
    description:
      'For `retired`: a branch marked `retiredMembers`; without it the only such branch, or none when the institution has none',
  }),
});

/** A person still on the register, managed by the caller, at the version they read. */
const currentPerson = async (
  ctx: Parameters<typeof managedPerson>[0],
  req: {
    caller: Parameters<typeof managedPerson>[1];
    params: { personId: string };
    body: { version: number };
  },
): Promise<Person> => {
  // Nobody acts on their own membership: managedPerson refuses the caller's own record.
  const person = await managedPerson(ctx, req.caller, req.params.personId);
  if (person.departure) throw conflict('already-departed', `the person left on ${person.departure.on}`);
  if (req.body.version !== person.version) throw versionConflict('The person', { version: person.version });
  return person;
};

export const lifecycleRoutes = [
  route('POST /talent/people/{personId}/transfer-out', {
    access: ['committee', 'secretary'],
    summary:
      'Transfer a party member’s organisational relationship out (组织关系转出), with its letter: the person leaves the branch’s counts, the record stays, the account is disabled',
    outcomes: personManagers,
    refusals: [
      'own-record',
      'version-conflict',
      'already-departed',
      'not-a-party-member',
      'departure-in-future',
    ],
    responses: { 200: PersonSummary },
    request: { params: personParams, body: transferOutBody },
    handler: decidedAgain(async (req, ctx) => {
      const { body, now } = req;
      const person = await currentPerson(ctx, req);
      unwrap(checkTransferOut({ person, on: body.on, today: localDate(now) }));
      const tx = transaction(ctx);
      const next = await writeDeparture(ctx, tx, req, person, {
        on: body.on,
        reason: 'transferred-out',
        transfer: {
          letterNumber: body.letterNumber,
          receivingOrganisation: body.receivingOrganisation,
          ...(body.note ? { note: body.note } : {}),
        },
      });
      auditWrite(
        tx,
        req,
        'person.transfer-out',
        person.personId,
        changesBetween(person, next, ['departure']),
      );
      await tx.commit();
      return ok(personSummary(next));
    }),
  }),

  route('POST /talent/people/transfer-in', {
    access: ['committee'],
    summary:
      'Register a party member arriving by transfer (组织关系转入), the letter as the evidence of their stage; the committee’s. A repeat with the same Idempotency-Key answers 201 with the person as registered',
    outcomes: committeeOnly,
    refusals: [
      'unknown-branch',
      'unknown-party-group',
      'birth-date-implausible',
      'birth-date-in-future',
      'work-start-before-birth',
      'status-since-out-of-range',
      'history-evidence-before-stage',
      'history-evidence-in-future',
    ],
    responses: { 201: PersonSummary },
    request: { body: transferInBody },
    idempotent: true,
    handler: decidedAgain(async (req, ctx) => {
      const { branchId, transfer, ...fields } = req.body;
      return registerPerson(ctx, req, {
        fields,
        ...(branchId ? { branchId } : {}),
        history: {
          evidence: {
            kind: 'transfer-letter',
            reference: transfer.letterNumber,
            issuedOn: transfer.issuedOn,
          },
          transferredFrom: transfer.sendingOrganisation,
        },
      });
    }),
  }),

  route('POST /talent/people/{personId}/end-membership', {
    access: ['committee', 'secretary'],
    summary:
      'End a party membership: retirement (退休, into the institution’s retired members’ branch if it has one), 停止党籍, 出党 (the committee’s), death; each with its decision',
    description:
      '`retired` keeps the person a current member, moved to the retired members’ branch (离退休党支部): `retiredBranchId` when given (a branch marked `retiredMembers`), otherwise the institution’s only one (several: name one; none: the person stays). Someone already in a retired members’ branch stays; a move between branches is the committee’s. Every other kind is a departure: the person leaves the counts, the record stays, the account is disabled.',
    outcomes: personManagers,
    refusals: [
      'own-record',
      'forbidden',
      'expulsion-committee-only',
      'version-conflict',
      'already-departed',
      'already-retired',
      'not-a-party-member',
      'effective-date-in-future',
      'unknown-branch',
      'not-a-retired-members-branch',
      'retired-branch-required',
    ],
    responses: { 200: PersonSummary },
    request: { params: personParams, body: endMembershipBody },
    handler: decidedAgain(async (req, ctx) => {
      const { body, caller, now } = req;
      const person = await currentPerson(ctx, req);
      unwrap(
        checkEndMembership({
          person,
          kind: body.kind,
          on: body.on,
          today: localDate(now),
          byCommittee: hasRole(caller, 'committee'),
        }),
      );
      const decision = { authority: body.authority, reason: body.reason };
      const tx = transaction(ctx);
      if (body.kind !== 'retired') {
        const next = await writeDeparture(ctx, tx, req, person, {
          on: body.on,
          reason: departureReasonOf[body.kind],
          decision,
        });
        auditWrite(
          tx,
          req,
          'person.end-membership',
          person.personId,
          changesBetween(person, next, ['departure']),
        );
        await tx.commit();
        return ok(personSummary(next));
      }
      const moveTo = unwrap(
        retirementPlacement({
          person,
          branches: await allBranches(ctx),
          requested: body.retiredBranchId,
        }),
      );
      if (moveTo !== undefined && !actsForBranch(caller, moveTo))
        throw forbidden('Only the committee moves people between branches');
      const { partyGroupId: _g, secretaryOf: _s, ...unmoved } = person;
      const retirement = {
        on: body.on,
        ...decision,
        ...(moveTo !== undefined ? { retiredBranchId: moveTo } : {}),
        recordedBy: actorOf(caller),
      };
      const next =
        moveTo !== undefined
          ? nextVersion(unmoved, now, { branchId: moveTo, retirement })
          : nextVersion(person, now, { retirement });
      replacePerson(tx, person, next);
      const changed = ['retirement'];
      const snapshot = snapshotOf(next);
      const options = { key: next.personId, occurredAt: now };
      if (moveTo !== undefined) {
        // A secretary who retires elsewhere stops being their old branch's secretary, in the same write.
        if (person.secretaryOf !== undefined) await leaveSecretaryship(ctx, tx, person, now);
        if (person.branchId)
          tx.publish(MemberLeftBranch, { person: snapshot, branchId: person.branchId }, options);
        tx.publish(MemberJoinedBranch, { person: snapshot, branchId: moveTo }, options);
        changed.push('branchId', ...(person.partyGroupId ? ['partyGroupId'] : []));
        if (person.secretaryOf !== undefined) changed.push('roles');
      }
      tx.publish(PersonUpdated, { person: snapshot, changed }, options);
      auditWrite(
        tx,
        req,
        'person.end-membership',
        person.personId,
        changesBetween(person, next, ['retirement', 'branchId', 'partyGroupId']),
      );
      await tx.commit();
      return ok(personSummary(next));
    }),
  }),
];
