import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { expect } from 'chai';
import { loadConfig } from '../../../src/config/env.js';
import { configError } from '../../support/config.js';
import { p256, pemFiles, pkcs8, spki } from '../../support/key-files.js';

const REFRESH = 'r'.repeat(32);
const PRODUCTION = { NODE_ENV: 'production', JWT_REFRESH_SECRET: REFRESH };


/** No line of a PEM body (the key material itself) shows up in a message. */
function expectNoKeyMaterial(message: string, ...pems: string[]): void {
  for (const line of pems.flatMap((p) => p.split('\n')).filter((l) => l.length >= 16 && !l.startsWith('-----'))) {
    expect(message, 'key material in the message').not.to.include(line);
  }
}

describe('config: ES256 access-token keys', () => {
  const files = pemFiles('auth-api-keys-');
  const file = files.write;
  const current = p256();
  const earlier = [p256(), p256()];
  let privateFile: string;
  const es256 = (env: Record<string, string | undefined> = {}) => ({ ...PRODUCTION, JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: privateFile, ...env });

  before(() => {
    privateFile = file(pkcs8(current.privateKey));
  });

  describe('accepted', () => {
    it('reads the PKCS#8 P-256 signing key; without JWT_VERIFY_KEYS_FILE no earlier keys', () => {
      const { config } = loadConfig(es256());

      expect(config.jwt.algorithm).to.equal('ES256');
      expect(config.jwt.accessKeys?.signingKey.equals(current.privateKey)).to.equal(true);
      expect(config.jwt.accessKeys?.verifyKeys).to.deep.equal([]);
    });

    it('needs no JWT_ACCESS_SECRET, even in production, and warns about none', () => {
      const { warnings } = loadConfig(es256({ JWT_ACCESS_SECRET: undefined }));

      expect(warnings.filter((w) => w.includes('JWT_'))).to.deep.equal([]);
    });

    it('still requires JWT_REFRESH_SECRET in production: refresh tokens stay HS256', () => {
      expect(configError(es256({ JWT_REFRESH_SECRET: undefined })).message).to.include('JWT_REFRESH_SECRET');
    });

    it('reads every SPKI public key of the verify file, one after another, in order', () => {
      const verify = file(earlier.map((k) => spki(k.publicKey)).join(''));
      const keys = loadConfig(es256({ JWT_VERIFY_KEYS_FILE: verify })).config.jwt.accessKeys?.verifyKeys ?? [];

      expect(keys).to.have.length(2);
      expect(keys[0]?.equals(earlier[0]!.publicKey)).to.equal(true);
      expect(keys[1]?.equals(earlier[1]!.publicKey)).to.equal(true);
    });

    it('tolerates explanatory text and blank lines between the keys (RFC 7468)', () => {
      const verify = file(`# retired 2026-01\n${spki(earlier[0]!.publicKey)}\n\n# retired 2026-02\r\n${spki(earlier[1]!.publicKey).replace(/\n/g, '\r\n')}`);

      expect(loadConfig(es256({ JWT_VERIFY_KEYS_FILE: verify })).config.jwt.accessKeys?.verifyKeys).to.have.length(2);
    });

    it('accepts an empty verify file', () => {
      expect(loadConfig(es256({ JWT_VERIFY_KEYS_FILE: file('') })).config.jwt.accessKeys?.verifyKeys).to.deep.equal([]);
    });

    it('accepts an absent verify file, with a warning naming the variable', () => {
      const { config, warnings } = loadConfig(es256({ JWT_VERIFY_KEYS_FILE: files.path('not-there.pem') }));

      expect(config.jwt.accessKeys?.verifyKeys).to.deep.equal([]);
      expect(warnings.some((w) => w.includes('JWT_VERIFY_KEYS_FILE'))).to.equal(true);
    });

    it('under HS256 reads no key file, and warns that they are ignored', () => {
      const { config, warnings } = loadConfig({ JWT_PRIVATE_KEY_FILE: files.path('not-there.pem') });

      expect(config.jwt.algorithm).to.equal('HS256');
      expect(config.jwt.accessKeys).to.equal(null);
      expect(warnings.some((w) => w.includes('JWT_PRIVATE_KEY_FILE'))).to.equal(true);
    });
  });

  describe('refused at start, naming the variable, never quoting a key', () => {
    it('refuses an unknown JWT_ALGORITHM', () => {
      expect(configError({ JWT_ALGORITHM: 'RS256' }).message).to.include('JWT_ALGORITHM');
      expect(configError({ JWT_ALGORITHM: 'none' }).message).to.include('JWT_ALGORITHM');
    });

    it('refuses ES256 without JWT_PRIVATE_KEY_FILE', () => {
      expect(configError(es256({ JWT_PRIVATE_KEY_FILE: undefined })).message).to.include('JWT_PRIVATE_KEY_FILE');
      expect(configError(es256({ JWT_PRIVATE_KEY_FILE: '  ' })).message).to.include('JWT_PRIVATE_KEY_FILE');
    });

    it('refuses a private key file that does not exist or cannot be read', () => {
      const unreadable = file(pkcs8(p256().privateKey));
      chmodSync(unreadable, 0o000);
      const paths = [files.path('missing.pem'), files.path('.')];
      // root reads whatever the mode says; the mode test only means something for other users.
      if (process.getuid?.() !== 0) paths.push(unreadable);
      for (const path of paths) {
        const error = configError(es256({ JWT_PRIVATE_KEY_FILE: path }));
        expect(error.message, path).to.include('JWT_PRIVATE_KEY_FILE').and.include('cannot be read');
      }
    });

    const badPrivateKeys: ReadonlyArray<readonly [string, () => string]> = [
      ['an empty file', () => ''],
      ['text that is no PEM', () => 'not a key at all'],
      ['a SEC1 key (BEGIN EC PRIVATE KEY), not PKCS#8', () => p256().privateKey.export({ type: 'sec1', format: 'pem' }) as string],
      ['a P-384 key', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)],
      ['an Ed25519 key', () => pkcs8(generateKeyPairSync('ed25519').privateKey)],
      ['a public key', () => spki(p256().publicKey)],
      ['two private keys', () => pkcs8(p256().privateKey) + pkcs8(p256().privateKey)],
      ['an encrypted PKCS#8 key', () => p256().privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-passphrase' }) as string],
      ['a PKCS#8 label over a corrupted body', () => pkcs8(p256().privateKey).replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!')],
      ['a truncated key', () => pkcs8(p256().privateKey).slice(0, 120)],
    ];
    for (const [what, text] of badPrivateKeys) {
      it(`refuses ${what} as JWT_PRIVATE_KEY_FILE`, () => {
        const pem = text();
        const error = configError(es256({ JWT_PRIVATE_KEY_FILE: file(pem) }));

        expect(error.message).to.include('JWT_PRIVATE_KEY_FILE');
        expectNoKeyMaterial(error.message, pem);
      });
    }

    const badVerifyFiles: ReadonlyArray<readonly [string, () => string, string]> = [
      ['a private key among the public keys', () => spki(earlier[0]!.publicKey) + pkcs8(p256().privateKey), 'key 2'],
      ['a P-384 public key', () => spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey), 'key 1'],
      ['an Ed25519 public key', () => spki(earlier[0]!.publicKey) + spki(generateKeyPairSync('ed25519').publicKey), 'key 2'],
      ['a corrupted SPKI body', () => spki(earlier[0]!.publicKey).replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA'), 'key 1'],
      ['a BEGIN line without its END (truncated)', () => spki(earlier[0]!.publicKey) + spki(earlier[1]!.publicKey).slice(0, 80), 'without its partner'],
    ];
    for (const [what, text, detail] of badVerifyFiles) {
      it(`refuses a verify file with ${what}`, () => {
        const pem = text();
        const error = configError(es256({ JWT_VERIFY_KEYS_FILE: file(pem) }));

        expect(error.message).to.include('JWT_VERIFY_KEYS_FILE').and.include(detail);
        expect(error.message).not.to.include('JWT_PRIVATE_KEY_FILE');
        expectNoKeyMaterial(error.message, pem);
      });
    }

    it('refuses a verify file that is a directory', () => {
      const sub = files.path('a-directory');
      mkdirSync(sub, { recursive: true });

      expect(configError(es256({ JWT_VERIFY_KEYS_FILE: sub })).message).to.include('JWT_VERIFY_KEYS_FILE').and.include('cannot be read');
    });

    it('reports a bad private key and a bad verify file at once', () => {
      const error = configError(es256({ JWT_PRIVATE_KEY_FILE: file('nope'), JWT_VERIFY_KEYS_FILE: file(pkcs8(p256().privateKey)) }));

      expect(error.message).to.include('JWT_PRIVATE_KEY_FILE').and.include('JWT_VERIFY_KEYS_FILE');
    });
  });
});
