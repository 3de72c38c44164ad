import { expect } from 'chai';
import type { TestApp } from '../support/app.js';
import { appDatabase, DATABASE_BACKENDS } from '../support/backends.js';
import { bearer, call, GOOD_PASSWORD, uniqueEmail } from '../support/http.js';
import { basic, expectProblem, expectTokenAnswer, expectValidationFailed, login, NO_THROTTLE, type Problem } from './helpers.js';

/** A fresh local part, for addresses on domains of the test's choosing. */
const uniqueLocal = (prefix: string) => uniqueEmail(prefix).split('@')[0]!;

interface WeakProblem extends Problem {
  reason: string;
}

/**
 * docs/http-api.md, Conventions: the rules of emails, passwords and names, tried from outside as the review
 * did, on every database the service runs on (the unique index and the stored bytes are theirs).
 */
for (const backend of DATABASE_BACKENDS) {
  describe(`input rules on ${backend.name}`, function () {
    this.timeout(20_000);

    let app: TestApp;
    let stop: () => Promise<void>;
    before(async function () {
      if (!(await backend.available())) this.skip();
      ({ app, stop } = await backend.start({ env: { ...NO_THROTTLE, APP_NAME: 'Acme Auth' } }));
    });
    after(async () => {
      if (stop) await stop();
    });

    const register = (json: unknown) => call(app.url, 'POST', '/auth/register', { json });
    const changePassword = (accessToken: string, json: unknown) => call(app.url, 'POST', '/auth/password', { json, headers: bearer(accessToken) });
    /** The row as the database holds it: what every store sees. */
    const storedRow = (id: string) => appDatabase(app)('users').where({ id }).first('email', 'name', 'password_hash') as Promise<{ email: string | null; name: string | null; password_hash: string }>;
    const usersWithEmailLike = async (pattern: string) => ((await appDatabase(app)('users').where('email', 'like', pattern).count({ n: '*' })) as Array<{ n: number | string }>).map((r) => Number(r.n))[0];

    function expectWeak(res: Awaited<ReturnType<typeof call>>, reason: string, field = 'password'): WeakProblem {
      const body = expectProblem(res, 400, 'PASSWORD_TOO_WEAK') as WeakProblem;
      expect(body.reason).to.equal(reason);
      expect(body.errors).to.deep.equal([{ field, message: body.errors?.[0]?.message }]);
      expect(body.errors?.[0]?.message).to.be.a('string').and.not.equal('');
      expect(body.type).to.equal('urn:problem:auth-api:password-too-weak');
      return body;
    }

    describe('emails: one address, one account', () => {
      it('answers 409 to the NFD form of an address registered in NFC, and to the NFC form of one registered in NFD', async () => {
        const a = uniqueLocal('jos\u00e9');
        const reg = expectTokenAnswer(await register({ email: `${a}@example.com`, password: GOOD_PASSWORD }), 201);
        expectProblem(await register({ email: `${a.normalize('NFD')}@example.com`, password: GOOD_PASSWORD }), 409, 'EMAIL_ALREADY_REGISTERED');
        expect((await storedRow(reg.user.id)).email).to.equal(`${a}@example.com`.normalize('NFC'));

        const b = uniqueLocal('rene\u0301');
        expectTokenAnswer(await register({ email: `${b}@example.com`, password: GOOD_PASSWORD }), 201);
        expectProblem(await register({ email: `${b.normalize('NFC').toUpperCase()}@EXAMPLE.COM`, password: GOOD_PASSWORD }), 409, 'EMAIL_ALREADY_REGISTERED');
      });

      it('stores a Unicode domain in punycode and answers 409 to it in punycode; and the other way round', async () => {
        const a = uniqueLocal('anna');
        const reg = expectTokenAnswer(await register({ email: `${a}@b\u00fccher.de`, password: GOOD_PASSWORD }), 201);
        expect(reg.user.email).to.equal(`${a}@xn--bcher-kva.de`);
        expect((await storedRow(reg.user.id)).email).to.equal(`${a}@xn--bcher-kva.de`);
        expectProblem(await register({ email: `${a}@xn--bcher-kva.de`, password: GOOD_PASSWORD }), 409, 'EMAIL_ALREADY_REGISTERED');
        expectProblem(await register({ email: `${a.toUpperCase()}@XN--BCHER-KVA.DE`, password: GOOD_PASSWORD }), 409, 'EMAIL_ALREADY_REGISTERED');
        expectProblem(await register({ email: `${a}@bu\u0308cher\u3002de`, password: GOOD_PASSWORD }), 409, 'EMAIL_ALREADY_REGISTERED');

        const b = uniqueLocal('otto');
        expectTokenAnswer(await register({ email: `${b}@xn--mnchen-3ya.de`, password: GOOD_PASSWORD }), 201);
        expectProblem(await register({ email: `${b}@M\u00dcNCHEN.de`, password: GOOD_PASSWORD }), 409, 'EMAIL_ALREADY_REGISTERED');
        expect(await usersWithEmailLike(`${b}@%`)).to.equal(1);
      });

      it('signs in with either form of the address, by JSON body and by Basic header, and with the password typed in NFD', async () => {
        const a = uniqueLocal('grete');
        const password = 'cr\u00e8me br\u00fbl\u00e9e au caf\u00e9';
        const reg = expectTokenAnswer(await register({ email: `${a}@b\u00fccher.de`, password }), 201);

        for (const email of [`${a}@b\u00fccher.de`, `${a}@xn--bcher-kva.de`, `  ${a.toUpperCase()}@BU\u0308CHER.DE `]) {
          for (const typed of [password, password.normalize('NFD')]) {
            expect(expectTokenAnswer(await login(app.url, email, typed), 200).user.id, `${email} / ${typed === password ? 'NFC' : 'NFD'}`).to.equal(reg.user.id);
          }
        }
        expectTokenAnswer(await call(app.url, 'POST', '/auth/login', { headers: basic(`${a}@xn--bcher-kva.de`, password.normalize('NFD')) }), 200);
      });

      for (const [label, c] of [
        ['U+200B zero width space', '\u200b'],
        ['U+200E left-to-right mark', '\u200e'],
        ['U+202E right-to-left override', '\u202e'],
        ['U+FEFF byte order mark', '\ufeff'],
        ['U+00AD soft hyphen', '\u00ad'],
        ['U+2066 isolate', '\u2066'],
        ['NUL', '\u0000'],
        ['ESC', '\u001b'],
        ['DEL', '\u007f'],
        ['C1 U+0085', '\u0085'],
        ['C1 U+009B', '\u009b'],
      ]) {
        it(`answers 400 VALIDATION_FAILED (email) to an address with ${label} at either end or inside, and stores nothing`, async () => {
          const a = uniqueLocal('inv');
          for (const email of [`${c}${a}@example.com`, `${a}${c}@example.com`, `${a}@exa${c}mple.com`, `${a}@example.com${c}`]) {
            expectValidationFailed(await register({ email, password: GOOD_PASSWORD }), ['email']);
          }
          expect(await usersWithEmailLike(`%${a}%`)).to.equal(0);
        });
      }

      it('answers 400 to eight NULs as an email, and to CR/LF inside one', async () => {
        expectValidationFailed(await register({ email: '\u0000'.repeat(8), password: GOOD_PASSWORD }), ['email']);
        expectValidationFailed(await register({ email: `${uniqueLocal('crlf')}@example.com\r\nBcc: eve@example.com`, password: GOOD_PASSWORD }), ['email']);
      });

      it('answers 401 INVALID_CREDENTIALS, never a 400 or another account, to a login with an invisible character in the address', async () => {
        const email = uniqueEmail('victim');
        expectTokenAnswer(await register({ email, password: GOOD_PASSWORD }), 201);
        for (const variant of [`\u200b${email}`, `${email}\u0000`, `\ufeff${email}`, email.replace('@', '\u200d@')]) {
          expectProblem(await login(app.url, variant), 401, 'INVALID_CREDENTIALS');
        }
      });

      it('answers 400 to a domain URL would read as another host', async () => {
        for (const domain of ['evil.example/x.example.com', 'evil.example\\x.example.com', 'exa%6dple.com', 'evil.example?.example.com', '0x7f.1', 'example.com.']) {
          expectValidationFailed(await register({ email: `${uniqueLocal('dom')}@${domain}`, password: GOOD_PASSWORD }), ['email']);
        }
      });
    });

    describe('passwords', () => {
      it('answers 400 VALIDATION_FAILED (password) to eight NULs, and the account they would create signs in with nothing', async () => {
        const email = uniqueEmail('nul8');
        expectValidationFailed(await register({ email, password: '\u0000'.repeat(8) }), ['password']);
        expectProblem(await login(app.url, email, '\u0000'), 401, 'INVALID_CREDENTIALS');
        expect(await usersWithEmailLike(email)).to.equal(0);
      });

      it('answers 400 to a NUL, tab or newline anywhere in a new password', async () => {
        for (const password of ['password\u0000first', '\u0000correct horse', 'correct\thorse', 'correct horse\n']) {
          expectValidationFailed(await register({ email: uniqueEmail('ctl'), password }), ['password']);
        }
      });

      it('answers 401 INVALID_CREDENTIALS to a login whose password carries a NUL, even after the real password', async () => {
        const email = uniqueEmail('nullogin');
        expectTokenAnswer(await register({ email, password: GOOD_PASSWORD }), 201);
        expectProblem(await login(app.url, email, `${GOOD_PASSWORD}\u0000`), 401, 'INVALID_CREDENTIALS');
        expectProblem(await login(app.url, email, `${GOOD_PASSWORD}\u0000anything`), 401, 'INVALID_CREDENTIALS');
        expectProblem(await call(app.url, 'POST', '/auth/login', { headers: basic(email, '\u0000'.repeat(8)) }), 401, 'INVALID_CREDENTIALS');
        expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD), 200);
      });

      it('keeps the 72-byte limit on the NFC form: 36 é typed decomposed (108 bytes) register and sign in either way', async () => {
        const email = uniqueEmail('nfd72');
        const password = '\u00e9\u00e8'.repeat(18);
        expectTokenAnswer(await register({ email, password: password.normalize('NFD') }), 201);
        expectTokenAnswer(await login(app.url, email, password), 200);
        expectTokenAnswer(await login(app.url, email, password.normalize('NFD')), 200);
        expectValidationFailed(await register({ email: uniqueEmail('nfd73'), password: `${password}x`.normalize('NFD') }), ['password']);
      });

      for (const [password, reason] of [
        ['password', 'common'],
        ['PASSWORD', 'common'],
        ['12345678', 'common'],
        ['Qwertyuiop', 'common'],
        ['acme auth', 'app_name'],
        ['ACME AUTH', 'app_name'],
        ['zzzzzzzzzz', 'repeated'],
        ['\u{1f600}'.repeat(8), 'repeated'],
      ]) {
        it(`answers 400 PASSWORD_TOO_WEAK (${reason}) with the reason and the field to ${JSON.stringify(password)}, and creates nothing`, async () => {
          const email = uniqueEmail('weak');
          expectWeak(await register({ email, password }), reason!);
          expect(await usersWithEmailLike(email)).to.equal(0);
        });
      }

      it('answers PASSWORD_TOO_WEAK (email) to the email as the password, in any case and either IDNA form, and to its local part', async () => {
        const local = uniqueLocal('self.named');
        const email = `${local}@b\u00fccher.de`;
        for (const password of [email, email.toUpperCase(), `${local}@xn--bcher-kva.de`, local, local.toUpperCase()]) {
          expectWeak(await register({ email, password }), 'email');
        }
        expectTokenAnswer(await register({ email, password: GOOD_PASSWORD }), 201);
      });

      it('answers VALIDATION_FAILED naming every invalid field first, even when the password is also weak', async () => {
        const res = await register({ email: 'ali\u200bce@example.com', password: 'password', name: 'Ada\r\nLovelace' });
        const body = expectValidationFailed(res, ['email', 'name']);
        expect(body).not.to.have.property('reason');
      });

      it('answers a password change to a weak password with PASSWORD_TOO_WEAK naming newPassword, and changes nothing', async () => {
        const email = uniqueEmail('changer');
        const reg = expectTokenAnswer(await register({ email, password: GOOD_PASSWORD }), 201);
        const hashBefore = (await storedRow(reg.user.id)).password_hash;

        for (const [newPassword, reason] of [['password', 'common'], [email.toUpperCase(), 'email'], ['Acme Auth', 'app_name'], ['........', 'repeated']] as const) {
          expectWeak(await changePassword(reg.accessToken, { currentPassword: GOOD_PASSWORD, newPassword }), reason, 'newPassword');
        }
        // Weak before the current password is even checked: a wrong one changes nothing either.
        expectWeak(await changePassword(reg.accessToken, { currentPassword: 'not the password', newPassword: 'password' }), 'common', 'newPassword');

        expect((await storedRow(reg.user.id)).password_hash).to.equal(hashBefore);
        expect((await call(app.url, 'GET', '/auth/me', { headers: bearer(reg.accessToken) })).status, 'the session lives on').to.equal(200);
        expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD), 200);
      });

      it('answers a password change to a NUL-bearing password with 400 naming newPassword, and changes nothing', async () => {
        const email = uniqueEmail('nulchange');
        const reg = expectTokenAnswer(await register({ email, password: GOOD_PASSWORD }), 201);
        const hashBefore = (await storedRow(reg.user.id)).password_hash;

        for (const newPassword of ['\u0000'.repeat(8), 'a new passphrase\u0000', '\u0000a new passphrase']) {
          expectValidationFailed(await changePassword(reg.accessToken, { currentPassword: GOOD_PASSWORD, newPassword }), ['newPassword']);
        }

        expect((await storedRow(reg.user.id)).password_hash).to.equal(hashBefore);
        expect((await call(app.url, 'GET', '/auth/me', { headers: bearer(reg.accessToken) })).status).to.equal(200);
        expectProblem(await login(app.url, email, '\u0000'), 401, 'INVALID_CREDENTIALS');
        expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD), 200);
      });

      it('changes to a password given in NFD and signs in with it in NFC', async () => {
        const email = uniqueEmail('nfdchange');
        const reg = expectTokenAnswer(await register({ email, password: GOOD_PASSWORD }), 201);
        const next = 'na\u00efve caf\u00e9 cr\u00e8me';
        expectTokenAnswer(await changePassword(reg.accessToken, { currentPassword: GOOD_PASSWORD, newPassword: next.normalize('NFD') }), 200);
        expectTokenAnswer(await login(app.url, email, next), 200);
      });
    });

    describe('names', () => {
      for (const [label, name] of [
        ['CR/LF (a forged log line)', 'Ada\r\n{"level":30,"msg":"admin signed in"}'],
        ['ESC (a terminal escape)', '\u001b[2J\u001b[31mAda'],
        ['NUL', 'Ada\u0000'],
        ['U+202E', '\u202eecalevoL adA'],
        ['U+200B', 'Ada\u200bLovelace'],
        ['U+FEFF', '\ufeffAda'],
      ]) {
        it(`answers 400 VALIDATION_FAILED (name) to a name with ${label}, and creates nothing`, async () => {
          const email = uniqueEmail('named');
          expectValidationFailed(await register({ email, password: GOOD_PASSWORD, name }), ['name']);
          expect(await usersWithEmailLike(email)).to.equal(0);
        });
      }

      it('stores an acceptable name exactly as sent', async () => {
        const name = 'Zo\u00eb \u6f22\u5b57 \u00c5ngstr\u00f6m \u{1f984}';
        const reg = expectTokenAnswer(await register({ email: uniqueEmail('okname'), password: GOOD_PASSWORD, name }), 201);
        expect(reg.user.name).to.equal(name);
        expect((await storedRow(reg.user.id)).name).to.equal(name);
      });
    });

    it('answers every invalid field of one request at once: email, password and name', async () => {
      const res = await register({ email: '\ufeffx@example.com', password: '\u0000'.repeat(8), name: 'n'.repeat(101) });
      const body = expectValidationFailed(res, ['email', 'password', 'name']);
      expect(body.detail).to.be.a('string');
      expect(res.text).not.to.include('\u0000');
    });
  });
}
