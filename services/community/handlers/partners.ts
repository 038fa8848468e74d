import * as z from 'zod';
import { actsForOrg, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, notFound } from '../../../shared/errors.js';
import { pageQuery } from '../../../shared/http/paging.js';
import { accepted, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, nonEmpty } from '../../../shared/schemas.js';
import type { HttpRequest } from '../../../shared/service.js';
import { toLocalIso } from '../../../shared/time.js';
import { isValidCreditCode } from '../domain/credit-code.js';
import {
  holdsIdentity,
  nextPartnerStatus,
  normaliseOrgName,
  type PartnerCommand,
} from '../domain/partners.js';
import { PartnerApproved } from '../events.js';
import { multiLine, partnerStatus, partnerType, singleLine } from '../schemas.js';
import {
  decidePartner,
  getPartner,
  gsi1Page,
  keys,
  type PartnerItem,
  partnersByStatus,
  tx,
} from '../store.js';
import { type PartnerApplicationAccepted, partnerSummaryView, partnerView } from '../views.js';

export const applicationBody = z.strictObject({
  /** PIPL: the applicant agrees to the processing of the contact person's data. */
  consent: z.literal(true, { error: 'Consent to the processing of personal information is required' }),
  orgName: singleLine(100),
  orgType: partnerType,
  creditCode: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isValidCreditCode, 'Not a valid 统一社会信用代码 (18 characters, GB 32100-2015 check character)')
    .optional(),
  contactName: singleLine(50),
  contactPhone: z.string().regex(/^1[3-9]\d{9}$/, 'Expected a mainland mobile number'),
  contactEmail: z.email().max(254),
  intro: multiLine(2000),
});

export const partnerParams = z.strictObject({ partnerId: idParam });
export const listPartnersQuery = z.strictObject({
  status: partnerStatus.default('pending'),
  ...pageQuery,
});
export const reasonBody = z.strictObject({ reason: nonEmpty(500) });

const alreadyApplied = () =>
  conflict('partner-already-applied', 'This organisation already has a pending or approved application');

export const apply = async (
  { body, now }: HttpRequest<{ body: typeof applicationBody }, 'public'>,
  ctx: ServiceContext,
) => {
  const partnerId = newId();
  const appliedAt = toLocalIso(now);
  const nameKey = normaliseOrgName(body.orgName);
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
  const t = tx(ctx);
  // The identity items make "one live application per organisation" hold under concurrency.
  t.create({ ...keys.orgName(nameKey), type: 'identity', partnerId }, alreadyApplied);
  if (body.creditCode)
    t.create({ ...keys.creditCode(body.creditCode), type: 'identity', partnerId }, alreadyApplied);
  t.create(
    {
      ...keys.partner(partnerId),
      type: 'partner',
      gsi1pk: partnersByStatus('pending'),
      gsi1sk: `${now.toISOString()}#${partnerId}`,
      ...partner,
    },
    alreadyApplied,
  );
  await t.commit();
  // Nothing of what was sent comes back: the public form never echoes personal data.
  return accepted({
    applicationId: partnerId,
    partnerId,
    status: 'pending',
  } satisfies z.output<typeof PartnerApplicationAccepted>);
};

export const listPartners = async (
  { query }: HttpRequest<{ query: typeof listPartnersQuery }, readonly ['committee']>,
  ctx: ServiceContext,
) =>
  // Lists mask contacts: the full number is one click (and one audit line) away.
  ok(await gsi1Page(ctx, partnersByStatus(query.status), query, partnerSummaryView));

/** The committee, or the partner's own accounts; anyone else learns nothing (404). */
const mayView = (caller: Caller, partnerId: string) =>
  hasRole(caller, 'committee') || actsForOrg(caller, partnerId);

export const showPartner = async (
  { params, caller }: HttpRequest<{ params: typeof partnerParams }, readonly ['committee', 'partner']>,
  ctx: ServiceContext,
) => {
  if (!mayView(caller, params.partnerId)) throw notFound('Partner');
  const partner = await getPartner(ctx, params.partnerId);
  if (!partner) throw notFound('Partner');
  return ok(partnerView(partner));
};

/** approve / suspend / reject: one status change, with the identity released when it stops counting. */
export const decide =
  (command: PartnerCommand) =>
  async (
    request: HttpRequest<{ params: typeof partnerParams; body?: typeof reasonBody }, readonly ['committee']>,
    ctx: ServiceContext,
  ) => {
    const { params, now } = request;
    const reason = (request.body as { reason?: string } | undefined)?.reason;
    const partner = await getPartner(ctx, params.partnerId);
    if (!partner) throw notFound('Partner');
    const status = nextPartnerStatus(partner.status, command);
    const t = tx(ctx);
    decidePartner(t, partner, { status, at: toLocalIso(now), ...(reason ? { reason } : {}) });
    if (holdsIdentity(partner.status) && !holdsIdentity(status)) {
      t.delete(keys.orgName(partner.nameKey));
      if (partner.creditCode) t.delete(keys.creditCode(partner.creditCode));
    }
    if (status === 'approved') {
      t.publish(
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
    await t.commit();
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
