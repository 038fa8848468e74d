import * as z from 'zod';
import { actorOf } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, notFound, unwrap } from '../../../shared/errors.js';
import { accountScope, createOnce, type Once } from '../../../shared/http/idempotent.js';
import { created } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, isoDate, multiLine } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { getItem } from '../../../shared/store/query.js';
import { localDate, toLocalIso } from '../../../shared/time.js';
import { type AuditAction, changesBetween } from '../domain/audit.js';
import { type PipelineEventKind, pipelineEventKinds, recordPipelineEvent } from '../domain/due.js';
import { canSeePerson, type Person, snapshotOf } from '../domain/person.js';
import {
  checkOath,
  checkProbationExtension,
  checkTransition,
  type KnownMeeting,
  type Probation,
} from '../domain/pipeline.js';
import { PersonUpdated, politicalStatuses, StageChanged } from '../events.js';
import { getCalendars, getPeople, keys, replacePerson, strip, transaction } from '../store.js';
import {
  ExtensionResult,
  OathResult,
  PipelineEventResult,
  personSummary,
  TransitionResult,
} from '../views.js';
import { type Audited, auditWrite } from './audit.js';
import { decidedAgain, managedPerson } from './common.js';
import { personManagers } from './outcomes.js';

const ids = z.array(idParam).max(10);

const transitionBody = z.strictObject({
  to: z.enum(politicalStatuses),
  effectiveOn: isoDate,
  evidence: z
    .strictObject({
      contactPersonIds: ids.optional(),
      branchCommitteeDecisionOn: isoDate.optional(),
      introducerIds: ids.optional(),
      politicalReviewOn: isoDate.optional(),
      training: z
        .strictObject({
          days: z.number().nonnegative().max(365).optional(),
          classHours: z.number().nonnegative().max(10_000).optional(),
          completedOn: isoDate.optional(),
        })
        .optional(),
      publicNotice: z.strictObject({ from: isoDate, to: isoDate }).optional(),
      resolutionActivityId: idParam.optional(),
      specialReason: multiLine(500).optional(),
      reason: multiLine(500).optional(),
    })
    .default({}),
});

/** Writes the person's next version with its history entry, events and audit entry, all or nothing. */
const commitChange = async (
  ctx: ServiceContext,
  req: Audited,
  action: AuditAction,
  current: Person,
  next: Person,
  history: Record<string, unknown>,
  publish: (tx: ReturnType<typeof transaction>, person: ReturnType<typeof snapshotOf>) => void,
  { entryId, claim, commit }: Once & { entryId: string },
) => {
  const { caller, now } = req;
  next.version = current.version + 1;
  next.updatedAt = toLocalIso(now);
  const tx = claim(transaction(ctx));
  replacePerson(tx, current, next);
  tx.put({
    ...keys.stage(current.personId, entryId),
    kind: 'history',
    ...history,
    recordedBy: actorOf(caller),
    recordedAt: toLocalIso(now),
  });
  publish(tx, snapshotOf(next));
  auditWrite(
    tx,
    req,
    action,
    current.personId,
    changesBetween(current, next, [
      'politicalStatus',
      'statusSince',
      'contactPersonIds',
      'probation',
      'pipeline',
    ]),
  );
  await commit(tx);
};

/** What a change of the pipeline decided: written by commitChange, answered under `field`. */
interface Change {
  action: AuditAction;
  next: Person;
  history: Record<string, unknown>;
  publish: Parameters<typeof commitChange>[6];
}

/**
 * A change of the pipeline at most once per Idempotency-Key. A repeat is answered before
 * anything is decided again (the person has moved on, so the rules would now refuse it):
 * with the person as they stand and the history entry the first request wrote.
 */
const changeOnce = async (
  ctx: ServiceContext,
  req: Audited & { params: { personId: string }; body: unknown; idempotencyKey: string | undefined },
  field: 'transition' | 'extension' | 'oath' | 'event',
  decide: (person: Person) => Promise<Change>,
) => {
  const person = await managedPerson(ctx, req.caller, req.params.personId);
  const answer = (now: Person, entry: Record<string, unknown>) =>
    created({ person: personSummary(now), [field]: entry });
  const entryId = newId();
  return createOnce(ctx, req, {
    scope: accountScope('pipeline', req.caller),
    entityId: entryId,
    replay: async (id) => {
      const [now, item] = await Promise.all([
        managedPerson(ctx, req.caller, person.personId),
        getItem(ctx, keys.stage(person.personId, id)),
      ]);
      if (!item) throw notFound('History entry');
      const {
        kind: _kind,
        recordedBy: _by,
        recordedAt: _at,
        ...entry
      } = strip<Record<string, unknown>>(item);
      return answer(now, entry);
    },
    create: async (once) => {
      const { action, next, history, publish } = await decide(person);
      await commitChange(ctx, req, action, person, next, history, publish, { entryId, ...once });
      return answer(next, history);
    },
  });
};

