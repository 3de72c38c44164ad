/** Seals secrets kept at rest (TOTP secrets), bound to what they belong to. */
export interface SecretBox {
  /** Whether a key was configured (production refuses TOTP enrolment without one). */
  readonly configured: boolean;
  /** The sealed form of `plaintext`, bound to `context` (the user id): opening it needs both. */
  seal(plaintext: string, context: string): string;
  /** The plaintext; throws when the key or the context is not the one it was sealed with, or it was altered. */
  open(sealed: string, context: string): string;
}
