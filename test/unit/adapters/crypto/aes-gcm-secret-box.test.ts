import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { AesGcmSecretBox } from '../../../../src/adapters/crypto/aes-gcm-secret-box.js';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const USER = '0b6f1f4e-6f0e-4c39-9d0c-3f5f4c1b2a10';

/** The sealed form with one bit of one byte of part `index` (1 IV, 2 tag, 3 ciphertext) flipped. */
function withFlippedBit(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('AesGcmSecretBox (AES-256-GCM, the user id as additional data)', () => {
  const key = randomBytes(32);
  const box = new AesGcmSecretBox(key, true);

  it('opens what it sealed, for the same context', () => {
    expect(box.open(box.seal(SECRET, USER), USER)).to.equal(SECRET);
  });

  it('writes v1.<iv>.<tag>.<ciphertext> in base64url, without the secret in clear', () => {
    const sealed = box.seal(SECRET, USER);
    expect(sealed).to.match(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).to.not.include(SECRET);
    expect(sealed.length, 'fits the 200-character column').to.be.below(200);
  });

  it('seals the same secret differently each time (a fresh IV), and both open', () => {
    const a = box.seal(SECRET, USER);
    const b = box.seal(SECRET, USER);
    expect(a).to.not.equal(b);
    expect(a.split('.')[1]).to.not.equal(b.split('.')[1]);
    expect(box.open(a, USER)).to.equal(SECRET);
    expect(box.open(b, USER)).to.equal(SECRET);
  });

  it('refuses to open with another key', () => {
    const sealed = box.seal(SECRET, USER);
    expect(() => new AesGcmSecretBox(randomBytes(32), true).open(sealed, USER)).to.throw();
  });

  it("refuses to open in another context: a secret copied onto another account does not open there", () => {
    const sealed = box.seal(SECRET, USER);
    expect(() => box.open(sealed, '0b6f1f4e-6f0e-4c39-9d0c-3f5f4c1b2a11')).to.throw();
  });

  for (const [part, index] of [['IV', 1], ['tag', 2], ['ciphertext', 3]] as const) {
    it(`refuses a sealed secret with one bit of its ${part} altered`, () => {
      const sealed = box.seal(SECRET, USER);
      const altered = withFlippedBit(sealed, index);
      expect(altered).to.not.equal(sealed);
      expect(() => box.open(altered, USER)).to.throw();
    });
  }

  it('refuses what is not a sealed secret: another version, too few or too many parts, a clear secret', () => {
    const sealed = box.seal(SECRET, USER);
    for (const bad of [sealed.replace(/^v1/, 'v2'), sealed.split('.').slice(0, 3).join('.'), `${sealed}.extra`, SECRET, '']) {
      expect(() => box.open(bad, USER), bad).to.throw();
    }
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new AesGcmSecretBox(randomBytes(16), true)).to.throw(/32-byte/);
    expect(() => new AesGcmSecretBox(randomBytes(33), true)).to.throw(/32-byte/);
  });

  it('says whether its key was configured', () => {
    expect(new AesGcmSecretBox(key, false).configured).to.equal(false);
    expect(box.configured).to.equal(true);
  });
});
