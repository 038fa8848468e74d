/**
 * Every refusal the API can answer, by its code: what kind of refusal it is (so one code has
 * one status across the API), when it happens, and the shape of its `details`. Front ends
 * switch on these codes, so they are listed in one place like the error shape itself; the
 * error constructors accept only codes listed here, with details of the listed shape, so a
 * new refusal cannot ship undocumented. Routes name the codes they can answer
 * (`route({ refusals })`), and the OpenAPI document lists them per operation.
 */
import * as z from 'zod';
import { timestamp } from './schemas.js';

export type RefusalKind =
  /** The request itself is malformed (400). */
  | 'invalid'
  /** No valid token (401). */
  | 'unauthenticated'
  /** The caller's role or person may not do this at all (403). */
  | 'forbidden'
  /** Absent, or outside the caller's scope: the two look the same (404). */
  | 'not-found'
  /** The state changed or already exists: read again, or it is done (409). */
  | 'conflict'
  /** The body is larger than the route accepts (413). */
  | 'too-large'
  /** The body is not JSON (415). */
  | 'unsupported-media-type'
  /** A business rule refused the command; the code names the rule (422). */
  | 'rule'
  /** Too many requests (429). */
  | 'throttled'
  /** A bug; the message never says more than the request id (500). */
  | 'internal'
  /** A dependency is unavailable; the same request may succeed shortly (503). */
  | 'unavailable';

interface Refusal {
  kind: RefusalKind;
  /** When it happens, for the reader of the API document. */
  about: string;
  /** The shape of `details`; without it the refusal carries none. */
  details?: z.ZodType;
}

