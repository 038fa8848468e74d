/**
 * What community answers: one strict schema per response body (the OpenAPI document and
 * the contract test read these), and the functions that build the bodies, typed against
 * them so a handler cannot drift from its documentation. Strict, so a field that leaks out
 * of the table fails the contract test instead of reaching a client.
 */
import * as z from 'zod';
import { maskEmail, maskPhone } from '../../shared/pii.js';
import { timestamp } from '../../shared/schemas.js';
import type { SheetSpec } from '../../shared/spreadsheets/workbook.js';
import { registrationState, registrationStates } from './domain/joint-events.js';
import { jointEventKind, jointEventStatus, partnerStatus, partnerType } from './schemas.js';
import type { JointEventItem, Participant, PartnerItem, RegistrationItem, WaitingItem } from './store.js';

const id = z.string().meta({ description: 'ULID' });
const count = z.number().int().nonnegative();
const mobile = z.string().regex(/^1[3-9]\d{9}$/);
// What shared/pii.ts leaves of a number or an address: never the middle digits, never the local part.
const maskedPhone = z
  .string()
  .regex(/^[0-9+]{0,7}\*{4}[0-9]{0,4}$/)
  .meta({ description: 'Masked (PIPL): `138****5678`' });
const maskedEmail = z
  .string()
  .regex(/^(?:[^@]\*{3}@.+|\*{3})$/)
  .meta({ description: 'Masked (PIPL): `z***@example.cn`' });

// ---------------------------------------------------------------------------------------
// Partners (合作单位)

export const PartnerApplicationAccepted = z
  .strictObject({
    applicationId: id,
    partnerId: id.meta({ description: 'The same id: the application becomes the partner record' }),
    status: z.literal('pending'),
  })
  .meta({ id: 'PartnerApplicationAccepted' });

const partnerFields = {
  partnerId: id,
  orgName: z.string(),
  orgType: partnerType,
  creditCode: z.string().optional().meta({ description: '统一社会信用代码' }),
  contactName: z.string(),
  contactPhone: mobile,
  contactEmail: z.string(),
  intro: z.string(),
  status: partnerStatus,
  appliedAt: timestamp,
  decidedAt: timestamp.optional(),
  reason: z.string().optional().meta({ description: 'Why it was suspended or rejected' }),
  version: z.number().int().positive(),
};

/** One partner as the committee or the partner itself reads it: contacts whole. */
export const Partner = z
  .strictObject(partnerFields)
  .meta({ id: 'Partner', description: 'A partner organisation (合作单位) with its contact in full' });

/** A partner in a list: contacts masked, the whole record is one read away. */
export const PartnerSummary = z
  .strictObject({ ...partnerFields, contactPhone: maskedPhone, contactEmail: maskedEmail })
  .meta({ id: 'PartnerSummary', description: 'A partner organisation in a list; contact masked (PIPL)' });

const partnerBody = (p: PartnerItem) => ({
  partnerId: p.partnerId,
  orgName: p.orgName,
  orgType: p.orgType,
  ...(p.creditCode ? { creditCode: p.creditCode } : {}),
  contactName: p.contactName,
  contactPhone: p.contactPhone,
  contactEmail: p.contactEmail,
  intro: p.intro,
  status: p.status,
  appliedAt: p.appliedAt,
  ...(p.decidedAt ? { decidedAt: p.decidedAt } : {}),
  ...(p.reason ? { reason: p.reason } : {}),
  version: p.version,
});

export const partnerView = (p: PartnerItem): z.output<typeof Partner> => partnerBody(p);

export const partnerSummaryView = (p: PartnerItem): z.output<typeof PartnerSummary> => ({
  ...partnerBody(p),
  contactPhone: maskPhone(p.contactPhone),
  contactEmail: maskEmail(p.contactEmail),
});

// ---------------------------------------------------------------------------------------
// Joint events (联合活动)

const publicEventFields = {
  jointEventId: id,
  title: z.string(),
  kind: jointEventKind,
  description: z.string(),
  startsAt: timestamp,
  endsAt: timestamp,
  location: z.string(),
  capacity: z.number().int().positive(),
  partnerQuota: z
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: 'Places one partner may hold; absent: no limit' }),
  registrationOpensAt: timestamp,
  registrationClosesAt: timestamp,
  hostPartnerIds: z.array(id),
  status: jointEventStatus,
  remainingPlaces: count,
};

/** What anyone may see of an event: no counts beyond the free places, nothing about people. */
export const PublicJointEvent = z
  .strictObject(publicEventFields)
  .meta({ id: 'PublicJointEvent', description: 'A joint event (联合活动) as the public sees it' });

