import { expect } from 'chai';
import { parseEmail } from '../../../src/domain/email.js';
import type { NewPassword } from '../../../src/domain/password.js';
import { buildAuth, expectCode, GOOD_PASSWORD, hasher, userWithoutPassword, type Auth } from './harness.js';

describe('AuthenticateWithPassword', () => {
  let auth: Auth;
  let userId: string;
  beforeEach(async () => {
    auth = buildAuth();
    userId = (await auth.register.execute({ email: 'alice@example.com', password: GOOD_PASSWORD })).id;
  });

  it('answers the principal of the user whose password is right', async () => {
    const principal = await auth.login.execute({ clientIp: '192.0.2.1', email: 'alice@example.com', password: GOOD_PASSWORD });

    expect(principal).to.deep.equal({ userId });
  });

  it('matches the email case-insensitively and ignores surrounding whitespace', async () => {
    const principal = await auth.login.execute({ clientIp: '192.0.2.1', email: '  ALICE@Example.com ', password: GOOD_PASSWORD });

    expect(principal.userId).to.equal(userId);
  });

  it('refuses a wrong password with INVALID_CREDENTIALS', async () => {
    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'alice@example.com', password: 'wrong horse battery' }), 'INVALID_CREDENTIALS');
  });

  it('refuses a password that differs only in case', async () => {
    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'alice@example.com', password: GOOD_PASSWORD.toUpperCase() }), 'INVALID_CREDENTIALS');
  });

  it('answers an unknown email exactly as a wrong password (no account enumeration)', async () => {
    const unknown = await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'nobody@example.com', password: GOOD_PASSWORD }), 'INVALID_CREDENTIALS');
    const wrong = await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'alice@example.com', password: 'wrong horse battery' }), 'INVALID_CREDENTIALS');

    expect(unknown.constructor).to.equal(wrong.constructor);
    expect(unknown.message).to.equal(wrong.message);
  });

  it('answers a malformed email with INVALID_CREDENTIALS, not a validation error', async () => {
    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'not an email', password: GOOD_PASSWORD }), 'INVALID_CREDENTIALS');
    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: '', password: GOOD_PASSWORD }), 'INVALID_CREDENTIALS');
  });

  it('finds an account registered with an IDN domain by either form, and an NFD address by its NFC form', async () => {
    const anna = await auth.register.execute({ email: 'Anna@B\u00fccher.de', password: GOOD_PASSWORD });
    const jose = await auth.register.execute({ email: 'jose\u0301@example.com', password: GOOD_PASSWORD });

    for (const email of ['anna@b\u00fccher.de', 'anna@xn--bcher-kva.de', 'ANNA@XN--BCHER-KVA.DE', 'anna@bu\u0308cher.de']) {
      expect(await auth.login.execute({ clientIp: '192.0.2.1', email, password: GOOD_PASSWORD }), email).to.deep.equal({ userId: anna.id });
    }
    expect(await auth.login.execute({ clientIp: '192.0.2.1', email: 'JOS\u00c9@example.com', password: GOOD_PASSWORD })).to.deep.equal({ userId: jose.id });
  });

  it('counts failures under the normalised address: switching between its forms does not dodge the throttle', async () => {
    const throttled = buildAuth({}, { maxFailures: 3, windowSeconds: 60, ipMaxFailures: 100 });
    await throttled.register.execute({ email: 'anna@b\u00fccher.de', password: GOOD_PASSWORD });
    for (const email of ['anna@b\u00fccher.de', 'ANNA@XN--BCHER-KVA.DE', 'anna@bu\u0308cher.de']) {
      await expectCode(throttled.login.execute({ clientIp: '192.0.2.1', email, password: 'not the password' }), 'INVALID_CREDENTIALS');
    }
    await expectCode(throttled.login.execute({ clientIp: '192.0.2.1', email: 'anna@xn--bcher-kva.de', password: GOOD_PASSWORD }), 'TOO_MANY_ATTEMPTS');
  });

  it('answers an email with an invisible or control character with INVALID_CREDENTIALS, never the account without it', async () => {
    for (const email of ['ali\u200bce@example.com', '\ufeffalice@example.com', 'alice@example.com\u0000', 'alice\u202e@example.com']) {
      await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email, password: GOOD_PASSWORD }), 'INVALID_CREDENTIALS');
    }
  });

  it('signs in with the password typed in NFD when it was set in NFC', async () => {
    await auth.register.execute({ email: 'creme@example.com', password: 'cr\u00e8me br\u00fbl\u00e9e' });
    expect(await auth.login.execute({ clientIp: '192.0.2.1', email: 'creme@example.com', password: 'cre\u0300me bru\u0302le\u0301e' })).to.have.property('userId');
  });

  it('keeps an old password working that the new rules would refuse (short, common, its own email)', async () => {
    for (const [email, password] of [['old1@example.com', 'abc'], ['old2@example.com', 'password'], ['old3@example.com', 'old3@example.com']] as const) {
      const user = await auth.users.create({ id: `legacy-${email}`, email: parseEmail(email), name: null, passwordHash: await hasher.hash(password as NewPassword), emailVerified: false, roles: [], disabled: false, lastSignInAt: null, createdAt: new Date() });
      expect(await auth.login.execute({ clientIp: '192.0.2.1', email, password })).to.deep.equal({ userId: user.id });
    }
  });

  it('never signs in with a NUL-bearing password, not even an account whose stored password was eight NULs', async () => {
    const legacy = await auth.users.create({ id: 'legacy-nul', email: parseEmail('nul@example.com'), name: null, passwordHash: await hasher.hash('\u0000'.repeat(8) as NewPassword), emailVerified: false, roles: [], disabled: false, lastSignInAt: null, createdAt: new Date() });
    expect(await hasher.verify('\u0000', legacy.passwordHash)).to.equal(true); // what bcrypt alone would allow

    for (const password of ['\u0000', '\u0000'.repeat(8), '']) {
      await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'nul@example.com', password }), 'INVALID_CREDENTIALS');
    }
    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'alice@example.com', password: `${GOOD_PASSWORD}\u0000` }), 'INVALID_CREDENTIALS');
  });

  it('never matches a password over 72 bytes, even when its first 72 bytes are the password', async () => {
    const password = 'correct horse battery staple '.repeat(3).slice(0, 72);
    const user = await auth.register.execute({ email: 'long@example.com', password });
    const longer = `${password}-and-more`;
    // bcrypt alone sees only 72 bytes and would accept it: the use case must refuse it.
    expect(await hasher.verify(longer, user.passwordHash)).to.equal(true);

    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'long@example.com', password: longer }), 'INVALID_CREDENTIALS');
    expect(await auth.login.execute({ clientIp: '192.0.2.1', email: 'long@example.com', password })).to.deep.equal({ userId: user.id });
  });

  it('never matches a multibyte password over 72 bytes whose first 72 bytes are the password', async () => {
    const password = '€₤'.repeat(12); // 3 bytes each: exactly 72
    const user = await auth.register.execute({ email: 'euro@example.com', password });
    expect(await hasher.verify(`${password}€`, user.passwordHash)).to.equal(true);

    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'euro@example.com', password: `${password}€` }), 'INVALID_CREDENTIALS');
  });

  it('never signs in an account that has no password (GitHub-only), whatever is presented', async () => {
    await auth.users.create(userWithoutPassword('octo@example.com'));

    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'octo@example.com', password: GOOD_PASSWORD }), 'INVALID_CREDENTIALS');
    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'octo@example.com', password: '' }), 'INVALID_CREDENTIALS');
  });

  it('answers each user with their own principal', async () => {
    const bob = await auth.register.execute({ email: 'bob@example.com', password: 'bob password 123' });

    expect(await auth.login.execute({ clientIp: '192.0.2.1', email: 'bob@example.com', password: 'bob password 123' })).to.deep.equal({ userId: bob.id });
    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'bob@example.com', password: GOOD_PASSWORD }), 'INVALID_CREDENTIALS');
  });
});
