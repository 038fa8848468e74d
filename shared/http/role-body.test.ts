import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DomainError } from '../errors.js';
import { everyoneSignedIn } from '../outcomes.js';
import { defineService, route } from '../service.js';
import { noContent } from './result.js';
import { bodyPerRole, bodySchemaFor, refuseMisplaced } from './role-body.js';

const member = z.strictObject({});
const partner = z.strictObject({ names: z.array(z.string()).min(1), consent: z.literal(true) });
const body = bodyPerRole(
  { member, partner },
  { member: { names: () => new DomainError('invalid', 'participants-not-allowed', 'Send nothing') } },
);

describe('a body per role', () => {
  it("validates each caller against their own role's schema, the first of their roles that has one", () => {
    expect(bodySchemaFor(body, ['partner'])).toBe(partner);
    expect(bodySchemaFor(body, ['secretary', 'member'])).toBe(member);
    // Not declared per role: the schema itself, for everyone.
    expect(bodySchemaFor(member, ['partner'])).toBe(member);
    // A partner's body lacking consent fails on that very field.
    const lacking = partner.safeParse({ names: ['王五'] });
    expect(lacking.error?.issues.map((i) => i.path)).toEqual([['consent']]);
  });

  it("refuses a field of another role's body with its own code, and only for that role", () => {
    expect(() => refuseMisplaced(body, ['member'], { names: ['王五'] })).toThrow(
      expect.objectContaining({ code: 'participants-not-allowed' }),
    );
    expect(() => refuseMisplaced(body, ['partner'], { names: ['王五'] })).not.toThrow();
    expect(() => refuseMisplaced(body, ['member'], {})).not.toThrow();
  });

  it('is documented as oneOf of the strict bodies, and a loose one is refused', () => {
    expect(z.toJSONSchema(body)).toMatchObject({ oneOf: [{ additionalProperties: false }, {}] });
    const loose = bodyPerRole({ member, partner: z.object({ names: z.array(z.string()) }) });
    const service = (b: z.ZodType) =>
      defineService({
        name: 'loose',
        table: { partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
        routes: [
          route('POST /loose', {
            access: ['committee', 'secretary', 'member', 'partner'],
            outcomes: everyoneSignedIn,
            responses: { 204: 'empty' },
            request: { body: b },
            handler: async () => noContent(),
          }),
        ],
        subscriptions: [],
        publishes: [],
      });
    expect(() => service(body)).not.toThrow();
    expect(() => service(loose)).toThrow(/strict/);
  });
});
