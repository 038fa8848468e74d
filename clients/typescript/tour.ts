/**
 * The README's five-minute tour through the typed client: `npm start`, `npm run seed`, then
 * `npx tsx clients/typescript/tour.ts` from the project folder (`API` for another address).
 * Type-checked with the rest of the repository, so it keeps up with the document.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { codeOf, createDangjianClient, ok } from './index.js';

// Asynchronous on purpose: a blocked event loop would reuse a connection the server has closed.
const token = async (...account: string[]) =>
  (await promisify(execFile)('npm', ['run', '-s', 'token', '--', ...account])).stdout.trim();
const api = (idToken?: string) =>
  createDangjianClient({
    baseUrl: process.env.API ?? 'http://localhost:3000',
    ...(idToken ? { token: idToken } : {}),
  });
const show = (what: unknown) => process.stdout.write(`${JSON.stringify(what, null, 2)}\n`);

// 1. Sign in as the committee, and find the branches.
const committee = api(await token('--role', 'committee'));
const { items: branches } = await ok(
  committee.GET('/talent/branches', { params: { query: { limit: 100 } } }),
);
const chem = branches.find((b) => b.name === '化学药品检验支部');
if (!chem) throw new Error('No demo data here: run npm run seed first');

// 2. Insights: cadence compliance (三会一课) of every branch.
const compliance = await ok(committee.GET('/activities/insights/compliance'));
show(compliance.branches.map(({ branchId, summary }) => ({ branchId, summary })));

// 3. A theme day starting in five minutes; a member signs in and checks in with its code.
const inMinutes = (n: number) => new Date(Date.now() + n * 60e3).toISOString();
const activity = await ok(
  committee.POST('/activities', {
    body: {
      branchId: chem.branchId,
      type: 'theme-day',
      title: '主题党日（导览）',
      startsAt: inMinutes(5),
      endsAt: inMinutes(65),
      location: '党员活动室',
    },
  }),
);
const member = api(await token('--person', activity.inviteeIds[1] ?? ''));
const checkIn = await member.POST('/activities/{activityId}/check-in', {
  params: { path: { activityId: activity.activityId } },
  body: { code: activity.checkInCode ?? '' },
});
// A refusal is data with a code to switch on; `ok(...)` would throw it as `Refused` instead.
show(checkIn.error ? { refused: codeOf(checkIn.error) } : checkIn.data);

// 4. A partner registers its people for the joint event (the event list is public).
const { items: events } = await ok(api().GET('/community/events'));
const { items: partners } = await ok(
  committee.GET('/community/partners', { params: { query: { status: 'approved' } } }),
);
const partner = api(await token('--partner', partners[0]?.partnerId ?? ''));
const placed = await ok(
  partner.POST('/community/events/{eventId}/registrations', {
    params: { path: { eventId: events[0]?.jointEventId ?? '' } },
    body: { participants: [{ name: '刘志愿', phone: '13912345678' }], consent: true },
  }),
);
show(placed);

// 5. The member's inbox holds the theme day; the committee announces to the branch and reads the receipts.
show((await ok(member.GET('/notices/me'))).items.map(({ kind, title, read }) => ({ kind, title, read })));
const drafted = await ok(
  committee.POST('/notices/announcements', {
    body: {
      title: '关于开展主题党日活动的通知',
      text: '请各位党员准时参加。',
      audience: { kind: 'branches', branchIds: [chem.branchId] },
    },
  }),
);
const notice = { params: { path: { announcementId: drafted.announcementId } } };
await ok(committee.POST('/notices/announcements/{announcementId}/publish', notice));
await new Promise((resolve) => setTimeout(resolve, 2000)); // delivery is a moment after publishing
await member.POST('/notices/me/{noticeId}/read', {
  params: { path: { noticeId: drafted.announcementId } },
});
const receipts = await ok(committee.GET('/notices/announcements/{announcementId}/reads', notice));
show({ recipients: receipts.recipients, readCount: receipts.readCount });
