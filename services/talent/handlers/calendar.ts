import * as z from 'zod';
import { actorOf } from '../../../shared/auth.js';
import { notFound, validationFailed } from '../../../shared/errors.js';
import { ok } from '../../../shared/http/result.js';
import { isoDate } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { getItem } from '../../../shared/store/query.js';
import { toLocalIso } from '../../../shared/time.js';
import type { WorkingCalendar } from '../domain/calendar.js';
import { keys, strip, transaction } from '../store.js';
import { Calendar } from '../views.js';
import { allManagers, committeeOnly } from './outcomes.js';

const yearParams = z.strictObject({
  year: z.coerce.number().int().min(2000).max(2100).meta({ example: 2026 }),
});

export const calendarRoutes = [
  route('PUT /talent/calendar/{year}', {
    access: ['committee'],
    summary: "Set a year's working-day calendar (法定节假日 and 调休) for the public-notice rule",
    outcomes: committeeOnly,
    responses: { 200: Calendar },
    request: {
      params: yearParams,
      body: z.strictObject({
        // Dates of the year the path names only: another year's is a 400 naming `body`.
        holidays: z
          .array(isoDate)
          .max(366)
          .default([])
          .meta({ description: "法定节假日 of the path's year", example: ['2026-10-01', '2026-10-02'] }),
        workdays: z
          .array(isoDate)
          .max(366)
          .default([])
          .meta({ description: "调休 working days of the path's year", example: ['2026-10-11'] }),
      }),
    },
    handler: async ({ params, body, caller, now }, ctx) => {
      const outside = [...body.holidays, ...body.workdays].filter(
        (d) => Number(d.slice(0, 4)) !== params.year,
      );
      if (outside.length > 0) {
        throw validationFailed(
          outside.map((d) => ({ field: 'body', message: `${d} is not in ${params.year}` })),
        );
      }
      const calendar: WorkingCalendar & z.output<typeof Calendar> = {
        year: params.year,
        holidays: [...new Set(body.holidays)].sort(),
        workdays: [...new Set(body.workdays)].sort(),
      };
      await transaction(ctx)
        .put({
          ...keys.calendar(params.year),
          kind: 'calendar',
          ...calendar,
          updatedBy: actorOf(caller),
          updatedAt: toLocalIso(now),
        })
        .commit();
      return ok(calendar);
    },
  }),
  route('GET /talent/calendar/{year}', {
    access: ['committee', 'secretary'],
    summary: "A year's working-day calendar",
    outcomes: allManagers,
    responses: { 200: Calendar },
    request: { params: yearParams },
    handler: async ({ params }, ctx) => {
      const item = await getItem(ctx, keys.calendar(params.year));
      if (!item) throw notFound('Calendar');
      const { year, holidays, workdays } = strip<WorkingCalendar>(item);
      return ok({ year, holidays: [...holidays], workdays: [...workdays] } satisfies z.output<
        typeof Calendar
      >);
    },
  }),
];
