import * as z from 'zod';
import { actsForOrg, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap } from '../../../shared/errors.js';
import { idempotently } from '../../../shared/http/idempotent.js';
import { pageOf, pageQuery } from '../../../shared/http/paging.js';
import { accepted, ok } from '../../../shared/http/result.js';
import { fingerprintOf } from '../../../shared/idempotency.js';
import { newId } from '../../../shared/ids.js';
import { committeeOnly, everyone } from '../../../shared/outcomes.js';
import { idParam, multiLine, singleLine } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { claimIdempotencyKey, commitClaimed } from '../../../shared/store/idempotency.js';
import { toLocalIso } from '../../../shared/time.js';
import { creditCodeShape, isValidCreditCode } from '../domain/credit-code.js';
import { nextPartnerStatus, normaliseOrgName, type PartnerCommand } from '../domain/partners.js';
import { PartnerApproved } from '../events.js';
import { partnerStatus, partnerType } from '../schemas.js';
import { scopes } from '../store/idempotency.js';
import {
  createPartner,
  decidePartner,
  getPartner,
  type PartnerItem,
  partnersPage,
  transaction,
} from '../store.js';
import {
  Partner,
  PartnerApplicationAccepted,
  PartnerSummary,
  partnerSummaryView,
  partnerView,
} from '../views.js';

const creditCodeMessage = 'Not a valid 统一社会信用代码 (18 characters, GB 32100-2015 check character)';

const applicationBody = z.strictObject({
  /** PIPL: the applicant agrees to the processing of the contact person's data. */
  consent: z.literal(true, { error: 'Consent to the processing of personal information is required' }),
  orgName: singleLine(100).meta({ example: '福州市鼓楼区东街社区居民委员会' }),
  orgType: partnerType,
  creditCode: z
    .string()
    .trim()
    .toUpperCase()
    // The shape as a pattern, so the document shows it; the check character as a refinement,
    // which JSON Schema cannot compute, so the description says it in words.
    .regex(creditCodeShape, { message: creditCodeMessage, abort: true })
    .refine(isValidCreditCode, creditCodeMessage)
    .meta({
      description:
        '统一社会信用代码: 18 characters of 0–9 and A–Y without I, O, S, V, Z (lower case is taken as upper case). ' +
        'The last is the GB 32100-2015 check character of the first 17 (weights 3^i mod 31): a code with a wrong one is refused',
      example: '91350100M000100Y43',
    })
    .optional(),
  contactName: singleLine(50).meta({ example: '李娜' }),
  contactPhone: z
    .string()
    .regex(/^1[3-9]\d{9}$/, 'Expected a mainland mobile number')
    .meta({ example: '13912345678' }),
  contactEmail: z.email().max(254).meta({ example: 'lina@example.cn' }),
  intro: multiLine(2000).meta({ example: '社区党委，常年开展志愿服务和科普宣传。' }),
});

const partnerParams = z.strictObject({ partnerId: idParam });
const listPartnersQuery = z.strictObject({
  status: partnerStatus.default('pending'),
  ...pageQuery,
});
const reasonBody = z.strictObject({ reason: multiLine(500).meta({ example: '资质材料不全' }) });

/** The committee, or the partner's own accounts; anyone else learns nothing (404). */
const mayView = (caller: Caller, partnerId: string) =>
  hasRole(caller, 'committee') || actsForOrg(caller, partnerId);

/**
 * approve / suspend / reject: one status change. The organisation's credit code and name stay
 * taken whatever the decision: a rejected or suspended organisation cannot return as a new one.
 */
const decide = async (
  ctx: ServiceContext,
  command: PartnerCommand,
  { partnerId, now, reason }: { partnerId: string; now: Date; reason?: string },
) => {
  const partner = await getPartner(ctx, partnerId);
  if (!partner) throw notFound('Partner');
  const status = unwrap(nextPartnerStatus(partner.status, command));
  const tx = decidePartner(transaction(ctx), partner, {
    status,
    at: toLocalIso(now),
    ...(reason ? { reason } : {}),
  });
  if (status === 'approved') {
    tx.publish(
      PartnerApproved,
      {
        partnerId: partner.partnerId,
        orgName: partner.orgName,
        orgType: partner.orgType,
        contactName: partner.contactName,
        contactEmail: partner.contactEmail,
      },
      { key: partner.partnerId, occurredAt: now },
    );
  }
  await tx.commit();
  return ok(
    partnerView({
      ...partner,
      status,
      decidedAt: toLocalIso(now),
      version: partner.version + 1,
      ...(reason ? { reason } : {}),
    }),
  );
};

