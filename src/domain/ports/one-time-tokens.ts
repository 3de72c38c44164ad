/** The secrets mailed in links: made here, and only their digest kept. */
export interface OneTimeTokens {
  /** A new token: 32 random bytes from a CSPRNG, base64url without padding (43 characters). */
  newToken(): string;
  /** The digest a store keeps and looks the token up by: SHA-256, lower-case hex. */
  digest(token: string): string;
}
