import { expect } from 'chai';
import { ValidationFailedError } from '../../../src/domain/errors.js';
import { assertAcceptablePassword, fitsHasher, PASSWORD_MAX_BYTES, PASSWORD_MIN_CODE_POINTS, passwordProblem } from '../../../src/domain/password.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('domain: password', () => {
  it('documents the limits: 8 code points, 72 bytes', () => {
    expect(PASSWORD_MIN_CODE_POINTS).to.equal(8);
    expect(PASSWORD_MAX_BYTES).to.equal(72);
  });

  describe('passwordProblem: minimum length in code points', () => {
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

    it('counts code points, not graphemes: a decomposed é is two', () => {
      const decomposed = 'e\u0301'; // one visible character, two code points
      expect(passwordProblem(decomposed.repeat(4))).to.equal(null);
      expect(passwordProblem(decomposed.repeat(3))).to.be.a('string');
    });

    it('counts spaces and never trims them', () => {
      expect(passwordProblem(' '.repeat(8))).to.equal(null);
      expect(passwordProblem('  abcd  ')).to.equal(null);
      expect(passwordProblem('  abc  ')).to.be.a('string');
    });
  });

  describe('passwordProblem: maximum length in UTF-8 bytes', () => {
    it('accepts 72 ASCII bytes and refuses 73', () => {
      expect(passwordProblem('x'.repeat(72))).to.equal(null);
      expect(passwordProblem('x'.repeat(73))).to.be.a('string');
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

    it('refuses a ZWJ emoji sequence that looks like few characters but is many bytes', () => {
      const family = '👨‍👩‍👧‍👦'; // 7 code points, 25 bytes
      expect(passwordProblem(family)).to.be.a('string'); // too short in code points
      expect(passwordProblem(family.repeat(2))).to.equal(null); // 14 code points, 50 bytes
      expect(passwordProblem(family.repeat(3))).to.be.a('string'); // 75 bytes
    });
  });

  describe('fitsHasher', () => {
    it('is true up to 72 bytes and false beyond, whatever the characters', () => {
      expect(fitsHasher('x'.repeat(72))).to.equal(true);
      expect(fitsHasher('x'.repeat(73))).to.equal(false);
      expect(fitsHasher('😀'.repeat(18))).to.equal(true);
      expect(fitsHasher(`${'😀'.repeat(18)}x`)).to.equal(false);
    });

    it('is true for short passwords too (login does not judge the minimum length)', () => {
      expect(fitsHasher('')).to.equal(true);
      expect(fitsHasher('abc')).to.equal(true);
    });
  });

  describe('assertAcceptablePassword', () => {
    it('passes an acceptable password', () => {
      expect(() => assertAcceptablePassword('correct horse battery')).not.to.throw();
    });

    it('throws VALIDATION_FAILED naming the given field', () => {
      let error: unknown;
      try {
        assertAcceptablePassword('short', 'newPassword');
      } catch (e) {
        error = e;
      }

      expect(error).to.be.instanceOf(ValidationFailedError);
      expect((error as ValidationFailedError).errors.map((e) => e.field)).to.deep.equal(['newPassword']);
    });
  });
});
