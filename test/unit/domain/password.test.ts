import { expect } from 'chai';
import { ValidationFailedError } from '../../../src/domain/errors.js';
import { parseNewPassword, PASSWORD_MAX_BYTES, PASSWORD_MIN_CODE_POINTS, passwordProblem, presentedPassword } from '../../../src/domain/password.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

const CONTROL_CHARACTERS = ['\u0000', '\u0001', '\u0009', '\u000a', '\u000d', '\u001b', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f'];

describe('domain: password', () => {
  it('documents the limits: 8 code points, 72 bytes', () => {
    expect(PASSWORD_MIN_CODE_POINTS).to.equal(8);
    expect(PASSWORD_MAX_BYTES).to.equal(72);
  });

  describe('a new password: minimum length in code points', () => {
    it('refuses 7 ASCII characters and accepts 8', () => {
      expect(passwordProblem('1234567')).to.be.a('string');
      expect(passwordProblem('12345678')).to.equal(null);
    });

    it('refuses the empty password', () => {
      expect(passwordProblem('')).to.be.a('string');
    });

    it('refuses 7 emoji although they are 14 UTF-16 units, and accepts 8', () => {
      expect('😀'.repeat(7)).to.have.length(14);
      expect(passwordProblem('😀'.repeat(7))).to.be.a('string');
      expect(passwordProblem('😀'.repeat(8))).to.equal(null);
    });

    it('counts code points of the NFC form: four NFD é (8 code points sent) are 4 characters, too short', () => {
      const nfd = 'e\u0301'.repeat(4);
      expect([...nfd]).to.have.length(8);
      expect(passwordProblem(nfd)).to.match(/at least 8/);
      expect(passwordProblem('e\u0301'.repeat(8))).to.equal(null);
    });

    it('counts code points, not graphemes: q + U+0307 (no precomposed form) stays two', () => {
      expect('q\u0307'.normalize('NFC')).to.equal('q\u0307');
      expect(passwordProblem('q\u0307'.repeat(4))).to.equal(null);
      expect(passwordProblem('q\u0307'.repeat(3))).to.be.a('string');
    });

    it('counts spaces and never trims them', () => {
      expect(passwordProblem(' '.repeat(8))).to.equal(null); // the weak rule refuses it, not this one
      expect(passwordProblem('  abcd  ')).to.equal(null);
      expect(passwordProblem('  abc  ')).to.be.a('string');
    });
  });

  describe('a new password: maximum length in UTF-8 bytes', () => {
    it('accepts 72 ASCII bytes and refuses 73', () => {
      expect(passwordProblem('x'.repeat(72))).to.equal(null);
      expect(passwordProblem('x'.repeat(73))).to.match(/72 bytes/);
    });

    it('accepts 18 emoji (72 bytes) and refuses 19 (76 bytes)', () => {
      expect(bytes('😀'.repeat(18))).to.equal(72);
      expect(passwordProblem('😀'.repeat(18))).to.equal(null);
      expect(passwordProblem('😀'.repeat(19))).to.be.a('string');
    });

    it('accepts 36 two-byte characters (é) and refuses 37', () => {
      expect(passwordProblem('é'.repeat(36))).to.equal(null);
      expect(passwordProblem('é'.repeat(37))).to.be.a('string');
    });

    it('accepts 24 three-byte characters (€) and refuses 25', () => {
      expect(passwordProblem('€'.repeat(24))).to.equal(null);
      expect(passwordProblem('€'.repeat(25))).to.be.a('string');
    });

    it('refuses 71 ASCII bytes plus one two-byte character (73 bytes, 72 code points)', () => {
      const password = `${'x'.repeat(71)}é`;
      expect([...password]).to.have.length(72);

      expect(passwordProblem(password)).to.be.a('string');
    });

    it('measures the NFC form: 36 NFD é are 108 bytes as sent but 72 once composed, and are accepted', () => {
      const nfd = 'e\u0301'.repeat(36);
      expect(bytes(nfd)).to.equal(108);
      expect(passwordProblem(nfd)).to.equal(null);
      expect(bytes(parseNewPassword(nfd))).to.equal(72);
    });

    it('refuses a ZWJ emoji sequence that looks like few characters but is many bytes', () => {
      const family = '👨‍👩‍👧‍👦'; // 7 code points, 25 bytes
      expect(passwordProblem(family)).to.be.a('string'); // too short in code points
      expect(passwordProblem(family.repeat(2))).to.equal(null); // 14 code points, 50 bytes; ZWJ (Cf) is allowed in passwords
      expect(passwordProblem(family.repeat(3))).to.be.a('string'); // 75 bytes
    });
  });

  describe('a new password: control characters (bcrypt stops at NUL)', () => {
    it('refuses eight NULs, which bcrypt would hash as the empty password', () => {
      expect(passwordProblem('\u0000'.repeat(8))).to.match(/control/);
    });

    it('refuses a NUL after the first characters, which bcrypt would cut there', () => {
      expect(passwordProblem('password\u0000first')).to.match(/control/);
      expect(passwordProblem('correct horse\u0000')).to.match(/control/);
    });

    for (const c of CONTROL_CHARACTERS) {
      it(`refuses the control character ${hex(c)} wherever it is`, () => {
        expect(passwordProblem(`${c}correct horse`)).to.be.a('string');
        expect(passwordProblem(`correct${c}horse`)).to.be.a('string');
        expect(passwordProblem(`correct horse${c}`)).to.be.a('string');
      });
    }

    it('refuses a lone surrogate (UTF-8 would turn it into U+FFFD: two passwords, one hash)', () => {
      expect(passwordProblem('\udfff\ud800abcdefgh')).to.be.a('string');
      expect(passwordProblem('abcdefgh\ud800')).to.be.a('string');
    });
  });

  describe('parseNewPassword', () => {
    it('answers the NFC form, never trimmed', () => {
      expect(parseNewPassword('  caf\u0065\u0301 au lait  ')).to.equal('  caf\u00e9 au lait  ');
    });

    it('throws VALIDATION_FAILED naming the given field', () => {
      let error: unknown;
      try {
        parseNewPassword('short', 'newPassword');
      } catch (e) {
        error = e;
      }

      expect(error).to.be.instanceOf(ValidationFailedError);
      expect((error as ValidationFailedError).errors.map((e) => e.field)).to.deep.equal(['newPassword']);
    });
  });

  describe('presentedPassword (what a sign-in compares)', () => {
    it('is the NFC form, so a password typed in NFD matches one set in NFC', () => {
      expect(presentedPassword('caf\u0065\u0301 au lait')).to.equal('caf\u00e9 au lait');
    });

    it('applies none of the new-password rules: a short, weak or old password is still compared', () => {
      expect(presentedPassword('abc')).to.equal('abc');
      expect(presentedPassword('password')).to.equal('password');
      expect(presentedPassword('x')).to.equal('x');
    });

    it('is null for the empty password, which no rule ever allowed and which bcrypt takes for eight NULs', () => {
      expect(presentedPassword('')).to.equal(null);
    });

    it('is null up from 73 bytes, whatever the characters: such a password can never match', () => {
      expect(presentedPassword('x'.repeat(72))).to.equal('x'.repeat(72));
      expect(presentedPassword('x'.repeat(73))).to.equal(null);
      expect(presentedPassword('😀'.repeat(18))).to.equal('😀'.repeat(18));
      expect(presentedPassword(`${'😀'.repeat(18)}x`)).to.equal(null);
      expect(presentedPassword('é'.repeat(37))).to.equal(null);
    });

    it('measures the NFC form: 36 NFD é (108 bytes sent) fit', () => {
      expect(presentedPassword('e\u0301'.repeat(36))).to.equal('\u00e9'.repeat(36));
    });

    it('is null with a NUL or any control character, at the start, inside or at the end', () => {
      expect(presentedPassword('\u0000')).to.equal(null);
      expect(presentedPassword('\u0000'.repeat(8))).to.equal(null);
      expect(presentedPassword('password\u0000other')).to.equal(null);
      for (const c of CONTROL_CHARACTERS) expect(presentedPassword(`correct horse${c}`), hex(c)).to.equal(null);
    });

    it('is null with a lone surrogate', () => {
      expect(presentedPassword('abcdefgh\ud800')).to.equal(null);
    });
  });
});
