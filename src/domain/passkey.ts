/**
 * A passkey: a WebAuthn public-key credential registered to an account (docs/passkeys.md). Only
 * the public key is kept; the private key never leaves the authenticator.
 */
export interface Passkey {
  /** The credential id, base64url as the browser reports it: unique across every account. */
  readonly id: string;
  readonly userId: string;
  /** The COSE public key the authenticator attested to. */
  readonly publicKey: Uint8Array;
  /** The signature counter last seen; 0 when the authenticator keeps none. */
  readonly counter: number;
  /** Transports the browser reported (`internal`, `hybrid`, `usb`, ...), handed back in options as hints. */
  readonly transports: readonly string[];
  readonly name: string;
  readonly createdAt: Date;
  /** The last sign-in with it; null until it signs in once. */
  readonly lastUsedAt: Date | null;
}

/** What the account page shows of a passkey: nothing a verifier needs. */
export interface PasskeySummary {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

export const summarisePasskey = (p: Passkey): PasskeySummary => ({ id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt });

/** The name a passkey gets when `?name=` is not given. */
export const DEFAULT_PASSKEY_NAME = 'Passkey';
export const PASSKEY_NAME_MAX = 64;

// C0, DEL, C1 and the invisible format characters (Cf): none belongs in a label shown to the owner.
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

/** Why a passkey name is refused, or null: 1 to 64 characters (code points) once trimmed, nothing unprintable. */
export function passkeyNameProblem(value: string): string | null {
  const name = value.trim().normalize('NFC');
  if (name === '') return 'must not be empty';
  if ([...name].length > PASSKEY_NAME_MAX) return `must be at most ${PASSKEY_NAME_MAX} characters`;
  if (UNPRINTABLE.test(name)) return 'must not contain control or invisible format characters';
  return null;
}

/** The stored form of an accepted name (trimmed, NFC). */
export const normalisePasskeyName = (value: string): string => value.trim().normalize('NFC');

/**
 * The signature-counter rule (WebAuthn §6.1.1): an authenticator that keeps a counter (any value
 * above 0) must present a greater one each time, or it may be a clone; one that keeps none
 * reports 0 for ever. A counter that stops at 0 after having counted is refused too.
 */
export const counterAdvances = (stored: number, presented: number): boolean =>
  presented > stored || (stored === 0 && presented === 0);

/** How long a challenge may be answered (docs/passkeys.md): the browser's timeout is the same. */
export const PASSKEY_CHALLENGE_SECONDS = 5 * 60;
