import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { PasskeyInvalidError } from '../../domain/errors.js';
import type {
  StoredCredential,
  VerifiedRegistration,
  WebAuthnCeremonies,
  WebAuthnOptions,
  WebAuthnOptionsJson,
  WebAuthnResponseClaims,
} from '../../domain/ports/webauthn-ceremonies.js';

export interface RelyingParty {
  /** WEBAUTHN_RP_ID: the registrable domain credentials are scoped to. */
  readonly id: string;
  /** Shown by the authenticator (APP_NAME). */
  readonly name: string;
  /** WEBAUTHN_ORIGINS: the exact origins clientDataJSON may name. */
  readonly origins: readonly string[];
  /** How long the browser may wait for the user; the server's challenge lives as long. */
  readonly timeoutMs: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a check failed, in a word, for the security event (never for the client). */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (/origin/i.test(message)) return 'origin';
  if (/RP ?ID/i.test(message)) return 'rp_id';
  if (/counter/i.test(message)) return 'counter';
  if (/challenge/i.test(message)) return 'challenge';
  return 'verification';
}

/**
 * The ceremonies on @simplewebauthn/server. Attestation is "none": the service trusts the key
 * the authenticator made, not a vendor's certificate chain. User verification is preferred, not
 * required: a passkey is a possession factor here, and a security key without a PIN still counts.
 * The library's text never leaves this file; every failure is PasskeyInvalidError.
 */
export class SimpleWebAuthnCeremonies implements WebAuthnCeremonies {
  constructor(private readonly rp: RelyingParty) {}

  async registrationOptions(
    user: { readonly id: string; readonly name: string; readonly displayName: string },
    exclude: readonly StoredCredential[],
  ): Promise<WebAuthnOptions> {
    const options = await generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      // The user handle: the account id, which names nothing personal (WebAuthn §14.6.1).
      userID: new TextEncoder().encode(user.id),
      userName: user.name,
      userDisplayName: user.displayName,
      timeout: this.rp.timeoutMs,
      attestationType: 'none',
      excludeCredentials: exclude.map((c) => ({ id: c.id, transports: [...c.transports] })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
    });
    return { options: options as unknown as WebAuthnOptionsJson, challenge: options.challenge };
  }

  async authenticationOptions(): Promise<WebAuthnOptions> {
    const options = await generateAuthenticationOptions({ rpID: this.rp.id, timeout: this.rp.timeoutMs, userVerification: 'preferred', allowCredentials: [] });
    return { options: options as unknown as WebAuthnOptionsJson, challenge: options.challenge };
  }

  claimsOf(response: unknown): WebAuthnResponseClaims {
    const inner = isRecord(response) ? response.response : undefined;
    const clientData = isRecord(inner) && typeof inner.clientDataJSON === 'string' ? inner.clientDataJSON : null;
    const id = isRecord(response) && typeof response.id === 'string' ? response.id : null;
    if (clientData === null || id === null) throw new PasskeyInvalidError('malformed');
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(clientData, 'base64url').toString('utf8'));
    } catch {
      throw new PasskeyInvalidError('malformed');
    }
    if (!isRecord(parsed) || typeof parsed.challenge !== 'string' || parsed.challenge === '') throw new PasskeyInvalidError('malformed');
    return { challenge: parsed.challenge, credentialId: id };
  }

  async verifyRegistration(response: unknown, challenge: string): Promise<VerifiedRegistration> {
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: [...this.rp.origins],
        expectedRPID: this.rp.id,
        requireUserVerification: false,
      });
    } catch (err) {
      throw new PasskeyInvalidError(reasonOf(err));
    }
    if (!verified.verified) throw new PasskeyInvalidError('verification');
    const { credential } = verified.registrationInfo;
    return { credentialId: credential.id, publicKey: new Uint8Array(credential.publicKey), counter: credential.counter, transports: credential.transports ?? [] };
  }

  async verifyAuthentication(response: unknown, challenge: string, credential: StoredCredential, userId: string): Promise<{ readonly counter: number }> {
    const assertion = response as AuthenticationResponseJSON;
    // A discoverable credential names its user: it must be the one the passkey was registered to.
    const handle = assertion.response.userHandle;
    if (handle !== undefined && handle !== Buffer.from(userId, 'utf8').toString('base64url')) throw new PasskeyInvalidError('user_handle');
    let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verified = await verifyAuthenticationResponse({
        response: assertion,
        expectedChallenge: challenge,
        expectedOrigin: [...this.rp.origins],
        expectedRPID: this.rp.id,
        credential: { id: credential.id, publicKey: new Uint8Array(credential.publicKey), counter: credential.counter, transports: [...credential.transports] as never },
        requireUserVerification: false,
      });
    } catch (err) {
      throw new PasskeyInvalidError(reasonOf(err));
    }
    if (!verified.verified) throw new PasskeyInvalidError('signature');
    return { counter: verified.authenticationInfo.newCounter };
  }
}
