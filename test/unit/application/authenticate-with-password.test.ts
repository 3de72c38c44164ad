import { expect } from 'chai';
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

  it('never matches a password over 72 bytes, even when its first 72 bytes are the password', async () => {
    const password = 'p'.repeat(72);
    const user = await auth.register.execute({ email: 'long@example.com', password });
    const longer = `${password}-and-more`;
    // bcrypt alone sees only 72 bytes and would accept it: the use case must refuse it.
    expect(await hasher.verify(longer, user.passwordHash)).to.equal(true);

    await expectCode(auth.login.execute({ clientIp: '192.0.2.1', email: 'long@example.com', password: longer }), 'INVALID_CREDENTIALS');
    expect(await auth.login.execute({ clientIp: '192.0.2.1', email: 'long@example.com', password })).to.deep.equal({ userId: user.id });
  });

  it('never matches a multibyte password over 72 bytes whose first 72 bytes are the password', async () => {
    const password = '€'.repeat(24); // 3 bytes each: exactly 72
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
