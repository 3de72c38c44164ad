import { NO_MFA } from '../../../src/domain/mfa.js';
import { expect } from 'chai';
import { parseEmail, type Email } from '../../../src/domain/email.js';
import type { ValidationFailedError } from '../../../src/domain/errors.js';
import { buildAuth, expectCode, GOOD_PASSWORD, hasher, type Auth } from './harness.js';

const fieldsOf = (error: unknown) => (error as ValidationFailedError).errors.map((e) => e.field);

describe('RegisterUser', () => {
  let auth: Auth;
  beforeEach(() => {
    auth = buildAuth();
  });

  describe('email', () => {
    it('stores the email trimmed and lower-cased', async () => {
      const user = await auth.register.execute({ email: '  Alice.Smith@Example.COM \t', password: GOOD_PASSWORD });

      expect(user.email).to.equal('alice.smith@example.com');
      const stored = await auth.users.findByEmail('alice.smith@example.com' as Email);
      expect(stored?.id).to.equal(user.id);
    });

    it('refuses an email already registered, whatever its case and surrounding spaces', async () => {
      await auth.register.execute({ email: 'bob@example.com', password: GOOD_PASSWORD });

      await expectCode(auth.register.execute({ email: '  BOB@Example.Com ', password: 'another password' }), 'EMAIL_ALREADY_REGISTERED');
    });

    it('refuses an email already registered in upper case when the new one is lower case', async () => {
      await auth.register.execute({ email: 'CAROL@EXAMPLE.COM', password: GOOD_PASSWORD });

      await expectCode(auth.register.execute({ email: 'carol@example.com', password: GOOD_PASSWORD }), 'EMAIL_ALREADY_REGISTERED');
    });

    it('accepts 254 characters once surrounding whitespace is trimmed, and refuses 255', async () => {
      const local = 'a'.repeat(254 - '@example.com'.length);
      const user = await auth.register.execute({ email: `   ${local}@example.com   `, password: GOOD_PASSWORD });
      expect(user.email).to.have.length(254);

      const error = await expectCode(auth.register.execute({ email: `a${local}@example.com`, password: GOOD_PASSWORD }), 'VALIDATION_FAILED');
      expect(fieldsOf(error)).to.deep.equal(['email']);
    });

    for (const email of ['', '   ', 'not-an-email', 'two@@example.com', 'no-dot@localhost', 'space inside@example.com']) {
      it(`refuses ${JSON.stringify(email)} as the email field`, async () => {
        const error = await expectCode(auth.register.execute({ email, password: GOOD_PASSWORD }), 'VALIDATION_FAILED');
        expect(fieldsOf(error)).to.deep.equal(['email']);
      });
    }
  });

  describe('validation', () => {
    it('lists every failing field at once: email, password and name', async () => {
      const error = await expectCode(
        auth.register.execute({ email: 'nope', password: 'short', name: 'n'.repeat(101) }),
        'VALIDATION_FAILED',
      );

      expect(fieldsOf(error)).to.have.members(['email', 'password', 'name']).and.to.have.length(3);
      for (const problem of (error as ValidationFailedError).errors) expect(problem.message).to.be.a('string').and.not.be.empty;
    });

    it('stores nothing when validation fails', async () => {
      await expectCode(auth.register.execute({ email: 'dave@example.com', password: 'short' }), 'VALIDATION_FAILED');

      expect(await auth.users.findByEmail('dave@example.com' as Email)).to.equal(null);
    });

    it('names only the failing field', async () => {
      const error = await expectCode(auth.register.execute({ email: 'erin@example.com', password: 'x'.repeat(73) }), 'VALIDATION_FAILED');

      expect(fieldsOf(error)).to.deep.equal(['password']);
    });
  });

  describe('password', () => {
    it('refuses 7 characters and accepts 8', async () => {
      const error = await expectCode(auth.register.execute({ email: 'p7@example.com', password: '1234567' }), 'VALIDATION_FAILED');
      expect(fieldsOf(error)).to.deep.equal(['password']);

      const user = await auth.register.execute({ email: 'p8@example.com', password: 'k7#Lm2!q' });
      expect(user.passwordHash).to.be.a('string');
    });

    it('counts code points, not UTF-16 units: 7 emoji are too short, 8 are enough', async () => {
      const sevenEmoji = '😀'.repeat(7); // 14 UTF-16 units
      await expectCode(auth.register.execute({ email: 'e7@example.com', password: sevenEmoji }), 'VALIDATION_FAILED');

      await auth.register.execute({ email: 'e8@example.com', password: '😀😁'.repeat(4) });
      expect(await auth.login.execute({ clientIp: '192.0.2.1', email: 'e8@example.com', password: '😀😁'.repeat(4) })).to.have.property('userId');
    });

    it('accepts exactly 72 bytes of UTF-8 and refuses 73, never truncating', async () => {
      const seventyTwo = 'éè'.repeat(18); // 2 bytes each
      await auth.register.execute({ email: 'b72@example.com', password: seventyTwo });

      const error = await expectCode(auth.register.execute({ email: 'b73@example.com', password: `${seventyTwo}a` }), 'VALIDATION_FAILED');
      expect(fieldsOf(error)).to.deep.equal(['password']);
      expect(await auth.users.findByEmail('b73@example.com' as Email)).to.equal(null);
    });

    it('refuses a password of few characters but more than 72 bytes (19 emoji are 76 bytes)', async () => {
      const error = await expectCode(auth.register.execute({ email: 'emoji@example.com', password: '😀'.repeat(19) }), 'VALIDATION_FAILED');

      expect(fieldsOf(error)).to.deep.equal(['password']);
    });

    it('never trims: surrounding spaces are part of the password', async () => {
      await auth.register.execute({ email: 'spaces@example.com', password: '  padded password  ' });

      expect(await auth.login.execute({ clientIp: '192.0.2.1', email: 'spaces@example.com', password: '  padded password  ' })).to.have.property('userId');
      await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'spaces@example.com', password: 'padded password' }), 'INVALID_CREDENTIALS');
    });

    it('counts surrounding spaces toward the minimum length', async () => {
      const user = await auth.register.execute({ email: 'pad@example.com', password: ' abcdef ' });

      expect(user.id).to.be.a('string');
      await expectCode(auth.register.execute({ email: 'pad2@example.com', password: ' abcde ' }), 'VALIDATION_FAILED');
    });

    it('stores a bcrypt hash, never the password', async () => {
      const password = 'my very own password';
      const user = await auth.register.execute({ email: 'hash@example.com', password });
      const stored = await auth.users.findById(user.id);

      expect(stored?.passwordHash).to.match(/^\$2[aby]\$04\$[./A-Za-z0-9]{53}$/);
      expect(stored?.passwordHash).not.to.include(password);
      expect(JSON.stringify(stored)).not.to.include(password);
      expect(await hasher.verify(password, stored?.passwordHash ?? null)).to.equal(true);
    });

    it('salts each hash: the same password gives two different hashes', async () => {
      const a = await auth.register.execute({ email: 'salt-a@example.com', password: GOOD_PASSWORD });
      const b = await auth.register.execute({ email: 'salt-b@example.com', password: GOOD_PASSWORD });

      expect(a.passwordHash).not.to.equal(b.passwordHash);
    });
  });

  describe('name', () => {
    it('is optional and stored as null when absent', async () => {
      const user = await auth.register.execute({ email: 'noname@example.com', password: GOOD_PASSWORD });

      expect(user.name).to.equal(null);
    });

    it('accepts 100 code points (even 100 emoji, 200 UTF-16 units) and refuses 101', async () => {
      const user = await auth.register.execute({ email: 'n100@example.com', password: GOOD_PASSWORD, name: '😀'.repeat(100) });
      expect(user.name).to.equal('😀'.repeat(100));

      const error = await expectCode(
        auth.register.execute({ email: 'n101@example.com', password: GOOD_PASSWORD, name: 'n'.repeat(101) }),
        'VALIDATION_FAILED',
      );
      expect(fieldsOf(error)).to.deep.equal(['name']);
    });
  });

  describe('Unicode emails (docs/http-api.md: NFC, lower-cased, IDNA ASCII domain)', () => {
    it('refuses the NFD form of an address registered in NFC, and the other way round', async () => {
      await auth.register.execute({ email: 'jos\u00e9@example.com', password: GOOD_PASSWORD });
      await expectCode(auth.register.execute({ email: 'jose\u0301@example.com', password: GOOD_PASSWORD }), 'EMAIL_ALREADY_REGISTERED');

      await auth.register.execute({ email: 'rene\u0301@example.com', password: GOOD_PASSWORD });
      await expectCode(auth.register.execute({ email: 'REN\u00c9@example.com', password: GOOD_PASSWORD }), 'EMAIL_ALREADY_REGISTERED');
    });

    it('stores an IDN domain in ASCII and refuses it again in punycode, and the other way round', async () => {
      const user = await auth.register.execute({ email: 'anna@b\u00fccher.de', password: GOOD_PASSWORD });
      expect(user.email).to.equal('anna@xn--bcher-kva.de');
      await expectCode(auth.register.execute({ email: 'anna@xn--bcher-kva.de', password: GOOD_PASSWORD }), 'EMAIL_ALREADY_REGISTERED');

      await auth.register.execute({ email: 'otto@xn--mnchen-3ya.de', password: GOOD_PASSWORD });
      await expectCode(auth.register.execute({ email: 'OTTO@M\u00dcNCHEN.DE', password: GOOD_PASSWORD }), 'EMAIL_ALREADY_REGISTERED');
    });

    it('signs in with either form of the address, and with the password in NFD', async () => {
      const user = await auth.register.execute({ email: 'anna@b\u00fccher.de', password: 'cr\u00e8me br\u00fbl\u00e9e' });

      for (const email of ['anna@b\u00fccher.de', 'anna@xn--bcher-kva.de', ' ANNA@BU\u0308CHER.DE ']) {
        for (const password of ['cr\u00e8me br\u00fbl\u00e9e', 'cre\u0300me bru\u0302le\u0301e']) {
          expect(await auth.login.execute({ clientIp: '192.0.2.1', email, password }), `${email} / ${password}`).to.deep.equal({ userId: user.id });
        }
      }
    });

    for (const [label, email] of [
      ['a zero width space', 'ali\u200bce@example.com'],
      ['a right-to-left override', '\u202emoc.elpmaxe@ecila'],
      ['a BOM at the start', '\ufeffalice@example.com'],
      ['a NUL at the end', 'alice@example.com\u0000'],
      ['an ESC', 'alice\u001b@example.com'],
      ['a DEL', 'alice\u007f@example.com'],
      ['a C1 control', 'alice\u0085@example.com'],
    ]) {
      it(`refuses an email with ${label} with VALIDATION_FAILED and stores nothing`, async () => {
        const error = await expectCode(auth.register.execute({ email: email!, password: GOOD_PASSWORD }), 'VALIDATION_FAILED');
        expect(fieldsOf(error)).to.deep.equal(['email']);
        expect(await auth.users.findByEmail(parseEmail('alice@example.com'))).to.equal(null);
      });
    }
  });

  describe('passwords with control characters (bcrypt stops at NUL)', () => {
    it('refuses eight NULs, and a password with a NUL inside, with VALIDATION_FAILED naming password', async () => {
      for (const password of ['\u0000'.repeat(8), 'password\u0000first', 'tab\there password', 'new\nline password']) {
        const error = await expectCode(auth.register.execute({ email: 'nul@example.com', password }), 'VALIDATION_FAILED');
        expect(fieldsOf(error)).to.deep.equal(['password']);
      }
      expect(await auth.users.findByEmail(parseEmail('nul@example.com'))).to.equal(null);
    });

    it('stores the password in NFC', async () => {
      const user = await auth.register.execute({ email: 'nfc@example.com', password: 'cre\u0300me bru\u0302le\u0301e' });
      expect(await hasher.verify('cr\u00e8me br\u00fbl\u00e9e', user.passwordHash)).to.equal(true);
    });
  });

  describe('weak passwords: PASSWORD_TOO_WEAK with a reason', () => {
    for (const [password, reason] of [
      ['password', 'common'],
      ['PASSWORD', 'common'],
      ['12345678', 'common'],
      ['iloveyou', 'common'],
      ['weak.person@example.com', 'email'],
      ['Weak.Person@EXAMPLE.com', 'email'],
      ['weak.person', 'email'],
      ['WEAK.PERSON', 'email'],
      ['auth-api', 'app_name'],
      ['Auth-API', 'app_name'],
      ['aaaaaaaa', 'repeated'],
      ['\u{1f600}'.repeat(8), 'repeated'],
    ] as const) {
      it(`refuses ${JSON.stringify(password)} (${reason}) and stores nothing`, async () => {
        const error = await expectCode(auth.register.execute({ email: 'weak.person@example.com', password }), 'PASSWORD_TOO_WEAK');

        expect(error).to.include({ reason, field: 'password' });
        expect(await auth.users.findByEmail(parseEmail('weak.person@example.com'))).to.equal(null);
      });
    }

    it('refuses the email as its own password with the domain in the other IDNA form', async () => {
      const error = await expectCode(auth.register.execute({ email: 'anna@xn--bcher-kva.de', password: 'anna@b\u00fccher.de' }), 'PASSWORD_TOO_WEAK');
      expect(error).to.include({ reason: 'email' });
    });

    it('answers VALIDATION_FAILED for every invalid field first, even when the password is also weak', async () => {
      const error = await expectCode(auth.register.execute({ email: 'nope', password: 'password', name: 'Ada\r\nLovelace' }), 'VALIDATION_FAILED');
      expect(fieldsOf(error)).to.have.members(['email', 'name']).and.to.have.length(2);
    });

    it('answers PASSWORD_TOO_WEAK before EMAIL_ALREADY_REGISTERED (the weak check needs no account lookup)', async () => {
      await auth.register.execute({ email: 'taken@example.com', password: GOOD_PASSWORD });
      await expectCode(auth.register.execute({ email: 'taken@example.com', password: 'password' }), 'PASSWORD_TOO_WEAK');
    });
  });

  describe('names with control or format characters', () => {
    for (const name of ['Ada\r\nLovelace', 'Ada\u001b[31m', '\u202eecalevoL adA', 'Ada\u200b', 'Ada\u0000']) {
      it(`refuses ${JSON.stringify(name)} with VALIDATION_FAILED naming name`, async () => {
        const error = await expectCode(auth.register.execute({ email: 'named@example.com', password: GOOD_PASSWORD, name }), 'VALIDATION_FAILED');
        expect(fieldsOf(error)).to.deep.equal(['name']);
        expect(await auth.users.findByEmail(parseEmail('named@example.com'))).to.equal(null);
      });
    }
  });

  it('creates the user with a fresh id, the clock time, and no GitHub login', async () => {
    auth.clock.set('2026-03-04T05:06:07.000Z');
    const a = await auth.register.execute({ email: 'frank@example.com', password: GOOD_PASSWORD, name: 'Frank' });
    const b = await auth.register.execute({ email: 'grace@example.com', password: GOOD_PASSWORD });

    expect(a).to.include({ email: 'frank@example.com', name: 'Frank', githubLogin: null });
    expect(a.mfa).to.deep.equal(NO_MFA);
    expect(a.createdAt.toISOString()).to.equal('2026-03-04T05:06:07.000Z');
    expect(a.id).to.be.a('string').and.not.equal(b.id);
    expect((await auth.users.findById(a.id))?.email).to.equal('frank@example.com');
  });
});