/** The committee's view: the counters, the version a PATCH needs, why it was cancelled. */
export const JointEvent = z
  .strictObject({
    ...publicEventFields,
    confirmed: count.meta({ description: 'Places taken' }),
    cancelReason: z.string().optional(),
    createdAt: timestamp,
    version: z.number().int().positive().meta({ description: 'Send back with a PATCH' }),
  })
  .meta({ id: 'JointEvent', description: 'A joint event (联合活动) as the committee manages it' });

export const publicEventView = (e: JointEventItem): z.output<typeof PublicJointEvent> => ({
  jointEventId: e.jointEventId,
  title: e.title,
  kind: e.eventKind,
  description: e.description,
  startsAt: e.startsAt,
  endsAt: e.endsAt,
  location: e.location,
  capacity: e.capacity,
  ...(e.partnerQuota === undefined ? {} : { partnerQuota: e.partnerQuota }),
  registrationOpensAt: e.registrationOpensAt,
  registrationClosesAt: e.registrationClosesAt,
  hostPartnerIds: e.hostPartnerIds,
  status: e.status,
  remainingPlaces: Math.max(0, e.capacity - e.confirmed),
});

export const eventView = (e: JointEventItem): z.output<typeof JointEvent> => ({
  ...publicEventView(e),
  confirmed: e.confirmed,
  ...(e.cancelReason ? { cancelReason: e.cancelReason } : {}),
  createdAt: e.createdAt,
  version: e.version,
});

export const EventCompleted = z
  .strictObject({
    jointEventId: id,
    status: z.literal('completed'),
    members: z
      .array(z.strictObject({ personId: id, hours: z.number().nonnegative() }))
      .meta({ description: 'Checked-in members, credited with volunteering hours' }),
    partnerParticipants: count.meta({ description: "Partners' checked-in participants" }),
    hours: z.number().nonnegative().meta({ description: 'Duration to the nearest half hour' }),
  })
  .meta({ id: 'JointEventCompletion' });

// ---------------------------------------------------------------------------------------
// Registrations (报名)

const registrant = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('member'), personId: id }),
    z.strictObject({ kind: z.literal('partner'), partnerId: id }),
  ])
  .meta({ description: 'member — 党员 (for themselves); partner — 合作单位 (for named participants)' });

const participantStatus = z.enum(['confirmed', 'waitlisted', 'cancelled']).meta({
  description: 'confirmed — 已确认; waitlisted — 候补; cancelled — 已取消',
});

const participantFields = {
  name: z.string().nullable().meta({
    description:
      "A partner's participant as entered; a member's name from the register (null while it does not know them)",
  }),
  status: participantStatus,
  position: z.number().int().positive().meta({ description: 'Arrival order; the waitlist follows it' }),
};

const registrationFields = {
  registrationId: id,
  jointEventId: id,
  registrant,
  status: z.enum(['active', 'cancelled']).meta({ description: 'active — 有效; cancelled — 已取消' }),
  createdAt: timestamp,
  checkedInAt: timestamp.optional(),
  cancelledAt: timestamp.optional(),
};

/** One registration read by someone allowed to: participants' phones whole. */
export const Registration = z
  .strictObject({
    ...registrationFields,
    participants: z.array(
      z.strictObject({ ...participantFields, phone: mobile.optional().meta({ description: 'If given' }) }),
    ),
  })
  .meta({ id: 'JointEventRegistration', description: 'A registration (报名) for a joint event' });

/** A registration in a list: phones masked (PIPL). */
export const RegistrationSummary = z
  .strictObject({
    ...registrationFields,
    participants: z.array(z.strictObject({ ...participantFields, phone: maskedPhone.optional() })),
  })
  .meta({
    id: 'JointEventRegistrationSummary',
    description: 'A registration in a list; phones masked (PIPL)',
  });

/** The answer to registering: the registration, and how many got a place or wait. */
export const RegistrationPlaced = z
  .strictObject({
    ...Registration.shape,
    confirmed: count.meta({ description: 'Participants who got a place' }),
    waitlisted: count.meta({ description: 'Participants on the waitlist (候补)' }),
  })
  .meta({ id: 'JointEventRegistrationPlaced' });

/**
 * `phone(i)`: what participant i's phone shows as (whole, masked), or nothing. A member
 * registers themselves and gives no name: `memberName` is theirs from the register.
 */
const registrationBody = (
  r: RegistrationItem,
  phone: (i: number) => string | undefined,
  memberName: string | undefined,
) => ({
  registrationId: r.registrationId,
  jointEventId: r.jointEventId,
  registrant: r.registrant,
  status: r.status,
  participants: r.participants.map((p, i) => {
    const shown = phone(i);
    return {
      name: p.name ?? memberName ?? null,
      status: p.status,
      position: p.position,
      ...(shown === undefined ? {} : { phone: shown }),
    };
  }),
  createdAt: r.createdAt,
  ...(r.checkedInAt ? { checkedInAt: r.checkedInAt } : {}),
  ...(r.cancelledAt ? { cancelledAt: r.cancelledAt } : {}),
});

