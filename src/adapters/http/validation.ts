import { z } from 'zod';
import { displayNameProblem } from '../../domain/display-name.js';
import { emailProblem } from '../../domain/email.js';
import { ValidationFailedError } from '../../domain/errors.js';
import { passwordProblem } from '../../domain/password.js';
import { rolesProblem } from '../../domain/role.js';

/**
 * Request schemas: types here, business rules from the domain, so one answer lists every failing
 * field. The weak-password rule needs the account and the common-password list, so the use case
 * asks it afterwards: PASSWORD_TOO_WEAK only ever follows a body with no VALIDATION_FAILED field.
 */

const EMAIL_RULES =
  'Surrounding white space trimmed, Unicode NFC, lower-cased, the domain in its IDNA ASCII form (bücher.de and xn--bcher-kva.de are one address); stored and unique in that form; at most 254 characters. A control character (C0, C1, DEL) or an invisible format character (Unicode Cf: U+200B, U+200E, U+202E, U+FEFF, ...) anywhere is 400.';
const NEW_PASSWORD_RULES =
  'NFC-normalised, never trimmed; at least 8 characters (code points), at most 72 bytes of UTF-8; no control character (NUL included): 400 VALIDATION_FAILED. Then 400 PASSWORD_TOO_WEAK with a `reason` when it is among the 10,000 most common passwords (`common`), equal to the email or its local part (`email`) or to APP_NAME (`app_name`), case-insensitively, or one repeated character (`repeated`).';
export const PRESENTED_PASSWORD_RULES =
  'Compared in its NFC form, with none of the new-password rules (an old password keeps working); one over 72 bytes of UTF-8 or with a control character can never match (401 INVALID_CREDENTIALS).';

export const text = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });

const rule = (problem: (value: string) => string | null) => (value: string, ctx: z.RefinementCtx) => {
  const message = problem(value);
  if (message) ctx.addIssue({ code: 'custom', message });
};

export const registerSchema = z.object(
  {
    email: text().superRefine(rule(emailProblem)).meta({ format: 'idn-email', description: EMAIL_RULES }),
    password: text().superRefine(rule(passwordProblem)).meta({ description: NEW_PASSWORD_RULES }),
    name: text()
      .superRefine(rule(displayNameProblem))
      .nullish()
      .meta({ description: 'Optional; at most 100 characters (code points); no control character (CR, LF, ESC, ...) or invisible format character (Unicode Cf): 400.' }),
  },
  { error: 'must be a JSON object' },
);

export const loginSchema = z.object(
  {
    email: text().min(1, 'is required').meta({ description: 'Normalised as at registration; an address registration would refuse matches no account (401).' }),
    password: text().min(1, 'is required').meta({ description: PRESENTED_PASSWORD_RULES }),
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
    currentPassword: text().min(1, 'is required').meta({ description: PRESENTED_PASSWORD_RULES }),
    newPassword: text().superRefine(rule(passwordProblem)).meta({ description: NEW_PASSWORD_RULES }),
  },
  { error: 'must be a JSON object' },
);

export const refreshSchema = z.object(
  { refreshToken: z.string().optional().meta({ description: 'Or send it as Authorization: Bearer, or (web apps) the refresh_token cookie.' }) },
  { error: 'must be a JSON object' },
);

const TOKEN_RULES = 'The token from the link\'s fragment (`#token=…`), as it is: 43 characters of base64url. Any token that is not live (unknown, expired, used, voided, of another kind) is 400 LINK_INVALID.';

export const emailTokenSchema = z.object({ token: text().meta({ description: TOKEN_RULES }) }, { error: 'must be a JSON object' });

export const forgotPasswordSchema = z.object(
  { email: text().superRefine(rule(emailProblem)).meta({ format: 'idn-email', description: 'Normalised as at registration. The answer is the same whether an account has it or not.' }) },
  { error: 'must be a JSON object' },
);

export const resetPasswordSchema = z.object(
  {
    token: text().meta({ description: TOKEN_RULES }),
    newPassword: text().superRefine(rule(passwordProblem)).meta({ description: NEW_PASSWORD_RULES }),
  },
  { error: 'must be a JSON object' },
);

export const changeEmailSchema = z.object(
  {
    newEmail: text().superRefine(rule(emailProblem)).meta({ format: 'idn-email', description: EMAIL_RULES }),
    currentPassword: text()
      .nullish()
      .meta({ description: 'Required when the account has a password (a wrong one is 401 INVALID_CREDENTIALS and counts as a failed sign-in); leave it out for a GitHub-only account.' }),
  },
  { error: 'must be a JSON object' },
);

export const updateUserSchema = z
  .strictObject(
    {
      roles: z
        .array(text(), { error: 'must be an array of role names' })
        .superRefine((roles, ctx) => {
          const message = rolesProblem(roles);
          if (message) ctx.addIssue({ code: 'custom', message });
        })
        .optional()
        .meta({ description: 'The roles stored on the account, replacing the old ones: names of [a-z][a-z0-9_-]{0,31}, at most 20. `admin` is the service\'s own.' }),
      disabled: z.boolean({ error: 'must be true or false' }).optional().meta({ description: 'true: the account signs in by no method, and every session ends now.' }),
      name: text().superRefine(rule(displayNameProblem)).nullable().optional(),
      emailVerified: z.boolean({ error: 'must be true or false' }).optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field: ${issue.keys.join(', ')}` : 'must be a JSON object') },
  )
  .refine((body) => Object.keys(body).length > 0, { message: 'name at least one of roles, disabled, name, emailVerified' });
