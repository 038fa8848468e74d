/**
 * Notices made from resources' and community's events, and partner organisations' inboxes.
 * Access patterns (pk / sk; beside store.ts's, whose commands they reuse):
 *   NOTICE#<noticeId> / NOTICE            a notice made from such an event: store.ts's
 *                                         notices, written once (createActivityNotice)
 *   INBOX#ORG#<partnerId> / NOTICE#<id>   a partner organisation's inbox entry: store.ts's
 *                                         entries and commands, owned by `ORG#<partnerId>`
 *                                         (domain/event-notices.ts `partnerInbox`)
 *   ROSTER… and BRANCHES items            read for the party members of a branch, or of every
 *                                         branch heard of                        Query (delivery)
 */
import type { ServiceContext } from '../../../shared/context.js';
import { branchMembers } from '../../talent/roster.js';
import { type EventNotice, partnerInbox } from '../domain/event-notices.js';
import { type InboxEntry, knownBranches, recipientOf, rosterReader, stillOnRegister } from '../store.js';

type Recipient = Pick<InboxEntry, 'personId' | 'branchId' | 'name'>;

/**
 * Every inbox a notice reaches, once each: a person named who is also a party member of a
 * branch named is one recipient (with their branch and name, as the roster copy holds them).
 */
export const eventNoticeRecipients = async (ctx: ServiceContext, n: EventNotice): Promise<Recipient[]> => {
  const branchIds = n.to.institution ? await knownBranches(ctx) : (n.to.branchIds ?? []);
  const members = await Promise.all(branchIds.map((b) => branchMembers(rosterReader(ctx), b)));
  const byOwner = new Map<string, Recipient>();
  for (const personId of await stillOnRegister(ctx, n.to.personIds ?? []))
    byOwner.set(personId, { personId });
  for (const partnerId of n.to.partnerIds ?? [])
    byOwner.set(partnerInbox(partnerId), { personId: partnerInbox(partnerId) });
  for (const r of members.flat().map(recipientOf)) byOwner.set(r.personId, r);
  return [...byOwner.values()];
};

export const eventNoticeEntry = (n: EventNotice, r: Recipient): InboxEntry => ({
  ...r,
  noticeId: n.noticeId,
  kind: n.kind,
  title: n.title,
  summary: n.summary,
  postedAt: n.postedAt,
  sortAt: n.postedAt,
  mandatory: false,
  pinned: false,
  about: n.about,
  ...(n.startsAt ? { startsAt: n.startsAt } : {}),
});
