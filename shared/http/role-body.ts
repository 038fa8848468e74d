/**
 * A request body whose shape depends on who sends it (a member registers themselves with
 * `{}`, a partner names its participants). The route declares one strict schema per role;
 * the OpenAPI document shows them as `oneOf`, so a generated client compiles only a body
 * some caller may send, and the HTTP stack validates each caller against their own schema,
 * so a refusal names the very field their schema wants.
 */
import * as z from 'zod';
import type { Role } from '../auth.js';
import type { DomainError } from '../errors.js';

type Bodies = Partial<Record<Role, z.ZodObject>>;

interface PerRole {
  bodies: Bodies;
  /** A field of another role's body sent anyway: the refusal that says whose it is. */
  misplaced: Partial<Record<Role, Record<string, () => DomainError>>>;
}

const perRole = new WeakMap<z.ZodType, PerRole>();

/**
 * The body each role sends, as one exclusive union (the document's `oneOf`). `misplaced`
 * names, per role, fields of another role's body it must not send and the refusal for each
 * (checked before the role's own schema, so that refusal keeps its stable code).
 */
export const bodyPerRole = <const B extends Bodies>(
  bodies: B,
  misplaced: PerRole['misplaced'] = {},
): z.ZodXor<Extract<B[keyof B], z.ZodObject>[]> => {
  const union = z.xor(Object.values(bodies) as z.ZodObject[]);
  perRole.set(union, { bodies, misplaced });
  return union as unknown as z.ZodXor<Extract<B[keyof B], z.ZodObject>[]>;
};

/** The schema a caller's body must meet: their role's own (the first of their roles that has one), else `schema`. */
export const bodySchemaFor = (schema: z.ZodType, roles: readonly Role[] | undefined): z.ZodType => {
  const declared = perRole.get(schema);
  const role = roles?.find((r) => declared?.bodies[r] !== undefined);
  return (role && declared?.bodies[role]) || schema;
};

/** Throws the refusal for a field the caller's role must not send, if the body carries one. */
export const refuseMisplaced = (
  schema: z.ZodType,
  roles: readonly Role[] | undefined,
  sent: unknown,
): void => {
  const declared = perRole.get(schema);
  const role = roles?.find((r) => declared?.bodies[r] !== undefined);
  if (!role || sent === null || typeof sent !== 'object') return;
  for (const [field, refusal] of Object.entries(declared?.misplaced[role] ?? {})) {
    if (Object.hasOwn(sent, field)) throw refusal();
  }
};