type Phones = readonly (string | null)[] | undefined;

export const registrationView = (
  r: RegistrationItem,
  phones: Phones,
  memberName: string | undefined,
): z.output<typeof Registration> => registrationBody(r, (i) => phones?.[i] ?? undefined, memberName);

export const registrationSummaryView = (
  r: RegistrationItem,
  phones: Phones,
  memberName: string | undefined,
): z.output<typeof RegistrationSummary> =>
  registrationBody(
    r,
    (i) => {
      const phone = phones?.[i];
      return phone ? maskPhone(phone) : undefined;
    },
    memberName,
  );

export const WaitingPlace = z
  .strictObject({
    position: z.number().int().positive(),
    registrationId: id,
    participantIndex: count.meta({ description: "Index into the registration's participants" }),
    partnerId: id.optional().meta({ description: "Set for a partner's participant (the quota applies)" }),
  })
  .meta({ id: 'JointEventWaitingPlace', description: 'One place on the waitlist (候补), in arrival order' });

export const waitingView = (w: WaitingItem): z.output<typeof WaitingPlace> => ({
  position: w.position,
  registrationId: w.registrationId,
  participantIndex: w.participantIndex,
  ...(w.partnerId ? { partnerId: w.partnerId } : {}),
});

// ---------------------------------------------------------------------------------------
// The caller's own registrations (我的报名)

export const MyRegistration = z
  .strictObject({
    registrationId: id,
    jointEventId: id,
    title: z.string(),
    startsAt: timestamp,
    endsAt: timestamp,
    location: z.string(),
    eventStatus: jointEventStatus,
    status: z.enum(registrationStates).meta({
      description: 'registered — 已报名; waitlisted — 候补; cancelled — 已取消; checked-in — 已签到',
    }),
    confirmed: count.meta({ description: 'Participants holding a place' }),
    waitlisted: count.meta({ description: 'Participants on the waitlist (候补)' }),
    registeredAt: timestamp,
    checkedInAt: timestamp.optional(),
    cancelledAt: timestamp.optional(),
  })
  .meta({
    id: 'MyJointEventRegistration',
    description: "One of the caller's registrations with its event; a partner's lists its organisation's",
  });

export const myRegistrationView = (
  r: RegistrationItem,
  e: JointEventItem,
): z.output<typeof MyRegistration> => ({
  registrationId: r.registrationId,
  jointEventId: r.jointEventId,
  title: e.title,
  startsAt: e.startsAt,
  endsAt: e.endsAt,
  location: e.location,
  eventStatus: e.status,
  status: registrationState(r),
  confirmed: r.participants.filter((p) => p.status === 'confirmed').length,
  waitlisted: r.participants.filter((p) => p.status === 'waitlisted').length,
  registeredAt: r.createdAt,
  ...(r.checkedInAt ? { checkedInAt: r.checkedInAt } : {}),
  ...(r.cancelledAt ? { cancelledAt: r.cancelledAt } : {}),
});

// ---------------------------------------------------------------------------------------
// The sign-in sheet (签到表.xlsx)

/** One participant as an export shows them: named, with their organisation, the phone masked. */
export interface ExportedParticipant {
  registration: RegistrationItem;
  participant: Participant;
  name: string;
  /** 单位/部门: a partner's organisation, a member's department. */
  organisation: string;
  /** Masked (PIPL), or empty. */
  phone: string;
}

const placeText = { confirmed: '已确认', waitlisted: '候补', cancelled: '已取消' } as const;

/** The sheet printed for the door, numbered, with an empty column to sign on paper. */
export const signInSheet = (
  rows: readonly ExportedParticipant[],
): SheetSpec<ExportedParticipant & { number: number }> => ({
  name: '签到表',
  columns: [
    { header: '序号', width: 6, value: (r) => r.number },
    { header: '姓名', width: 12, value: (r) => r.name },
    {
      header: '类别',
      width: 10,
      value: (r) => (r.registration.registrant.kind === 'partner' ? '合作单位' : '党员'),
    },
    { header: '单位/部门', width: 30, value: (r) => r.organisation || undefined },
    { header: '手机号', width: 14, value: (r) => r.phone || undefined },
    { header: '状态', value: (r) => placeText[r.participant.status] },
    { header: '签到', width: 16, value: () => undefined },
  ],
  rows: rows.map((r, i) => ({ ...r, number: i + 1 })),
});
