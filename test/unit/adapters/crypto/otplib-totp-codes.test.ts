import { expect } from 'chai';
import { generate } from 'otplib';
import { OtplibTotpCodes } from '../../../../src/adapters/crypto/otplib-totp-codes.js';
import { RECOVERY_CODE_ALPHABET, RECOVERY_CODE_COUNT, RECOVERY_CODE_LENGTH, TOTP_WINDOW_STEPS, totpStepAt } from '../../../../src/domain/mfa.js';

/** RFC 6238 Appendix B's SHA-1 seed: the ASCII "12345678901234567890", here in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** RFC 6238 Appendix B, SHA-1: T (seconds) and the 8-digit TOTP; a 6-digit code is its last six digits. */
const RFC_VECTORS: readonly (readonly [number, string])[] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

/** Another fixed secret (deterministic, unlike a random one). */
const OTHER_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

const atSeconds = (t: number): Date => new Date(t * 1000);

describe('OtplibTotpCodes (RFC 6238: SHA-1, 6 digits, 30 s)', () => {
  const codes = new OtplibTotpCodes();

  describe('the RFC 6238 SHA-1 test vectors', () => {
    it('the library computes the 8-digit vector at T=59: 94287082', async () => {
      expect(await generate({ secret: RFC_SECRET, epoch: 59, algorithm: 'sha1', digits: 8, period: 30 })).to.equal('94287082');
    });

    for (const [t, eight] of RFC_VECTORS) {
      it(`codeAt T=${t} is ${eight.slice(2)} (the last six digits of ${eight}), and matchingStep finds its step`, async () => {
        const six = eight.slice(2);
        expect(await codes.codeAt(RFC_SECRET, atSeconds(t))).to.equal(six);
        expect(await codes.matchingStep(RFC_SECRET, six, atSeconds(t), TOTP_WINDOW_STEPS)).to.equal(Math.floor(t / 30));
      });
    }
  });

  describe('the window: one step either side, no more', () => {
    // T=1111111109 lies in step 37037036; its code is 081804.
    const T = 1111111109;
    const STEP = 37037036;
    const CODE = '081804';

    it('accepts the code one step late and one step early, answering the step it belongs to', async () => {
      expect(totpStepAt(atSeconds(T))).to.equal(STEP);
      expect(await codes.matchingStep(RFC_SECRET, CODE, atSeconds(T + 30), TOTP_WINDOW_STEPS), 'a step later').to.equal(STEP);
      expect(await codes.matchingStep(RFC_SECRET, CODE, atSeconds(T - 30), TOTP_WINDOW_STEPS), 'a step earlier').to.equal(STEP);
    });

    it('refuses the code two steps late and two steps early', async () => {
      expect(await codes.matchingStep(RFC_SECRET, CODE, atSeconds(T + 60), TOTP_WINDOW_STEPS)).to.equal(null);
      expect(await codes.matchingStep(RFC_SECRET, CODE, atSeconds(T - 60), TOTP_WINDOW_STEPS)).to.equal(null);
    });

    it('with no window, accepts only the step of now', async () => {
      expect(await codes.matchingStep(RFC_SECRET, CODE, atSeconds(T), 0)).to.equal(STEP);
      expect(await codes.matchingStep(RFC_SECRET, CODE, atSeconds(T + 30), 0)).to.equal(null);
    });

    it('refuses a wrong code and another secret’s code', async () => {
      expect(await codes.matchingStep(RFC_SECRET, '081805', atSeconds(T), TOTP_WINDOW_STEPS)).to.equal(null);
      const otherCode = await codes.codeAt(OTHER_SECRET, atSeconds(T));
      expect(otherCode).to.not.equal(CODE);
      expect(await codes.matchingStep(RFC_SECRET, otherCode, atSeconds(T), TOTP_WINDOW_STEPS)).to.equal(null);
    });
  });

  describe('codes that are not six digits', () => {
    // The port answers null for "none of them"; otplib throws on these (TokenLengthError,
    // TokenFormatError), which would reach a caller that does not check the shape first as a 500.
    it('answers null, not an exception, for 8 or 5 digits, nothing, letters, a recovery code', async () => {
      for (const code of ['07081804', '81804', '', 'abcdef', 'ABCD-EFGH-JKMN']) {
        const step = await codes.matchingStep(RFC_SECRET, code, atSeconds(1111111109), TOTP_WINDOW_STEPS).catch((err: Error) => `threw ${err.name}`);
        expect(step, JSON.stringify(code)).to.equal(null);
      }
    });
  });

  describe('secrets and the otpauth URL', () => {
    it('makes a new 160-bit base32 secret each time, whose codes it then checks', async () => {
      const a = codes.newSecret();
      const b = codes.newSecret();
      expect(a).to.match(/^[A-Z2-7]{32}$/);
      expect(a).to.not.equal(b);
      const now = new Date('2026-01-01T00:00:00.000Z');
      expect(await codes.matchingStep(a, await codes.codeAt(a, now), now, TOTP_WINDOW_STEPS)).to.equal(totpStepAt(now));
    });

    it('writes an otpauth://totp URL with the issuer, the account, the secret, SHA1, 6 digits and 30 s', () => {
      const url = new URL(codes.otpauthUrl({ secret: RFC_SECRET, issuer: 'auth-api', account: 'ada@example.com' }));
      expect(url.protocol).to.equal('otpauth:');
      expect(url.host).to.equal('totp');
      expect(decodeURIComponent(url.pathname)).to.equal('/auth-api:ada@example.com');
      expect(url.searchParams.get('secret')).to.equal(RFC_SECRET);
      expect(url.searchParams.get('issuer')).to.equal('auth-api');
      // Key URI format: an absent parameter means its default (SHA1, 6, 30), which is what we use.
      expect(url.searchParams.get('algorithm') ?? 'SHA1').to.equal('SHA1');
      expect(url.searchParams.get('digits') ?? '6').to.equal('6');
      expect(url.searchParams.get('period') ?? '30').to.equal('30');
    });
  });

  describe('recovery codes', () => {
    it(`makes ${RECOVERY_CODE_COUNT} distinct codes of ${RECOVERY_CODE_LENGTH} characters of the alphabet`, () => {
      const made = codes.newRecoveryCodes(RECOVERY_CODE_COUNT);
      expect(made).to.have.length(10);
      expect(new Set(made).size).to.equal(10);
      const pattern = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{12}$`);
      for (const code of made) expect(code).to.match(pattern);
    });

    it('draws every letter of the alphabet and nothing else (100 codes: 1,200 draws of 32 letters)', () => {
      const letters = new Set(codes.newRecoveryCodes(100).join(''));
      expect([...letters].sort().join('')).to.equal([...RECOVERY_CODE_ALPHABET].sort().join(''));
    });

    it('keeps a code as a SHA-256 hex digest that is the same however it is typed: dashes, spaces, case', () => {
      const digest = codes.recoveryCodeDigest('user-1', 'ABCDEFGHJKMN');
      expect(digest).to.match(/^[0-9a-f]{64}$/);
      for (const typed of ['ABCD-EFGH-JKMN', 'abcd-efgh-jkmn', ' abcd efgh jkmn ', 'aBcDeFgHjKmN']) {
        expect(codes.recoveryCodeDigest('user-1', typed), typed).to.equal(digest);
      }
    });

    it('binds the digest to the user, and tells codes apart', () => {
      const digest = codes.recoveryCodeDigest('user-1', 'ABCDEFGHJKMN');
      expect(codes.recoveryCodeDigest('user-2', 'ABCDEFGHJKMN')).to.not.equal(digest);
      expect(codes.recoveryCodeDigest('user-1', 'ABCDEFGHJKMP')).to.not.equal(digest);
    });
  });
});