/** The publish step of a change that is not a stage change: PersonUpdated naming the field. */
const updated =
  (field: string, now: Date) => (tx: ReturnType<typeof transaction>, person: ReturnType<typeof snapshotOf>) =>
    tx.publish(PersonUpdated, { person, changed: [field] }, { key: person.personId, occurredAt: now });

const REPEAT =
  'A repeat with the same Idempotency-Key answers 201 with the person as they stand and the entry the first request wrote';

export const transitionRoutes = [
  route('POST /talent/people/{personId}/transitions', {
    access: ['committee', 'secretary'],
    summary: `Move a person to the next stage of the pipeline (发展党员), checked against the rules. ${REPEAT}`,
    outcomes: personManagers,
    refusals: [
      'own-record',
      'applicant-under-age',
      'effective-date-in-future',
      'effective-before-current-stage',
      'effective-before-registration',
      'effective-before-resolution',
      'transition-not-allowed',
      'activist-not-after-application',
      'activist-period-too-short',
      'contact-persons-required',
      'introducers-required',
      'contact-person-is-the-person',
      'introducer-is-the-person',
      'contact-person-not-full-member',
      'introducer-not-full-member',
      'branch-committee-decision-required',
      'branch-committee-decision-after-effective',
      'political-review-required',
      'political-review-expired',
      'training-required',
      'training-too-short',
      'evidence-after-effective',
      'public-notice-required',
      'public-notice-too-short',
      'public-notice-not-ended',
      'resolution-meeting-required',
      'resolution-meeting-unknown',
      'resolution-before-candidacy',
      'resolution-before-registration',
      'resolution-before-probation-end',
      'approval-before-meeting',
      'approval-too-late',
      'working-day-calendar-missing',
      'probation-not-ended',
      'oath-not-recorded',
      'cancellation-reason-required',
    ],
    responses: { 201: TransitionResult },
    request: { params: z.strictObject({ personId: idParam }), body: transitionBody },
    idempotent: true,
    handler: decidedAgain((req, ctx) => {
      const { body, caller, now } = req;
      return changeOnce(ctx, req, 'transition', async (person) => {
        // What was recorded along the way (政审, the meeting's vote) need not be named again.
        const recorded = person.pipeline ?? {};
        const evidence = {
          ...(recorded.politicalReviewOn ? { politicalReviewOn: recorded.politicalReviewOn } : {}),
          ...(body.to === 'probationary' && recorded.resolution
            ? { resolutionActivityId: recorded.resolution.activityId }
            : {}),
          ...body.evidence,
        };
        const named = [
          ...(evidence.contactPersonIds ?? person.contactPersonIds ?? []),
          ...(evidence.introducerIds ?? []),
        ];
        // Whom the caller may not see is no one: the rule then answers 404, as for an id that
        // names nobody, so a transition reveals nothing of another branch's people.
        const people = new Map([...(await getPeople(ctx, named))].filter(([, p]) => canSeePerson(caller, p)));
        const meetingItem = evidence.resolutionActivityId
          ? await getItem(ctx, keys.meeting(evidence.resolutionActivityId))
          : undefined;
        const notice = evidence.publicNotice;
        const years: number[] = [];
        if (notice) {
          for (
            let y = Number(notice.from.slice(0, 4));
            y <= Number(notice.to.slice(0, 4)) && years.length < 3;
            y++
          )
            years.push(y);
        }
        const accepted = unwrap(
          checkTransition({
            person: { ...person, registeredOn: localDate(new Date(person.createdAt)) },
            to: body.to,
            effectiveOn: body.effectiveOn,
            today: localDate(now),
            evidence,
            people,
            ...(meetingItem ? { meeting: strip<KnownMeeting>(meetingItem) } : {}),
            calendars: await getCalendars(ctx, years),
          }),
        );
        const next: Person = { ...person, politicalStatus: accepted.to, statusSince: accepted.statusSince };
        if (accepted.contactPersonIds) next.contactPersonIds = accepted.contactPersonIds;
        if (accepted.to === 'probationary' && next.pipeline?.resolution) {
          const { resolution: _approved, ...rest } = next.pipeline;
          next.pipeline = rest;
        }
        if (accepted.probation === null) delete next.probation;
        else if (accepted.probation) next.probation = accepted.probation;
        const history = {
          type: 'stage' as const,
          on: accepted.effectiveOn,
          from: accepted.from,
          to: accepted.to,
          statusSince: accepted.statusSince,
          evidence,
        };
        return {
          action: 'person.transition',
          next,
          history,
          publish: (tx, snapshot) =>
            tx.publish(
              StageChanged,
              { person: snapshot, from: accepted.from, to: accepted.to, effectiveOn: accepted.effectiveOn },
              { key: person.personId, occurredAt: now },
            ),
        };
      });
    }),
  }),

  route('POST /talent/people/{personId}/probation-extension', {
    access: ['committee', 'secretary'],
    summary: `Extend a probation (延长预备期) by 6 to 12 months. ${REPEAT}`,
    outcomes: personManagers,
    refusals: [
      'own-record',
      'not-probationary',
      'probation-already-extended',
      'extension-out-of-range',
      'extension-outside-probation',
    ],
    responses: { 201: ExtensionResult },
    request: {
      params: z.strictObject({ personId: idParam }),
      body: z.strictObject({
        // Bounded only so that no absurd number passes; 6 to 12 is the rule's (422).
        months: z.number().int().min(1).max(120).meta({
          description: '延长预备期 by 6 to 12 months; another number in range is refused by the rule (422)',
          example: 6,
        }),
        decidedOn: isoDate,
        reason: multiLine(500).meta({ example: '需要继续考察' }),
      }),
    },
    idempotent: true,
    handler: decidedAgain((req, ctx) => {
      const { body, now } = req;
      return changeOnce(ctx, req, 'extension', async (person) => {
        const probation: Probation = unwrap(
          checkProbationExtension({
            person,
            months: body.months,
            decidedOn: body.decidedOn,
            today: localDate(now),
          }),
        );
        const next: Person = { ...person, probation };
        const history = {
          type: 'probation-extended' as const,
          on: body.decidedOn,
          months: body.months,
          reason: body.reason,
        };
        return { action: 'person.probation-extension', next, history, publish: updated('probation', now) };
      });
    }),
  }),

  route('POST /talent/people/{personId}/oath', {
    access: ['committee', 'secretary'],
    summary: `Record the admission oath (入党宣誓) of a probationary member. ${REPEAT}`,
    outcomes: personManagers,
    refusals: ['own-record', 'oath-already-recorded', 'not-probationary', 'oath-before-probation'],
    responses: { 201: OathResult },
    request: { params: z.strictObject({ personId: idParam }), body: z.strictObject({ takenOn: isoDate }) },
    idempotent: true,
    handler: decidedAgain((req, ctx) => {
      const { body, now } = req;
      return changeOnce(ctx, req, 'oath', async (person) => {
        if (person.probation?.oathOn) {
          throw conflict('oath-already-recorded', `the oath was recorded on ${person.probation.oathOn}`);
        }
        const probation = unwrap(checkOath(person, body.takenOn, localDate(now)));
        const next: Person = { ...person, probation };
        const history = { type: 'oath' as const, on: body.takenOn };
        return { action: 'person.oath', next, history, publish: updated('probation', now) };
      });
    }),
  }),

  route('POST /talent/people/{personId}/pipeline-events', {
    access: ['committee', 'secretary'],
    summary: `Record a fact along the pipeline (谈话, 考察, 政审, 支部大会表决, 季度讨论). ${REPEAT}`,
    outcomes: personManagers,
    refusals: ['own-record', 'pipeline-event-not-applicable'],
    idempotent: true,
    responses: { 201: PipelineEventResult },
    request: {
      params: z.strictObject({ personId: idParam }),
      body: z.strictObject({
        kind: z.enum(Object.keys(pipelineEventKinds) as [PipelineEventKind, ...PipelineEventKind[]]),
        on: isoDate,
        activityId: idParam.optional(),
        note: multiLine(500).optional(),
      }),
    },
    handler: decidedAgain((req, ctx) => {
      const { body, now } = req;
      return changeOnce(ctx, req, 'event', async (person) => {
        const meetingItem = body.activityId ? await getItem(ctx, keys.meeting(body.activityId)) : undefined;
        const pipeline = unwrap(
          recordPipelineEvent(
            person,
            body.kind,
            body.on,
            localDate(now),
            meetingItem ? strip<KnownMeeting>(meetingItem) : undefined,
          ),
        );
        const next: Person = { ...person, pipeline };
        const history = {
          type: body.kind,
          on: body.on,
          ...(body.activityId ? { activityId: body.activityId } : {}),
          ...(body.note ? { note: body.note } : {}),
        };
        return { action: 'person.pipeline-event', next, history, publish: updated('pipeline', now) };
      });
    }),
  }),
];
