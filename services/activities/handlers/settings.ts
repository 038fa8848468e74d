/** The institution's cadence rules: statutory defaults until the committee changes them. */

import * as z from 'zod';
import { actorOf } from '../../../shared/auth.js';
import { ok } from '../../../shared/http/result.js';
import { route } from '../../../shared/service.js';
import { versionConflict } from '../../../shared/store/version.js';
import { toLocalIso } from '../../../shared/time.js';
import { cadenceRules, sameRules } from '../domain/cadence.js';
import { getCadence, putCadence, THE_SETTINGS } from '../store.js';
import { CadenceSettingsView, cadenceSettingsView as view } from '../views.js';
import { anyOrganiser, committeeOnly } from './common.js';

export const settingsRoutes = [
  route('GET /activities/settings/cadence', {
    summary: 'The cadence rules of 三会一课 compliance (statutory defaults until changed)',
    access: ['committee', 'secretary'],
    outcomes: anyOrganiser,
    responses: { 200: CadenceSettingsView },
    handler: async (_request, ctx) => ok(view(await getCadence(ctx))),
  }),

  route('PUT /activities/settings/cadence', {
    summary: "Change the institution's cadence rules, given the version read",
    access: ['committee'],
    outcomes: committeeOnly,
    refusals: ['version-conflict'],
    responses: { 200: CadenceSettingsView },
    request: {
      // `version` is the one read (0 while the defaults apply): optimistic concurrency.
      body: z.strictObject({
        rules: cadenceRules,
        version: z.number().int().min(0).max(2_147_483_647).meta({ example: 0 }),
      }),
    },
    handler: async ({ body, caller, now }, ctx) => {
      const current = await getCadence(ctx);
      if (current.version !== body.version) {
        throw versionConflict(THE_SETTINGS, { version: current.version });
      }
      // Saving the rules unchanged is no new version: nothing is written, so a save that
      // changes nothing cannot push a concurrent editor into a version conflict.
      if (sameRules(body.rules, current.rules)) return ok(view(current));
      const next = {
        rules: body.rules,
        version: body.version + 1,
        updatedAt: toLocalIso(now),
        updatedBy: actorOf(caller),
      };
      await putCadence(ctx, next, body.version);
      return ok(view(next));
    },
  }),
];