const fieldIssues = z
  .strictObject({
    fields: z.array(
      z.strictObject({
        field: z.string().meta({ example: 'body.birthDate' }),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: 'FieldIssues', description: 'One entry per bad field, named by its path' });

const statusNamed = z.strictObject({ status: z.string() });
const personIds = z.strictObject({ personIds: z.array(z.string()) });

export const refusals = {
  // The platform's own: any route may meet those its shape admits (see `implied` below).
  'validation-failed': {
    kind: 'invalid',
    about: 'The request does not match its schema; `details.fields` names each bad field',
    details: fieldIssues,
  },
  'invalid-json': { kind: 'invalid', about: 'The body is not valid JSON' },
  'invalid-encoding': { kind: 'invalid', about: 'The body is not valid UTF-8' },
  'invalid-cursor': { kind: 'invalid', about: 'The cursor is not one this list issued' },
  'invalid-idempotency-key': {
    kind: 'invalid',
    about: 'The Idempotency-Key header is not 8–128 characters of A–Z, a–z, 0–9, _ and -',
  },
  unauthenticated: { kind: 'unauthenticated', about: 'No valid bearer token' },
  forbidden: { kind: 'forbidden', about: 'The caller’s role may not do this at all' },
  'no-person': {
    kind: 'forbidden',
    about: 'The signed-in account is linked to no person of the register, so it cannot act as itself',
  },
  'own-record': {
    kind: 'forbidden',
    about: 'Nobody manages their own record, role, pool membership or pipeline',
  },
  'not-found': {
    kind: 'not-found',
    about:
      'Unknown, or outside the caller’s scope: the two look the same. Where the request named people or a group of the wrong branch, `details` names them',
    details: z
      .strictObject({
        personIds: z.array(z.string()).optional(),
        partyGroupId: z.string().optional(),
      })
      .optional(),
  },
  'route-not-found': { kind: 'not-found', about: 'No such route' },
  'version-conflict': {
    kind: 'conflict',
    about:
      'It changed since it was read: read it again and decide again; `details.version` is the current one',
    details: z.strictObject({ version: z.number().int() }).optional(),
  },
  conflict: { kind: 'conflict', about: 'The data changed meanwhile; read it again' },
  'concurrent-update': {
    kind: 'conflict',
    about: 'Another change to the same data was in progress; try again',
  },
  'idempotency-key-claimed': {
    kind: 'conflict',
    about: 'Another request with this Idempotency-Key is being handled; retry it to read its answer',
  },
  'idempotency-key-reused': {
    kind: 'rule',
    about: 'This Idempotency-Key was used for a different request; send a new key for a new request',
  },
  'payload-too-large': { kind: 'too-large', about: 'The body is larger than the route accepts' },
  'unsupported-media-type': {
    kind: 'unsupported-media-type',
    about: 'Send the body as UTF-8 application/json',
  },
  throttled: { kind: 'throttled', about: 'Too many requests; slow down and retry' },
  internal: {
    kind: 'internal',
    about: 'A bug; the message quotes only the request id',
    details: z.strictObject({ requestId: z.string() }),
  },
  'service-unavailable': {
    kind: 'unavailable',
    about: 'A dependency is unreachable; nothing was written and the same request may succeed shortly',
  },
  'outcome-unknown': {
    kind: 'unavailable',
    about: 'The database did not answer: retry with the same Idempotency-Key, which never creates twice',
  },
  // The events consumers use to skip a replay; never an answer.
  'already-applied': { kind: 'conflict', about: 'An event was already applied (consumers only)' },

  // talent: the register
  'person-id-committee-only': {
    kind: 'forbidden',
    about: 'Only the committee names the id of a new person; leave personId out and one is made',
  },
  'history-committee-only': {
    kind: 'forbidden',
    about: 'Only the committee registers a person with a history (a stage reached elsewhere)',
  },
  'expulsion-committee-only': {
    kind: 'forbidden',
    about: 'An expulsion (出党) is a discipline outcome recorded by the committee only',
  },
  'record-kind-committee-only': {
    kind: 'forbidden',
    about: 'Reward and discipline records (奖惩) are entered, corrected and withdrawn by the committee only',
  },
  'person-exists': { kind: 'conflict', about: 'A person with this id already exists' },
  'branch-exists': { kind: 'conflict', about: 'A branch with this id already exists' },
  'duplicate-party-group': { kind: 'conflict', about: 'Party group ids must be unique within the branch' },
  'party-group-in-use': {
    kind: 'conflict',
    about: 'A party group being removed still has people; move them first',
    details: z.strictObject({ partyGroupId: z.string(), name: z.string(), people: z.number().int() }),
  },
  'already-departed': { kind: 'conflict', about: 'The person has already left the register' },
  'already-retired': { kind: 'conflict', about: 'The person’s retirement (退休) is already recorded' },
  'record-withdrawn': { kind: 'conflict', about: 'The record was withdrawn and cannot change again' },
  'oath-already-recorded': { kind: 'conflict', about: 'The admission oath (入党宣誓) is already recorded' },
  'account-report-moved-on': { kind: 'conflict', about: 'A newer account report landed (consumers only)' },
  'contribution-moved-on': { kind: 'conflict', about: 'A newer report of this fact landed (consumers only)' },
  'export-already-audited': {
    kind: 'conflict',
    about: "An export's audit entry is already held (consumers only)",
  },
  'roster-moved-on': {
    kind: 'conflict',
    about: 'Another roster snapshot was applied meanwhile (consumers only)',
  },
  'branch-required': { kind: 'rule', about: 'Name the branch (branchId)' },
  'unknown-branch': { kind: 'rule', about: 'The branch named does not exist' },
  'not-a-retired-members-branch': {
    kind: 'rule',
    about: 'A retirement names a branch that is not a retired members’ branch (离退休党支部)',
  },
  'retired-branch-required': {
    kind: 'rule',
    about: 'The institution has several retired members’ branches (离退休党支部): name one (retiredBranchId)',
  },
  'unknown-party-group': { kind: 'rule', about: 'The party group named is not one of the branch' },
  'secretary-not-in-branch': { kind: 'rule', about: 'The secretary is named from the branch’s own people' },
  'not-a-full-member': { kind: 'rule', about: 'Only a full party member (正式党员) sits on the committee' },
  'birth-date-implausible': { kind: 'rule', about: 'The birth date is implausibly early' },
  'birth-date-in-future': { kind: 'rule', about: 'The birth date is after today' },
  'work-start-before-birth': { kind: 'rule', about: 'Work started before the birth date' },
  'status-since-out-of-range': {
    kind: 'rule',
    about: 'The stage’s start is not between the birth date and today',
  },
  'applicant-under-age': { kind: 'rule', about: 'An applicant is at least 18 when applying' },
  'application-too-old': {
    kind: 'rule',
    about:
      'An ordinary registration records only a recent application; older ones are registered with a history',
  },
  'registration-not-at-pipeline-start': {
    kind: 'rule',
    about: 'An ordinary registration starts at the beginning of the pipeline; later stages need a history',
  },
  'history-evidence-before-stage': {
    kind: 'rule',
    about: 'The history’s evidence predates the stage it proves',
  },
  'history-evidence-in-future': { kind: 'rule', about: 'The history’s evidence is dated after today' },
  'not-a-party-member': {
    kind: 'rule',
    about:
      'A transfer of the organisational relationship or an end of membership is for party members (预备, 正式)',
  },
  'departure-in-future': { kind: 'rule', about: 'A departure is recorded on or before today' },
  'effective-date-in-future': { kind: 'rule', about: 'Nothing is recorded as happening after today' },
  'effective-before-current-stage': { kind: 'rule', about: 'The date is before the current stage began' },
  'effective-before-registration': {
    kind: 'rule',
    about: 'A step cannot take effect before the registration',
  },
  'effective-before-resolution': {
    kind: 'rule',
    about: 'A step cannot take effect before the branch general meeting that resolved it',
  },
  'transition-not-allowed': {
    kind: 'rule',
    about: 'The pipeline moves one stage at a time (积极分子 → 发展对象 → 预备党员 → 正式党员)',
  },
  'activist-not-after-application': {
    kind: 'rule',
    about: 'An activist is determined after the application',
  },
  'activist-period-too-short': {
    kind: 'rule',
    about: 'A candidate has been an activist for at least a year of training',
  },
  'contact-persons-required': { kind: 'rule', about: 'One or two contact persons (培养联系人) are named' },
  'introducers-required': { kind: 'rule', about: 'Two introducers (入党介绍人) are named' },
  'contact-person-is-the-person': { kind: 'rule', about: 'Nobody is their own contact person' },
  'introducer-is-the-person': { kind: 'rule', about: 'Nobody is their own introducer' },
  'contact-person-not-full-member': {
    kind: 'rule',
    about: 'A contact person is a full party member (正式党员)',
  },
  'introducer-not-full-member': { kind: 'rule', about: 'An introducer is a full party member (正式党员)' },
  'branch-committee-decision-required': {
    kind: 'rule',
    about: 'The branch committee’s decision date is required',
  },
  'branch-committee-decision-after-effective': {
    kind: 'rule',
    about: 'The branch committee decided after the step’s effective date',
  },
  'political-review-required': { kind: 'rule', about: 'The political review (政治审查) date is required' },
  'political-review-expired': { kind: 'rule', about: 'The political review is too old to rely on' },
  'training-required': { kind: 'rule', about: 'The short training (短期集中培训) is required' },
  'training-too-short': { kind: 'rule', about: 'The short training is shorter than required' },
  'evidence-after-effective': { kind: 'rule', about: 'Evidence is dated after the step’s effective date' },
  'public-notice-required': { kind: 'rule', about: 'The public notice (公示) period is required' },
  'public-notice-too-short': { kind: 'rule', about: 'The public notice is shorter than required' },
  'public-notice-not-ended': { kind: 'rule', about: 'The public notice must end before the meeting' },
  'resolution-meeting-required': {
    kind: 'rule',
    about: 'The branch general meeting (resolutionActivityId) is required',
  },
  'resolution-meeting-unknown': {
    kind: 'rule',
    about: 'Not a completed branch general meeting of the person’s branch on that date',
  },
  'resolution-before-candidacy': { kind: 'rule', about: 'The meeting was held before candidacy began' },
  'resolution-before-registration': {
    kind: 'rule',
    about: 'The meeting was held before the person was registered',
  },
  'resolution-before-probation-end': { kind: 'rule', about: 'The meeting was held before probation ended' },
  'approval-before-meeting': { kind: 'rule', about: 'The approval is dated before the meeting' },
  'approval-too-late': {
    kind: 'rule',
    about: 'The approval came later than the rules allow after the meeting',
  },
  'working-day-calendar-missing': {
    kind: 'rule',
    about: 'A deadline in working days needs the committee’s working-day calendar for that year',
  },
  'not-probationary': { kind: 'rule', about: 'Only a probationary member (预备党员) has a probation' },
  'probation-not-ended': { kind: 'rule', about: 'Probation has not ended yet' },
  'probation-already-extended': { kind: 'rule', about: 'Probation is extended at most once' },
  'extension-out-of-range': { kind: 'rule', about: 'A probation extension is 6 to 12 months' },
  'extension-outside-probation': { kind: 'rule', about: 'An extension is decided within the probation' },
  'oath-not-recorded': { kind: 'rule', about: 'The admission oath (入党宣誓) has not been recorded' },
  'oath-before-probation': { kind: 'rule', about: 'The oath is taken during probation' },
  'cancellation-reason-required': {
    kind: 'rule',
    about: 'Cancelling a probationary membership needs a reason',
  },
  'pipeline-event-not-applicable': {
    kind: 'rule',
    about: 'This pipeline event does not apply to the current stage',
  },
  // talent: evidence on the pipeline (佐证材料) and quarterly thought reports (思想汇报)
  'evidence-step-mismatch': {
    kind: 'rule',
    about:
      'This kind of evidence does not evidence the pipeline step named; `details.steps` lists those it does (none for a thought report, which names its quarter)',
    details: z.strictObject({ steps: z.array(z.string()) }),
  },
  'quarter-in-future': {
    kind: 'rule',
    about: 'A thought report covers a quarter that has begun, not one still to come',
  },
  'too-many-evidence-files': {
    kind: 'rule',
    about: "The person's pipeline file holds as many evidence files as it may; delete one first",
    details: z.strictObject({ limit: z.number().int() }),
  },
  // talent: party dues (党费)
  'dues-not-a-member': {
    kind: 'rule',
    about: 'Only probationary and full party members (预备党员, 正式党员) pay dues',
  },
  'dues-base-implausible': {
    kind: 'rule',
    about:
      'A monthly dues base is between 0.01 and 1,000,000.00 yuan; someone without income is the no-income category',
  },
  'dues-year-outside-membership': {
    kind: 'rule',
    about: "A dues base is set for a year of the person's membership, at most next year",
  },
  'dues-month-in-future': { kind: 'rule', about: 'A dues payment is for a month up to the current one' },
  'dues-month-before-membership': {
    kind: 'rule',
    about: 'A dues payment is for a month from the one the person became a probationary member',
  },
  'dues-month-after-membership': {
    kind: 'rule',
    about: 'A dues payment is for a month up to the one the person left the register',
  },
  'dues-base-missing': {
    kind: 'rule',
    about: "The month's year has no dues base yet: set it (PUT /talent/dues/{personId}/{year}) first",
  },
  'dues-amount-implausible': {
    kind: 'rule',
    about: 'A dues payment is between 0.01 and 1,000,000.00 yuan',
  },
  'dues-payment-below-due': {
    kind: 'rule',
    about:
      "A dues payment covers at least the month's dues; `details.due` is the month's dues in yuan, `details.month` the month (one of several paid together)",
    details: z.strictObject({ due: z.string(), month: z.string() }),
  },
  'dues-month-paid': {
    kind: 'conflict',
    about: 'The month is paid already; a correction is not a second payment',
  },

  // activities: 三会一课, rooms, attendance
  'activity-exists': { kind: 'conflict', about: 'An activity with this id already exists' },
  'activity-cancelled': { kind: 'conflict', about: 'The activity is cancelled' },
  'activity-completed': { kind: 'conflict', about: 'The activity is completed' },
  'activity-completing': { kind: 'conflict', about: 'The activity is being completed' },
  'already-recorded': { kind: 'conflict', about: 'Attendance was recorded meanwhile' },
  'attendance-already-final': { kind: 'conflict', about: 'The final attendance was already recorded' },
  'room-bookings-changed': { kind: 'conflict', about: 'The room’s bookings changed meanwhile; try again' },
  'attendance-closed': { kind: 'conflict', about: 'Attendance can no longer change for this activity' },
  'room-exists': { kind: 'conflict', about: 'A room with this id already exists' },
  'room-booked': {
    kind: 'conflict',
    about: 'The room is booked by another activity at that time; `details` names it',
    details: z.strictObject({ activityId: z.string(), startsAt: timestamp, endsAt: timestamp }),
  },
  'room-busy': { kind: 'conflict', about: 'The room is being booked by many at once; try again' },
  'room-not-found': { kind: 'rule', about: 'The room named does not exist' },
  'room-too-small': { kind: 'rule', about: 'The room seats fewer than are invited' },
  'ends-before-start': { kind: 'rule', about: 'endsAt must be after startsAt' },
  'too-long': { kind: 'rule', about: 'An activity lasts at most 12 hours' },
  'activity-not-started': { kind: 'rule', about: 'An activity can be completed only after it started' },
  'not-invited': {
    kind: 'rule',
    about: 'Attendance is for invitees only; `details.personIds` names the others where a list was sent',
    details: personIds.optional(),
  },
  'check-in-not-open': { kind: 'rule', about: 'Check-in opens 30 minutes before the start' },
  'check-in-closed': { kind: 'rule', about: 'Check-in closed when the activity ended' },
  'wrong-check-in-code': {
    kind: 'rule',
    about: 'The check-in code is not right; `details.attemptsLeft` says how many tries remain',
    details: z.strictObject({ attemptsLeft: z.number().int() }),
  },
  'check-in-locked': {
    kind: 'throttled',
    about: 'Too many wrong check-in codes for this activity; the secretary records the attendance',
    details: z.strictObject({ lockedUntil: timestamp, askSecretary: z.literal(true) }),
  },
  'late-entry-closed': {
    kind: 'rule',
    about: 'The secretary records an activity only until some days after it ended; later, the committee',
    details: z.strictObject({ endsAt: timestamp, closedAt: timestamp }),
  },
  'late-entry-reason-required': {
    kind: 'rule',
    about: 'Recorded after the activity ended (or past the grace days): say why in lateEntryReason',
    details: z.strictObject({ endsAt: timestamp, graceEndedAt: timestamp.optional() }),
  },
  'empty-window': { kind: 'rule', about: '`to` must be after `from`' },
  'window-too-long': { kind: 'rule', about: 'An insight covers at most 366 days' },
  // activities: leave requests (请假)
  'leave-after-start': { kind: 'rule', about: 'Leave is asked for strictly before the activity starts' },
  'leave-already-decided': { kind: 'conflict', about: 'The leave request was already approved or declined' },
  'leave-requested-meanwhile': {
    kind: 'conflict',
    about: 'A leave request for this person and activity was made meanwhile',
  },

  // resources: the study library, assignments, assessments
  'resource-exists': { kind: 'conflict', about: 'A resource with this id already exists' },
  'resource-archived': { kind: 'conflict', about: 'The resource is archived: it cannot change any more' },
  'resource-rejected': { kind: 'conflict', about: 'The resource was rejected: it cannot change any more' },
  'assignment-exists': { kind: 'conflict', about: 'An assignment with this id already exists' },
  'assessment-exists': { kind: 'conflict', about: 'An assessment with this id already exists' },
  'attempt-exists': { kind: 'conflict', about: 'An attempt with this id already exists' },
  'attempt-already-submitted': { kind: 'conflict', about: 'This attempt was already submitted' },
  'attempt-deadline-passed': { kind: 'conflict', about: 'The attempt’s time limit has ended' },
  'study-changed': { kind: 'conflict', about: 'The study record changed meanwhile; try again' },
  'file-required': { kind: 'invalid', about: 'A file resource needs contentType and sizeBytes' },
  'link-has-no-file': { kind: 'invalid', about: 'A link takes no contentType or sizeBytes' },
  'url-required': { kind: 'invalid', about: 'A link needs a url' },
  'url-only-for-links': { kind: 'invalid', about: 'Only a link takes a url' },
  'content-type-not-for-kind': {
    kind: 'invalid',
    about: 'This content type does not fit the resource’s kind',
  },
  'unsupported-content-type': {
    kind: 'invalid',
    about: 'Files of this type are not accepted; `details.allowed` lists those that are',
    details: z.strictObject({ allowed: z.array(z.string()) }),
  },
  'import-not-checked': {
    kind: 'conflict',
    about:
      'An import is confirmed once its dry run is done (state `checked`); a refused file is imported never',
    details: statusNamed,
  },
  'import-has-errors': {
    kind: 'rule',
    about: 'An import with rows in error is not confirmed: correct them and upload the file again',
    details: z.strictObject({ invalid: z.number().int() }),
  },
  'import-moved-on': { kind: 'conflict', about: 'The import changed state meanwhile (consumers only)' },
  'natural-key-held': {
    kind: 'conflict',
    about: 'An imported row’s person (name and birth date) is on the register already (imports only)',
  },
  'file-too-large': {
    kind: 'invalid',
    about: 'The file is over the upload limit',
    details: z.strictObject({ limitBytes: z.number().int() }),
  },
  'nothing-to-record': { kind: 'invalid', about: 'Report some minutes or a completion' },
  'nobody-assigned': { kind: 'invalid', about: 'Name at least one branch or person' },
  'invalid-question': {
    kind: 'invalid',
    about: 'A question is not well formed; `details.fields` names it',
    details: fieldIssues,
  },
  'unknown-question': {
    kind: 'invalid',
    about: 'Answers name questions that are not in this assessment',
    details: fieldIssues,
  },
  'resource-not-available': {
    kind: 'rule',
    about:
      'The resource or file is not available: not checked yet, refused by the check, or no longer published',
  },
  'resource-is-a-link': { kind: 'rule', about: 'A link has no file; open its url' },
  'due-date-passed': { kind: 'rule', about: 'The due date is already past' },
  'audience-empty': { kind: 'rule', about: 'Name at least one branch, or none for your own' },
  'secretary-without-branch': { kind: 'rule', about: 'The caller’s account names no branch' },
  'attempt-limit-reached': {
    kind: 'rule',
    about: 'No attempts are left for this assessment',
    details: z.strictObject({ maxAttempts: z.number().int() }),
  },

  // community: partner organisations and joint events
  'partner-already-applied': {
    kind: 'conflict',
    about: 'This organisation has already applied; the party committee changes or renews a partnership',
  },
  'partner-status-conflict': {
    kind: 'conflict',
    about: 'The partner’s status does not allow this; `details.status` is the current one',
    details: statusNamed,
  },
  'event-exists': { kind: 'conflict', about: 'An event with this id already exists' },
  'event-status-conflict': {
    kind: 'conflict',
    about: 'The event’s status does not allow this; `details.status` is the current one',
    details: statusNamed,
  },
  'registration-exists': { kind: 'conflict', about: 'A registration with this id already exists' },
  'already-registered': { kind: 'conflict', about: 'You are already registered for this event' },
  'registration-cancelled': { kind: 'conflict', about: 'The registration is already cancelled' },
  'already-checked-in': { kind: 'conflict', about: 'Already checked in' },
  'places-changed': { kind: 'conflict', about: 'The places changed meanwhile; try again' },
  'participants-not-allowed': { kind: 'invalid', about: 'A member registers themselves: send an empty body' },
  'unexpected-field': { kind: 'invalid', about: 'A member registers themselves with an empty body' },
  'partner-not-approved': { kind: 'rule', about: 'The partner organisation is not approved' },
  'registration-not-open': {
    kind: 'rule',
    about: 'Registration has not opened yet',
    details: z.strictObject({ registrationOpensAt: timestamp }),
  },
  'registration-closed': {
    kind: 'rule',
    about: 'Registration has closed',
    details: z.strictObject({ registrationClosesAt: timestamp }),
  },
  'registration-window-past': { kind: 'rule', about: 'The registration window has already closed' },
  'cancellation-deadline-passed': {
    kind: 'rule',
    about: 'A registration is cancelled only until some hours before the event',
  },
  'no-confirmed-place': { kind: 'rule', about: 'Only a registration with a confirmed place can check in' },
  'not-event-day': { kind: 'rule', about: 'Check-in is possible only on the day of the event' },
  'event-not-started': { kind: 'rule', about: 'An event can be completed only once it has started' },

  // notices: announcements and inboxes
  'announcement-status-conflict': {
    kind: 'conflict',
    about: 'The announcement’s status does not allow this; `details.status` is the current one',
    details: statusNamed,
  },
  'too-many-attachments': {
    kind: 'rule',
    about: 'The announcement or activity has as many attachments as it may hold; delete one first',
    details: z.strictObject({ limit: z.number().int() }),
  },

  // notices: a branch's work-chat webhook (企业微信, 钉钉); each rule of its URL has its own code
  'webhook-not-https': { kind: 'invalid', about: 'A work-chat webhook URL must use https' },
  'webhook-userinfo': {
    kind: 'invalid',
    about: 'A work-chat webhook URL may not carry a user name or password before its host',
  },
  'webhook-port': { kind: 'invalid', about: 'A work-chat webhook URL may not name a port' },
  'webhook-private-address': {
    kind: 'invalid',
    about: 'A work-chat webhook URL may not name a loopback, private, link-local or internal address',
  },
  'webhook-ip-literal': {
    kind: 'invalid',
    about: 'A work-chat webhook URL names its platform’s host by name, never by an IP address',
  },
  'webhook-host-not-allowed': {
    kind: 'invalid',
    about: 'A work-chat webhook URL must be on its platform’s host; `details.allowedHost` names it',
    details: z.strictObject({ allowedHost: z.string() }),
  },
  'webhook-path-not-allowed': {
    kind: 'invalid',
    about:
      'A work-chat webhook URL must be its platform’s robot address: the path, and only the key (企业微信) or access_token (钉钉) as its query',
  },
} as const satisfies Record<string, Refusal>;

type Catalogue = typeof refusals;

/** Every code; or, given a kind, the codes of that kind. */
export type RefusalCode<K extends RefusalKind = RefusalKind> = {
  [C in keyof Catalogue]: Catalogue[C]['kind'] extends K ? C : never;
}[keyof Catalogue];

/** What a refusal with code `C` carries in `details`. */
export type DetailsOf<C extends RefusalCode> = C extends RefusalCode
  ? Catalogue[C] extends { details: infer D extends z.ZodType }
    ? z.input<D>
    : undefined
  : never;

export type KindOf<C extends RefusalCode> = Catalogue[C]['kind'];

export const refusalOf = (code: RefusalCode): Refusal => refusals[code];

export const isRefusalCode = (code: string): code is RefusalCode => Object.hasOwn(refusals, code);
