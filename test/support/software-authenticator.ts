import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software passkey authenticator for browser-free tests: P-256 keys it holds itself, "none"
 * attestation, real attestation and assertion objects (WebAuthn §6.1, §6.5.4) that the server's
 * verify calls check like a browser's. Every field a test wants to break can be overridden.
 */
export interface Credential {
  readonly id: string;
  readonly privateKey: KeyObject;
  /** base64url of the user handle the RP gave at registration. */
  readonly userHandle: string;
  counter: number;
}

export interface CeremonyOverrides {
  /** The origin the "browser" writes into clientDataJSON (default: the authenticator's). */
  readonly origin?: string;
  /** The RP ID whose hash goes into authenticatorData (default: the options' rpId / rp.id). */
  readonly rpId?: string;
  /** The challenge in clientDataJSON (default: the options'). */
  readonly challenge?: string;
  /** The signature counter to report (default: one more than last time, or 0 when `keepsCounter` is false). */
  readonly counter?: number;
  /** Sign with another key than the credential's (a forged assertion). */
  readonly signWith?: KeyObject;
}

const b64url = (bytes: Uint8Array | Buffer): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
const uint32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

// authenticatorData flags: user present, user verified, attested credential data included.
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

/** The COSE_Key (RFC 9053) of a P-256 public key, ES256. */
function coseKey(privateKey: KeyObject): Uint8Array {
  const jwk = privateKey.export({ format: 'jwk' });
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x ?? '', 'base64url')],
      [-3, Buffer.from(jwk.y ?? '', 'base64url')],
    ]),
  );
}

type Json = Record<string, any>;

export class SoftwareAuthenticator {
  readonly credentials: Credential[] = [];

  constructor(
    /** The origin the page runs on (a test app's WEBAUTHN_ORIGINS, by default WEB_APP_URL's). */
    readonly origin: string,
    /** Whether the signature counter moves (false: it reports 0 for ever, as many platform authenticators do). */
    readonly keepsCounter = true,
  ) {}

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, o: CeremonyOverrides): string {
    return b64url(Buffer.from(JSON.stringify({ type, challenge: o.challenge ?? challenge, origin: o.origin ?? this.origin, crossOrigin: false })));
  }

  /** What navigator.credentials.create() gives @simplewebauthn/browser: a RegistrationResponseJSON. */
  register(options: Json, o: CeremonyOverrides = {}): Json {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(16);
    const counter = o.counter ?? 0;
    const authData = Buffer.concat([
      sha256(o.rpId ?? (options.rp.id as string)),
      Buffer.from([UP | UV | AT]),
      uint32(counter),
      Buffer.alloc(16), // AAGUID: none
      Buffer.from([id.length >> 8, id.length & 0xff]),
      id,
      coseKey(privateKey),
    ]);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]) as never);
    this.credentials.push({ id: b64url(id), privateKey, userHandle: options.user.id as string, counter });
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: { clientDataJSON: this.clientData('webauthn.create', options.challenge as string, o), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** What navigator.credentials.get() gives @simplewebauthn/browser: an AuthenticationResponseJSON, by the given credential (default: the last registered). */
  authenticate(options: Json, credential = this.credentials.at(-1), o: CeremonyOverrides = {}): Json {
    if (!credential) throw new Error('the authenticator holds no credential');
    const counter = o.counter ?? (this.keepsCounter ? credential.counter + 1 : 0);
    credential.counter = counter;
    const authData = Buffer.concat([sha256(o.rpId ?? (options.rpId as string)), Buffer.from([UP | UV]), uint32(counter)]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge as string, o);
    const signature = createSign('sha256')
      .update(Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))]))
      .sign(o.signWith ?? credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: { clientDataJSON, authenticatorData: b64url(authData), signature: b64url(signature), userHandle: credential.userHandle },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
