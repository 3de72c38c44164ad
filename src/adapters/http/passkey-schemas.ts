import { z } from 'zod';
import { passkeyNameProblem } from '../../domain/passkey.js';

/**
 * The JSON forms of @simplewebauthn (RegistrationResponseJSON, AuthenticationResponseJSON),
 * checked for shape only: the ceremony itself judges the content (PASSKEY_INVALID). Unknown
 * members pass through, as browsers add new ones.
 */

// WebAuthn §5.1: a credential id is at most 1,023 bytes, 1,364 characters of base64url.
const base64url = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url');

const CREDENTIAL_ID = base64url(1366);
// A 100 KiB body bounds the rest; these bound each member well below it.
const BLOB = base64url(64 * 1024);

const credential = <T extends z.ZodRawShape>(response: T, description: string) =>
  z
    .looseObject(
      {
        id: CREDENTIAL_ID.meta({ description: 'The credential id (base64url).' }),
        rawId: CREDENTIAL_ID.meta({ description: 'The same id (base64url).' }),
        type: z.literal('public-key', { error: 'must be "public-key"' }),
        response: z.looseObject(response, { error: 'must be a JSON object' }),
        clientExtensionResults: z.looseObject({}, { error: 'must be a JSON object' }).optional(),
        authenticatorAttachment: z.string().optional(),
      },
      { error: 'must be a JSON object' },
    )
    .meta({ description });

export const registrationResponseSchema = credential(
  {
    clientDataJSON: BLOB,
    attestationObject: BLOB,
    transports: z.array(z.string().max(32)).max(16).optional(),
  },
  "RegistrationResponseJSON, as @simplewebauthn/browser's startRegistration() returns it.",
);

export const authenticationResponseSchema = credential(
  {
    clientDataJSON: BLOB,
    authenticatorData: BLOB,
    signature: BLOB,
    userHandle: base64url(128).optional(),
  },
  "AuthenticationResponseJSON, as @simplewebauthn/browser's startAuthentication() returns it.",
);

export const passkeyNameSchema = z
  .string()
  .superRefine((value, ctx) => {
    const message = passkeyNameProblem(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  })
  .meta({ description: 'What the owner calls this passkey: 1 to 64 characters once trimmed, no control or invisible format character; default "Passkey".' });
