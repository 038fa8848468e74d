/** The institution's cadence rules: statutory defaults until the committee changes them. */
import { z } from 'zod';
import { conflict } from '../../../shared/errors.js';
import { ok } from '../../../shared/http/result.js';
import { route } from '../../../shared/service.js';
import { cadenceRules } from '../domain/cadence.js';
import { getCadence, putCadence } from '../store.js';
import { local } from './common.js';

const view = (s: Awaited<ReturnType<typeof getCadence>>) => ({
  rules: s.rules,
  version: s.version,
  ...(s.updatedAt ? { updatedAt: local(s.updatedAt), updatedBy: s.updatedBy } : {}),
});

export const settingsRoutes = [
  route('GET /activities/settings/cadence', {
    access: ['committee', 'secretary'],
    handler: async (_request, ctx) => ok(view(await getCadence(ctx))),
  }),

  route('PUT /activities/settings/cadence', {
    access: ['committee'],
    request: {
      // `version` is the one read (0 while the defaults apply): optimistic concurrency.
      body: z.strictObject({ rules: cadenceRules, version: z.number().int().nonnegative() }),
    },
    handler: async ({ body, caller, now }, ctx) => {
      const current = await getCadence(ctx);
      if (current.version !== body.version) {
        throw conflict('version-conflict', 'The settings changed meanwhile; read them again', {
          version: current.version,
        });
      }
      const next = {
        rules: body.rules,
        version: body.version + 1,
        updatedAt: now.toISOString(),
        updatedBy: caller.sub,
      };
      await putCadence(ctx, next, body.version);
      return ok(view(next));
    },
  }),
];
