import { z } from 'zod';
import { PRESENTED_PASSWORD_RULES, text } from './validation.js';

const code = text()
  .min(1, 'is required')
  .max(64, 'must be at most 64 characters')
  .meta({ description: 'A 6-digit code of the authenticator app, or a recovery code (spaces and dashes ignored, any case).', examples: ['123456', 'ABCD-EFGH-JKMN'] });

export const startTotpSchema = z
  .object(
    {
      currentPassword: text()
        .min(1, 'is required')
        .optional()
        .meta({ description: `Needed when the sign-in is older than 10 minutes. ${PRESENTED_PASSWORD_RULES}` }),
    },
    { error: 'must be a JSON object' },
  )
  .meta({ description: 'May be empty (or absent) within 10 minutes of signing in.' });

export const codeSchema = z.object({ code }, { error: 'must be a JSON object' });

export const verifyMfaSchema = z.object(
  {
    mfaToken: text()
      .min(1, 'is required')
      .max(200, 'must be at most 200 characters')
      .optional()
      .meta({ description: 'From the MFA_REQUIRED answer; absent after a provider sign-in, when the mfa_token cookie carries it.' }),
    code,
  },
  { error: 'must be a JSON object' },
);
