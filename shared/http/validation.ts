import * as z from 'zod';
import { type FieldIssue, validationFailed } from '../errors.js';

/** zod issues → one entry per bad field, named by its full path (`body.participants.0.name`). */
export const fieldIssues = (where: string, error: z.ZodError): FieldIssue[] =>
  error.issues.flatMap((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => ({
      field: [where, ...issue.path.map(String), ...(key === undefined ? [] : [key])].join('.'),
      message: issue.code === 'unrecognized_keys' ? 'Unknown field' : issue.message,
    }));
  });

/**
 * Text that is not well-formed UTF-16 (a lone surrogate, sent as a JSON escape such as
 * "\ud800") passes `z.string()` but is not valid Unicode: DynamoDB or a consumer may refuse
 * it later, far from the request. Refused here, by field, like any other bad value.
 */
export const illFormedText = (where: string, value: unknown): FieldIssue[] => {
  const issues: FieldIssue[] = [];
  // Iterative, so a deeply nested body cannot exhaust the stack.
  const pending: [string, unknown][] = [[where, value]];
  while (pending.length > 0) {
    const [path, current] = pending.pop() as [string, unknown];
    if (typeof current === 'string') {
      if (!current.isWellFormed()) issues.push({ field: path, message: 'Not well-formed text' });
    } else if (current !== null && typeof current === 'object') {
      for (const [key, inner] of Object.entries(current)) {
        if (!key.isWellFormed())
          issues.push({ field: `${path}.${key.toWellFormed()}`, message: 'Not well-formed text' });
        else pending.push([`${path}.${key}`, inner]);
      }
    }
  }
  return issues;
};

export const parseWith = <S extends z.ZodType>(where: string, schema: S, value: unknown): z.output<S> => {
  const illFormed = illFormedText(where, value);
  if (illFormed.length > 0) throw validationFailed(illFormed);
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(fieldIssues(where, result.error));
  return result.data;
};

/**
 * A query string is judged by the parameters the route knows, each strictly; any other
 * parameter is ignored. Queries collect what a caller never meant as input (a cache-buster
 * `_=1733480000`, a campaign tag, a proxy's addition), and nothing in a query is stored, so an
 * unknown parameter cannot be dropped data the way an unknown body field would be.
 */
export const parseQuery = <S extends z.ZodType>(
  schema: S,
  query: Readonly<Record<string, string | undefined>>,
): z.output<S> => {
  const known = schema instanceof z.ZodObject ? schema.shape : {};
  // Own keys only: `constructor` or `__proto__` in a query is not a parameter any route knows.
  const sent = Object.fromEntries(Object.entries(query).filter(([name]) => Object.hasOwn(known, name)));
  return parseWith('query', schema, sent);
};
