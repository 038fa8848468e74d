/**
 * For test-only services and unit routes, whose access is not what the matrix tests:
 * outcomes that follow from the role rule alone, and responses that accept any success.
 * Real services declare both by hand, next to each route.
 */
import * as z from 'zod';
import type { Access } from '../../shared/auth.js';
import { type Outcomes, personaRoles, personas, type Responses } from '../../shared/service.js';

export const roleOutcomes = (access: Access): Outcomes =>
  Object.fromEntries(
    personas.map((p) => {
      if (access === 'public') return [p, 'allowed'];
      if (p === 'anonymous') return [p, 401];
      return [p, personaRoles[p].some((role) => access.includes(role)) ? 'allowed' : 403];
    }),
  ) as Outcomes;

export const anySuccess: Responses = { 200: z.unknown(), 201: z.unknown(), 202: z.unknown(), 204: 'empty' };
