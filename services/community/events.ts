/** What community tells the platform (source `dangjian.community`). */
import * as z from 'zod';
import { defineEvent } from '../../shared/events/contract.js';
import { exportedBy } from '../../shared/exports.js';
import { isoDateTime } from '../../shared/schemas.js';

const COMMUNITY = 'community';

export const partnerTypes = ['enterprise', 'institution', 'community', 'school', 'other'] as const;
export const jointEventKinds = [
  'volunteer-service',
  'science-outreach', // 科普
  'joint-theme-day',
  'health-service',
  'other',
] as const;

/**
 * On AWS a platform function subscribed to this creates the partner's Cognito user (group
 * `partner`, `custom:orgId`); the contact e-mail is what that user signs in with.
 */
export const PartnerApproved = defineEvent(
  COMMUNITY,
  'PartnerApproved',
  z.object({
    partnerId: z.string(),
    orgName: z.string(),
    orgType: z.enum(partnerTypes),
    contactName: z.string(),
    contactEmail: z.string(),
  }),
);

export const JointEventPublished = defineEvent(
  COMMUNITY,
  'JointEventPublished',
  z.object({
    jointEventId: z.string(),
    title: z.string(),
    kind: z.enum(jointEventKinds),
    startsAt: isoDateTime,
    endsAt: isoDateTime,
    location: z.string(),
    capacity: z.number().int().positive(),
  }),
);

export const RegistrationConfirmed = defineEvent(
  COMMUNITY,
  'RegistrationConfirmed',
  z.object({
    jointEventId: z.string(),
    registrationId: z.string(),
    registrant: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('member'), personId: z.string() }),
      z.object({ kind: z.literal('partner'), partnerId: z.string() }),
    ]),
    /** Places confirmed by this registration (a partner may register several participants). */
    places: z.number().int().positive(),
    promotedFromWaitlist: z.boolean(),
    /** The event's title and start, so the registrant can be told what was confirmed. */
    title: z.string().optional(),
    startsAt: isoDateTime.optional(),
    /**
     * The registration's version this confirmation wrote: 1 for a direct confirmation, the
     * next for each promotion, so two promotions of one registration are told apart.
     */
    version: z.number().int().positive().optional(),
  }),
);

/** Who took part: every checked-in internal member, with the hours they count for. */
export const JointEventCompleted = defineEvent(
  COMMUNITY,
  'JointEventCompleted',
  z.object({
    jointEventId: z.string(),
    title: z.string(),
    kind: z.enum(jointEventKinds),
    startsAt: isoDateTime,
    endsAt: isoDateTime,
    members: z.array(z.object({ personId: z.string(), hours: z.number().nonnegative() })),
    partnerParticipants: z.number().int().nonnegative(),
  }),
);

/** An export of personal data was made here (an audited read): talent's audit log keeps it. */
export const PersonalDataExported = exportedBy('community');

export const communityEvents = [
  PartnerApproved,
  JointEventPublished,
  RegistrationConfirmed,
  JointEventCompleted,
  PersonalDataExported,
];