/** Nothing of what was sent comes back: the public form never echoes personal data. */
const applicationAnswer = (partnerId: string) =>
  accepted({
    applicationId: partnerId,
    partnerId,
    status: 'pending',
  } satisfies z.output<typeof PartnerApplicationAccepted>);

export const partnerRoutes = [
  route('POST /community/partners/applications', {
    summary: `Apply as a partner organisation (合作单位申请); public, needs PIPL consent. A repeat with the same Idempotency-Key answers 202 as the first did`,
    idempotent: true,
    access: 'public',
    throttle: 'public',
    maxBodyBytes: 8 * 1024,
    outcomes: everyone,
    refusals: ['partner-already-applied'],
    responses: { 202: PartnerApplicationAccepted },
    request: { body: applicationBody },
    handler: async ({ body, now, idempotencyKey: key }, ctx) => {
      const nameKey = normaliseOrgName(body.orgName);
      // The organisation's identity is the scope: its credit code, else its name.
      const scope = scopes.application({ creditCode: body.creditCode, nameKey });
      const fingerprint = fingerprintOf(body);
      const partnerId = newId();
      const appliedAt = toLocalIso(now);
      const partner: PartnerItem = {
        partnerId,
        orgName: body.orgName,
        orgType: body.orgType,
        ...(body.creditCode ? { creditCode: body.creditCode } : {}),
        nameKey,
        contactName: body.contactName,
        contactPhone: body.contactPhone,
        contactEmail: body.contactEmail,
        intro: body.intro,
        status: 'pending',
        appliedAt,
        consentedAt: appliedAt,
        version: 1,
      };
      const claim = { scope, key, fingerprint, entityId: partnerId, now };
      const create = async () => {
        await commitClaimed(
          ctx,
          createPartner(claimIdempotencyKey(transaction(ctx), claim), partner, now),
          claim,
        );
        return applicationAnswer(partnerId);
      };
      return idempotently(
        ctx,
        { key, scope, fingerprint },
        {
          replay: async (id) => applicationAnswer(id),
          create,
          // The identity items, written by an identical request that came first.
          lostRaceCodes: ['partner-already-applied'],
        },
      );
    },
  }),
  route('GET /community/partners', {
    summary: 'List partner organisations by status, contacts masked',
    access: ['committee'],
    outcomes: committeeOnly,
    responses: { 200: pageOf(PartnerSummary) },
    request: { query: listPartnersQuery },
    // Lists mask contacts: the full number is one click (and one audit line) away.
    handler: async ({ query }, ctx) => ok(await partnersPage(ctx, query.status, query, partnerSummaryView)),
  }),
  route('GET /community/partners/{partnerId}', {
    summary: 'Read one partner organisation with its contact in full',
    access: ['committee', 'partner'],
    outcomes: { ...committeeOnly, ownPartner: 'allowed', otherPartner: 404 },
    responses: { 200: Partner },
    request: { params: partnerParams },
    handler: async ({ params, caller }, ctx) => {
      if (!mayView(caller, params.partnerId)) throw notFound('Partner');
      const partner = await getPartner(ctx, params.partnerId);
      if (!partner) throw notFound('Partner');
      return ok(partnerView(partner));
    },
  }),
  route('POST /community/partners/{partnerId}/approve', {
    summary: 'Approve a pending partner application (审核通过)',
    access: ['committee'],
    outcomes: committeeOnly,
    refusals: ['partner-status-conflict'],
    responses: { 200: Partner },
    request: { params: partnerParams },
    handler: async ({ params, now }, ctx) => decide(ctx, 'approve', { partnerId: params.partnerId, now }),
  }),
  route('POST /community/partners/{partnerId}/suspend', {
    summary: 'Suspend a partner organisation, with a reason',
    access: ['committee'],
    outcomes: committeeOnly,
    responses: { 200: Partner },
    request: { params: partnerParams, body: reasonBody },
    handler: async ({ params, body, now }, ctx) =>
      decide(ctx, 'suspend', { partnerId: params.partnerId, now, reason: body.reason }),
  }),
  route('POST /community/partners/{partnerId}/reject', {
    summary: 'Reject a pending partner application, with a reason',
    access: ['committee'],
    outcomes: committeeOnly,
    responses: { 200: Partner },
    request: { params: partnerParams, body: reasonBody },
    handler: async ({ params, body, now }, ctx) =>
      decide(ctx, 'reject', { partnerId: params.partnerId, now, reason: body.reason }),
  }),
];
