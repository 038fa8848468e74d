import { z } from 'zod';
import { created } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, isoDate, nonEmpty } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { keys, transaction } from '../store.js';
import { managedPerson } from './common.js';

/** 绩效: 优秀/称职/基本称职/不称职. */
export const performanceRatings = ['excellent', 'competent', 'basically-competent', 'incompetent'] as const;
/** 民主评议: 优秀/合格/基本合格/不合格. */
export const evaluationRatings = ['excellent', 'qualified', 'basically-qualified', 'unqualified'] as const;

const common = { date: isoDate, title: nonEmpty(200), details: z.string().trim().max(2000).optional() };

/** The rating a kind takes is part of the kind: a rating where none belongs is refused. */
const recordBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('training'), ...common }),
  z.strictObject({ kind: z.literal('performance'), ...common, rating: z.enum(performanceRatings) }),
  z.strictObject({ kind: z.literal('evaluation'), ...common, rating: z.enum(evaluationRatings) }),
  z.strictObject({ kind: z.literal('reward'), ...common }),
  z.strictObject({ kind: z.literal('discipline'), ...common }),
]);

export const recordRoutes = [
  route('POST /talent/people/{personId}/records', {
    access: ['committee', 'secretary'],
    request: { params: z.strictObject({ personId: idParam }), body: recordBody },
    handler: async ({ params, body, caller, now }, ctx) => {
      const person = await managedPerson(ctx, caller, params.personId);
      const recordId = newId();
      const { kind, ...fields } = body;
      const record = {
        recordId,
        personId: person.personId,
        kind,
        ...fields,
        recordedBy: caller.sub,
        recordedAt: now.toISOString(),
      };
      await transaction(ctx)
        .put({
          ...keys.record(person.personId, recordId),
          ...record,
          kind: 'record',
          recordKind: kind,
          on: body.date,
        })
        .commit();
      return created(record);
    },
  }),
];
