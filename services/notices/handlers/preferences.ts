/** My channel preferences (通知设置): whether notices reach me by e-mail too; the inbox is always on. */
import * as z from 'zod';
import { selfOf } from '../../../shared/auth.js';
import { ok } from '../../../shared/http/result.js';
import { allMembers } from '../../../shared/outcomes.js';
import { route } from '../../../shared/service.js';
import { getPreferences, putPreferences } from '../store/email.js';

const email = z.boolean().meta({
  description:
    'Notices reach me by e-mail too (default on), at the verified address of my sign-in account. Off, only notices marked mandatory (必读) are mailed',
});

/** Both the body and the answer: the whole of my preferences. */
export const PreferencesView = z.strictObject({ email });

/** Like every route under /notices/me: the token's own person (403 `no-person` without one). */
const forMyself = {
  access: ['committee', 'secretary', 'member'],
  refusals: ['no-person'],
  outcomes: allMembers,
  responses: { 200: PreferencesView },
} as const;

export const preferenceRoutes = [
  route('GET /notices/me/preferences', {
    summary: 'My notice preferences: whether notices reach me by e-mail (default on)',
    ...forMyself,
    handler: async ({ caller }, ctx) => ok(await getPreferences(ctx, selfOf(caller))),
  }),

  route('PUT /notices/me/preferences', {
    summary: 'Set my notice preferences; mandatory notices (必读) are mailed whatever they say',
    ...forMyself,
    request: { body: PreferencesView },
    handler: async ({ body, caller, now }, ctx) => {
      await putPreferences(ctx, selfOf(caller), { email: body.email }, now.toISOString());
      return ok({ email: body.email });
    },
  }),
];
