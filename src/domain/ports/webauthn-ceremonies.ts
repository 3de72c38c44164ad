/**
 * The WebAuthn protocol work (options, attestation and assertion checks) behind a port, so the
 * use cases know no WebAuthn library. Options are opaque JSON objects handed to the browser as
 * they are (PublicKeyCredentialCreationOptionsJSON / PublicKeyCredentialRequestOptionsJSON).
 * Every failed check of a response throws PasskeyInvalidError.
 */
export type WebAuthnOptionsJson = Readonly<Record<string, unknown>>;

export interface WebAuthnOptions {
  readonly options: WebAuthnOptionsJson;
  /** The challenge in those options (base64url), for the server to record. */
  readonly challenge: string;
}

/** What a response says of itself before any check: where its challenge and credential are. */
export interface WebAuthnResponseClaims {
  readonly challenge: string;
  readonly credentialId: string;
}

export interface VerifiedRegistration {
  readonly credentialId: string;
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly transports: readonly string[];
}

export interface StoredCredential {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly transports: readonly string[];
}

export interface WebAuthnCeremonies {
  /** Creation options: a discoverable credential (resident key required), user verification preferred, `exclude` not registered twice. */
  registrationOptions(user: { readonly id: string; readonly name: string; readonly displayName: string }, exclude: readonly StoredCredential[]): Promise<WebAuthnOptions>;
  /** Request options for a discoverable credential: no allowCredentials, user verification preferred. */
  authenticationOptions(): Promise<WebAuthnOptions>;
  /** The challenge and credential id a response carries, unchecked; PasskeyInvalidError when it carries none. */
  claimsOf(response: unknown): WebAuthnResponseClaims;
  /** Checks an attestation against this challenge, the RP ID and the allowed origins. */
  verifyRegistration(response: unknown, challenge: string): Promise<VerifiedRegistration>;
  /**
   * Checks an assertion of `credential` against this challenge, the RP ID and the allowed
   * origins, with its signature over them; returns the counter it presented.
   */
  verifyAuthentication(response: unknown, challenge: string, credential: StoredCredential, userId: string): Promise<{ readonly counter: number }>;
}
