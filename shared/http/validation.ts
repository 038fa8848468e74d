import type { z } from 'zod';
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

export const parseWith = <S extends z.ZodType>(where: string, schema: S, value: unknown): z.output<S> => {
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(fieldIssues(where, result.error));
  return result.data;
};
