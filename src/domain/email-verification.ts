/**
 * EMAIL_VERIFICATION: `off` mails nothing at sign-up; `optional` (the default) mails a link and
 * lets unverified accounts sign in; `required` holds back every sign-in of an unverified account
 * (after the right credential, so it reveals nothing to someone without it).
 */
export const EMAIL_VERIFICATION_MODES = ['off', 'optional', 'required'] as const;
export type EmailVerificationMode = (typeof EMAIL_VERIFICATION_MODES)[number];
