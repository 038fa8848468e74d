/**
 * Access-matrix fixtures for notices' routes: one call per route and persona. Every
 * announcement is new, drafted by branch A's secretary to branch A (so its member is an
 * addressee and branch B's secretary a stranger). A notice to mark read is one made for the
 * persona's own person from an ActivityScheduled put on the bus, as activities would, and for
 * a partner its organisation's, from a RegistrationConfirmed as community would. Branch A's
 * work-chat robot is registered afresh before each read or removal. A calendar feed to revoke
 * is the persona's own; the public feed read is branch A's member's. An attachment to delete
 * is fresh on a fresh draft; the one downloaded is checked once per run, on a published one.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { ActivityScheduled } from '../../../services/activities/events.js';
import { RegistrationConfirmed } from '../../../services/community/events.js';
import { newId } from '../../../shared/ids.js';
import type { Persona } from '../../../shared/service.js';
import { pdfBytes, uploadWith } from '../../resources/support.js';
import { publish } from '../../support/api.js';
import { DELIVERY_BUDGET_MS, until } from '../../support/wait.js';
import type { Fixtures, World } from './world.js';

const announcementBody = (world: World) => ({
  title: `通知 ${newId()}`,
  text: '请各位党员按时参加主题党日活动。',
  audience: { kind: 'branches', branchIds: [world.branchA.branchId] },
});

const announcement = async (world: World, options: { publish?: boolean } = {}) => {
  const res = await world.clients.ownSecretary.post('/notices/announcements', announcementBody(world));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const path = `/notices/announcements/${(res.body as { announcementId: string }).announcementId}`;
  if (options.publish) {
    const published = await world.clients.ownSecretary.post(`${path}/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
  }
  return path;
};

const attachmentBody = (bytes: Uint8Array) => ({
  name: '学习材料.pdf',
  contentType: 'application/pdf',
  sizeBytes: bytes.byteLength,
});

/** A fresh announcement of branch A's with one attachment (not uploaded): the attachment's path. */
const attachment = async (world: World) => {
  const path = await announcement(world);
  const res = await world.clients.ownSecretary.post(`${path}/attachments`, attachmentBody(pdfBytes()));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return `${path}/attachments/${(res.body as { attachmentId: string }).attachmentId}`;
};

/**
 * A published announcement with a checked PDF: through S3 and the bus, the slowest thing to
 * prepare. A download changes nothing, so one serves every persona of the run.
 */
const checkedAttachments = new WeakMap<World, Promise<string>>();
const checkedAttachment = (world: World): Promise<string> => {
  let made = checkedAttachments.get(world);
  if (!made) {
    made = (async () => {
      const path = await announcement(world, { publish: true });
      const bytes = pdfBytes('附件');
      const res = await world.clients.ownSecretary.post(`${path}/attachments`, attachmentBody(bytes));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const { attachmentId, upload } = res.body as {
        attachmentId: string;
        upload: { url: string; fields: Record<string, string> };
      };
      expect((await uploadWith(upload, bytes, 'application/pdf')).status).toBe(204);
      await until('the attachment checked', DELIVERY_BUDGET_MS, async () => {
        const read = await world.clients.ownSecretary.get(path);
        const files = (read.body as { attachments?: { attachmentId: string; status: string }[] }).attachments;
        return files?.some((f) => f.attachmentId === attachmentId && f.status === 'available') ?? false;
      });
      return `${path}/attachments/${attachmentId}`;
    })();
    checkedAttachments.set(world, made);
  }
  return made;
};

/** A 企业微信 robot of its own (the local runtime's capture answers its posts). */
const workChatBody = () => ({
  platform: 'wecom',
  url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${randomUUID()}`,
});

/** Branch A's work-chat robot, registered by its secretary. */
const workChat = async (world: World) => {
  const path = `/notices/branches/${world.branchA.branchId}/work-chat`;
  const res = await world.clients.ownSecretary.put(path, workChatBody());
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return path;
};

const personOf = (world: World, persona: Persona): string | undefined =>
  ({
    member: world.people.member,
    ownSecretary: world.people.ownSecretary,
    selfSecretary: world.people.ownSecretary,
    otherSecretary: world.people.otherSecretary,
    committee: world.people.committee,
  })[persona as string];

/** A partner's registration confirmed, put on the bus as community would: a notice in its organisation's inbox. */
const partnerNotice = async (partnerId: string): Promise<string> => {
  const registrationId = newId();
  await publish(RegistrationConfirmed, {
    jointEventId: newId(),
    registrationId,
    registrant: { kind: 'partner', partnerId },
    places: 2,
    promotedFromWaitlist: false,
    title: '社区义诊',
    startsAt: '2027-03-12T09:00:00+08:00',
    version: 1,
  });
  return `${registrationId}-confirmed`;
};

/** A notice in the persona's own inbox (an activity they are invited to, or their organisation's); any id for anonymous. */
const noticeFor = async (world: World, persona: Persona): Promise<string> => {
  const personId = personOf(world, persona);
  const activityId = newId();
  let noticeId = `${activityId}-scheduled`;
  if (persona === 'ownPartner' || persona === 'otherPartner') {
    noticeId = await partnerNotice(persona === 'ownPartner' ? world.orgA : world.orgB);
  } else if (!personId || persona === 'anonymous') {
    return noticeId;
  } else {
    // A month ahead, scheduled now: news to the invitee, and the newest entry of their inbox,
    // which by this row of the matrix holds many unread notices.
    const startsAt = new Date(Date.now() + 30 * 86_400_000);
    await publish(ActivityScheduled, {
      activityId,
      branchId: world.branchA.branchId,
      type: 'party-lesson',
      title: `党课 ${activityId}`,
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 2 * 3_600_000).toISOString(),
      inviteeIds: [personId],
    });
  }
  const client = world.clients[persona];
  await until(`the notice in ${persona}'s inbox`, DELIVERY_BUDGET_MS, async () => {
    const res = await client.get('/notices/me?unread=true&limit=100');
    return (res.body as { items: { noticeId: string }[] }).items.some((i) => i.noticeId === noticeId);
  });
  return noticeId;
};

