import { expect } from 'chai';
import { ZxcvbnCommonPasswordList } from '../../../src/adapters/passwords/zxcvbn-common-password-list.js';
import { parseEmail } from '../../../src/domain/email.js';
import { PasswordTooWeakError } from '../../../src/domain/errors.js';
import { parseNewPassword } from '../../../src/domain/password.js';
import { PasswordStrength } from '../../../src/domain/password-strength.js';

const list = new ZxcvbnCommonPasswordList();
const strength = new PasswordStrength(list, 'Acme Auth');
const weakness = (password: string, email: string | null = 'ada.lovelace@example.com') =>
  strength.weakness(parseNewPassword(password), email === null ? null : parseEmail(email));

describe('domain: PasswordStrength (PASSWORD_TOO_WEAK)', () => {
  it('passes a password that is none of these', () => {
    expect(weakness('correct horse battery')).to.equal(null);
    expect(weakness('Tr0ub4dor&3 but longer')).to.equal(null);
  });

  describe('common: among the 10,000 most common passwords, case-insensitively', () => {
    for (const password of ['password', '12345678', 'qwertyuiop', 'iloveyou', 'baseball', 'football', 'password1', 'sunshine']) {
      it(`refuses ${JSON.stringify(password)}`, () => {
        expect(weakness(password)).to.equal('common');
      });
    }

    for (const password of ['PASSWORD', 'Password', 'pAsSwOrD', 'QwErTyUiOp', 'ILOVEYOU']) {
      it(`refuses ${JSON.stringify(password)} in any case`, () => {
        expect(weakness(password)).to.equal('common');
      });
    }

    it('refuses the last settable password among the first 10,000 entries and passes the next one after them', async () => {
      const { dictionary } = await import('@zxcvbn-ts/language-common');
      const ranked = dictionary['passwords-common'];
      const top = new Set(ranked.slice(0, 10_000));
      // Settable: 8 code points at least, and not one repeated character (that reason would answer first).
      const settable = (p: string) => [...p].length >= 8 && new Set(p).size > 1;
      const last = ranked.slice(0, 10_000).reverse().find(settable)!;
      const next = ranked.slice(10_000).find((p) => settable(p) && !top.has(p))!;

      expect(weakness(last)).to.equal('common');
      expect(weakness(next)).to.equal(null);
    });

    it('does not refuse a common password with something added (the list is exact, not a substring search)', () => {
      expect(weakness('password-for-ada-only')).to.equal(null);
    });
  });

  describe('email: the email, in any of its forms, or its local part, case-insensitively', () => {
    it('refuses the email itself, in any case', () => {
      expect(weakness('ada.lovelace@example.com')).to.equal('email');
      expect(weakness('Ada.Lovelace@Example.COM')).to.equal('email');
    });

    it('refuses the local part, in any case', () => {
      expect(weakness('ada.lovelace')).to.equal('email');
      expect(weakness('ADA.LOVELACE')).to.equal('email');
    });

    it('refuses the email with its domain in Unicode or punycode, NFC or NFD, whichever was registered', () => {
      const email = 'j\u00fcrgen.m\u00fcller@b\u00fccher.de';
      expect(weakness('j\u00fcrgen.m\u00fcller@b\u00fccher.de', email)).to.equal('email');
      expect(weakness('J\u00dcRGEN.M\u00dcLLER@XN--BCHER-KVA.DE', email)).to.equal('email');
      expect(weakness('ju\u0308rgen.mu\u0308ller@bu\u0308cher.de', email)).to.equal('email');
      expect(weakness('ju\u0308rgen.mu\u0308ller', email)).to.equal('email');
    });

    it('passes the email of someone else, and any password when the account has no email', () => {
      expect(weakness('grace.hopper@example.com')).to.equal(null);
      expect(weakness('ada.lovelace@example.com', null)).to.equal(null);
    });
  });

  describe('app_name: APP_NAME, case-insensitively', () => {
    it('refuses the product name in any case', () => {
      expect(weakness('Acme Auth')).to.equal('app_name');
      expect(weakness('acme auth')).to.equal('app_name');
      expect(weakness('ACME AUTH')).to.equal('app_name');
    });

    it('passes the name with more to it', () => {
      expect(weakness('Acme Auth is great')).to.equal(null);
    });

    it('uses the configured name (default auth-api)', () => {
      const other = new PasswordStrength(list, 'auth-api');
      expect(other.weakness(parseNewPassword('AUTH-API'), null)).to.equal('app_name');
      expect(other.weakness(parseNewPassword('Acme Auth'), null)).to.equal(null);
    });
  });

  describe('repeated: one character repeated', () => {
    for (const password of ['zzzzzzzzz', '        ', '\u{1f600}'.repeat(8), '\u00e9'.repeat(10), 'e\u0301'.repeat(8), '\u6f22'.repeat(9)]) {
      it(`refuses ${JSON.stringify(password)}`, () => {
        expect(weakness(password)).to.equal('repeated');
      });
    }

    it('refuses one letter in mixed case (case-insensitively)', () => {
      expect(weakness('zZzZzZzZ')).to.equal('repeated');
    });

    it('passes two characters alternating', () => {
      expect(weakness('zyzyzyzyzy')).to.equal(null);
    });
  });

  it('throws PasswordTooWeakError with the reason and the field', () => {
    try {
      strength.assertStrong(parseNewPassword('Password'), null, 'newPassword');
      expect.fail('expected PasswordTooWeakError');
    } catch (err) {
      expect(err).to.be.instanceOf(PasswordTooWeakError);
      expect(err).to.include({ code: 'PASSWORD_TOO_WEAK', reason: 'common', field: 'newPassword' });
      expect((err as PasswordTooWeakError).errors).to.deep.equal([{ field: 'newPassword', message: 'is among the 10,000 most common passwords' }]);
    }
  });
});
