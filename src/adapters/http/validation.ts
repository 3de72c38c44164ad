import { z } from 'zod';
import { emailProblem, normalizeEmail } from '../../domain/email.js';
import { ValidationFailedError } from '../../domain/errors.js';
import { passwordProblem } from '../../domain/password.js';
import { nameProblem } from '../../domain/user.js';

/** Request schemas: types here, business rules from the domain, so one answer lists every failing field. */

const text = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });

const rule = (problem: (value: string) => string | null) => (value: string, ctx: z.RefinementCtx) => {
  const message = problem(value);
  if (message) ctx.addIssue({ code: 'custom', message });
};

export const registerSchema = z.object(
  {
    email: text()
      .superRefine(rule((v) => emailProblem(normalizeEmail(v))))
      .meta({ format: 'email', description: 'Trimmed and lower-cased; at most 254 characters; unique case-insensitively.' }),
    password: text()
      .superRefine(rule(passwordProblem))
      .meta({ description: 'At least 8 characters (code points), at most 72 bytes of UTF-8; never trimmed.' }),
    name: text().superRefine(rule(nameProblem)).nullish().meta({ description: 'At most 100 characters.' }),
  },
  { error: 'must be a JSON object' },
);

export const loginSchema = z.object(
  {
    email: text().min(1, 'is required'),
    password: text().min(1, 'is required'),
  },
  { error: 'must be a JSON object' },
);

/** Parses a request body or throws ValidationFailedError naming every failing field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body === undefined ? {} : body);
  if (result.success) return result.data;
  const seen = new Set<string>();
  const errors = result.error.issues
    .map((issue) => ({ field: issue.path.map(String).join('.') || 'body', message: issue.message }))
    .filter((e) => (seen.has(e.field) ? false : (seen.add(e.field), true)));
  throw new ValidationFailedError(errors);
}

export const changePasswordSchema = z.object(
  {
    currentPassword: text().min(1, 'is required'),
    newPassword: text()
      .superRefine(rule(passwordProblem))
      .meta({ description: 'At least 8 characters (code points), at most 72 bytes of UTF-8; never trimmed.' }),
  },
  { error: 'must be a JSON object' },
);

export const refreshSchema = z.object(
  { refreshToken: z.string().optional().meta({ description: 'Or send it as Authorization: Bearer, or (web apps) the refresh_token cookie.' }) },
  { error: 'must be a JSON object' },
);