/** A fresh calendar feed of the persona's own person: the path of its secret URL. */
const feedOf = async (world: World, persona: Exclude<Persona, 'anonymous'>) => {
  const res = await world.clients[persona].post('/notices/me/calendar');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return new URL((res.body as { url: string }).url).pathname;
};

export const fixtures: Fixtures = {
  'POST /notices/announcements': async (world) => ({
    path: '/notices/announcements',
    body: announcementBody(world),
  }),

  'GET /notices/announcements': async () => ({ path: '/notices/announcements', query: 'limit=5' }),

  'GET /notices/announcements/{announcementId}': async (world) => ({
    path: await announcement(world, { publish: true }),
  }),

  'POST /notices/announcements/{announcementId}/publish': async (world) => ({
    path: `${await announcement(world)}/publish`,
  }),

  'POST /notices/announcements/{announcementId}/withdraw': async (world) => ({
    path: `${await announcement(world, { publish: true })}/withdraw`,
  }),

  'POST /notices/announcements/{announcementId}/pin': async (world) => ({
    path: `${await announcement(world, { publish: true })}/pin`,
    body: { pinned: true },
  }),

  'GET /notices/announcements/{announcementId}/reads': async (world) => ({
    path: `${await announcement(world, { publish: true })}/reads`,
  }),

  'POST /notices/announcements/{announcementId}/reminders': async (world) => ({
    path: `${await announcement(world, { publish: true })}/reminders`,
  }),

  'GET /notices/me': async () => ({ path: '/notices/me', query: 'limit=5' }),

  'GET /notices/me/unread-count': async () => ({ path: '/notices/me/unread-count' }),

  'POST /notices/me/{noticeId}/read': async (world, persona) => ({
    path: `/notices/me/${await noticeFor(world, persona)}/read`,
  }),

  'POST /notices/me/read': async () => ({ path: '/notices/me/read' }),

  'PUT /notices/branches/{branchId}/work-chat': async (world) => ({
    path: `/notices/branches/${world.branchA.branchId}/work-chat`,
    body: workChatBody(),
  }),

  'GET /notices/branches/{branchId}/work-chat': async (world) => ({
    path: await workChat(world),
  }),

  'DELETE /notices/branches/{branchId}/work-chat': async (world) => ({
    path: await workChat(world),
  }),
  'POST /notices/me/calendar': async () => ({ path: '/notices/me/calendar' }),

  'GET /notices/me/calendar': async () => ({ path: '/notices/me/calendar' }),

  'DELETE /notices/me/calendar': async (world, persona) => {
    if (persona !== 'anonymous' && personOf(world, persona)) await feedOf(world, persona);
    return { path: '/notices/me/calendar' };
  },

  // Public: every persona (anonymous too) reads a feed by its URL alone, here branch A's member's.
  'GET /notices/calendar/{feed}': async (world) => ({ path: await feedOf(world, 'member') }),
  'GET /notices/me/preferences': async () => ({ path: '/notices/me/preferences' }),

  'PUT /notices/me/preferences': async () => ({ path: '/notices/me/preferences', body: { email: true } }),

  'POST /notices/announcements/{announcementId}/attachments': async (world) => ({
    path: `${await announcement(world)}/attachments`,
    body: attachmentBody(pdfBytes()),
  }),

  'DELETE /notices/announcements/{announcementId}/attachments/{attachmentId}': async (world) => ({
    path: await attachment(world),
  }),

  'GET /notices/announcements/{announcementId}/attachments/{attachmentId}/download': async (world) => ({
    path: `${await checkedAttachment(world)}/download`,
  }),
};
