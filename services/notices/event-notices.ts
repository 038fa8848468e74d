/**
 * What notices does with resources' and community's events: study assigned and an assessment
 * opened reach their people, a joint-event registration confirmed or promoted reaches its
 * registrant, an approved partner hears of it. Each is posted as a notice with a natural id
 * (domain/event-notices.ts), written only if absent, and delivered by deliver-notice like any
 * other; the consumer marker stops a redelivery, the natural id another event about the same fact.
 */
import { type EventContract, patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import { PartnerApproved, RegistrationConfirmed } from '../community/events.js';
import { AssessmentOpened, StudyAssigned } from '../resources/events.js';
import {
  assessmentOpenedNotice,
  type EventNotice,
  partnerApprovedNotice,
  registrationNotice,
  studyAssignedNotice,
} from './domain/event-notices.js';
import { post } from './post.js';

const noticeFrom = <Data>(
  name: string,
  contract: EventContract<string, Data>,
  make: (data: Data, occurredAt: Date) => EventNotice,
) =>
  subscription<Data>({
    name,
    pattern: patternFor(contract),
    contract,
    handler: async (event, t, ctx) => {
      const occurredAt = new Date(event.occurredAt);
      await post(ctx, t, make(event.data, occurredAt), occurredAt);
    },
  });

export const eventNoticeSubscriptions = [
  noticeFrom('study-assigned', StudyAssigned, studyAssignedNotice),
  noticeFrom('assessment-opened', AssessmentOpened, assessmentOpenedNotice),
  noticeFrom('registration-confirmed', RegistrationConfirmed, registrationNotice),
  noticeFrom('partner-approved', PartnerApproved, partnerApprovedNotice),
];
