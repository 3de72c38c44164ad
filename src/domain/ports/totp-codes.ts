/** RFC 6238 codes (SHA-1, 6 digits, 30 s): the algorithm behind a port so the core stays library-free. */
export interface TotpCodes {
  /** A new random secret (160 bits), base32. */
  newSecret(): string;
  /** The `otpauth://totp/...` URL an authenticator app scans. */
  otpauthUrl(input: { readonly secret: string; readonly issuer: string; readonly account: string }): string;
  /** The time step whose code `code` is, within ±window steps of `at`; null when it is none of them. Constant-time compare. */
  matchingStep(secret: string, code: string, at: Date, windowSteps: number): Promise<number | null>;
  /** `count` new recovery codes of RECOVERY_CODE_LENGTH characters of RECOVERY_CODE_ALPHABET, from a CSPRNG. */
  newRecoveryCodes(count: number): string[];
  /** The digest a recovery code is kept as: SHA-256 of the user id and the normalised code, hex. */
  recoveryCodeDigest(userId: string, code: string): string;
  /** The code for time `at` (tests and the stand-in authenticator use it). */
  codeAt(secret: string, at: Date): Promise<string>;
}
