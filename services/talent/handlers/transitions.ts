import * as z from 'zod';
import { actorOf } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, unwrap } from '../../../shared/errors.js';
import { created } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, isoDate, multiLine } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { getItem } from '../../../shared/store/query.js';
import { localDate } from '../../../shared/time.js';
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
) => {
  const { caller, now } = req;
  next.version = current.version + 1;
  next.updatedAt = now.toISOString();
  const tx = transaction(ctx);
  replacePerson(tx, current, next);
  tx.put({
    ...keys.stage(current.personId, newId()),
    kind: 'history',
    ...history,
    recordedBy: actorOf(caller),
    recordedAt: now.toISOString(),
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
  await tx.commit();
};

/** The publish step of a change that is not a stage change: PersonUpdated naming the field. */
const updated =
  (field: string, now: Date) => (tx: ReturnType<typeof transaction>, person: ReturnType<typeof snapshotOf>) =>
    tx.publish(PersonUpdated, { person, changed: [field] }, { key: person.personId, occurredAt: now });

export const transitionRoutes = [
  route('POST /talent/people/{personId}/transitions', {
    access: ['committee', 'secretary'],
    summary: 'Move a person to the next stage of the pipeline (发展党员), checked against the rules',
    outcomes: personManagers,
    responses: { 201: TransitionResult },
    request: { params: z.strictObject({ personId: idParam }), body: transitionBody },
    handler: decidedAgain(async (req, ctx) => {
      const { params, body, caller, now } = req;
      const person = await managedPerson(ctx, caller, params.personId);
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
      await commitChange(ctx, req, 'person.transition', person, next, history, (tx, snapshot) =>
        tx.publish(
          StageChanged,
          { person: snapshot, from: accepted.from, to: accepted.to, effectiveOn: accepted.effectiveOn },
          { key: person.personId, occurredAt: now },
        ),
      );
      return created({ person: personSummary(next), transition: history } satisfies z.output<
        typeof TransitionResult
      >);
    }),
  }),

  route('POST /talent/people/{personId}/probation-extension', {
    access: ['committee', 'secretary'],
    summary: 'Extend a probation (延长预备期) by 6 to 12 months',
    outcomes: personManagers,
    responses: { 201: ExtensionResult },
    request: {
      params: z.strictObject({ personId: idParam }),
      body: z.strictObject({ months: z.number().int(), decidedOn: isoDate, reason: multiLine(500) }),
    },
    handler: decidedAgain(async (req, ctx) => {
      const { params, body, caller, now } = req;
      const person = await managedPerson(ctx, caller, params.personId);
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
      await commitChange(
        ctx,
        req,
        'person.probation-extension',
        person,
        next,
        history,
        updated('probation', now),
      );
      return created({ person: personSummary(next), extension: history } satisfies z.output<
        typeof ExtensionResult
      >);
    }),
  }),

  route('POST /talent/people/{personId}/oath', {
    access: ['committee', 'secretary'],
    summary: 'Record the admission oath (入党宣誓) of a probationary member',
    outcomes: personManagers,
    responses: { 201: OathResult },
    request: { params: z.strictObject({ personId: idParam }), body: z.strictObject({ takenOn: isoDate }) },
    handler: decidedAgain(async (req, ctx) => {
      const { params, body, caller, now } = req;
      const person = await managedPerson(ctx, caller, params.personId);
      if (person.probation?.oathOn) {
        throw conflict('oath-already-recorded', `the oath was recorded on ${person.probation.oathOn}`);
      }
      const probation = unwrap(checkOath(person, body.takenOn, localDate(now)));
      const next: Person = { ...person, probation };
      const history = { type: 'oath' as const, on: body.takenOn };
      await commitChange(ctx, req, 'person.oath', person, next, history, updated('probation', now));
      return created({ person: personSummary(next), oath: history } satisfies z.output<typeof OathResult>);
    }),
  }),

  route('POST /talent/people/{personId}/pipeline-events', {
    access: ['committee', 'secretary'],
    summary: 'Record a fact along the pipeline (谈话, 考察, 政审, 支部大会表决, 季度讨论)',
    outcomes: personManagers,
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
    handler: decidedAgain(async (req, ctx) => {
      const { params, body, caller, now } = req;
      const person = await managedPerson(ctx, caller, params.personId);
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
      await commitChange(ctx, req, 'person.pipeline-event', person, next, history, updated('pipeline', now));
      return created({ person: personSummary(next), event: history } satisfies z.output<
        typeof PipelineEventResult
      >);
    }),
  }),
];
