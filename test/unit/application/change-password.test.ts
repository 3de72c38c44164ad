import { expect } from 'chai';
import type { SessionTokens } from '../../../src/application/sessions/session-token-minter.js';
import type { SessionPrincipal } from '../../../src/domain/principal.js';
import { buildAuth, expectCode, GOOD_PASSWORD, userWithoutPassword, type Auth } from './harness.js';

const NEW_PASSWORD = 'a brand new passphrase';
const IP = '192.0.2.10';

describe('ChangePassword', () => {
  let auth: Auth;
  let alice: SessionTokens;
  let principal: SessionPrincipal;
  beforeEach(async () => {
    auth = buildAuth({}, { maxFailures: 3, windowSeconds: 60, ipMaxFailures: 10 });
    alice = await auth.signUp('alice@example.com');
    principal = { userId: alice.user.id, sessionId: alice.sessionId };
  });

  const change = (currentPassword: string, newPassword = NEW_PASSWORD, clientIp = IP) =>
    auth.changePassword.execute({ principal, currentPassword, newPassword, clientIp, userAgent: 'Browser/9' });
  const logIn = (password: string, clientIp = IP) => auth.login.execute({ email: 'alice@example.com', password, clientIp });

  it('answers a new session for the same user, with working tokens and this client’s User-Agent', async () => {
    const tokens = await change(GOOD_PASSWORD);

    expect(tokens.user.id).to.equal(alice.user.id);
    expect(tokens.sessionId).to.not.equal(alice.sessionId);
    expect(await auth.authenticate(tokens.accessToken)).to.deep.equal({ userId: alice.user.id, sessionId: tokens.sessionId });
    expect((await auth.refresh(tokens.refreshToken)).sessionId).to.equal(tokens.sessionId);
    expect((await auth.session(tokens.sessionId))?.userAgent).to.equal('Browser/9');
  });

  it('ends every earlier session of the user at the current time, the one used included', async () => {
    const other = await auth.issueSession.execute({ amr: ['pwd'], userId: alice.user.id });
    auth.clock.advance(42);

    const tokens = await change(GOOD_PASSWORD);

    for (const ended of [alice, other]) {
      expect((await auth.session(ended.sessionId))?.endedAt?.getTime(), ended.sessionId).to.equal(auth.clock.now().getTime());
      await expectCode(auth.authenticate(ended.accessToken), 'INVALID_TOKEN');
      await expectCode(auth.refresh(ended.refreshToken), 'INVALID_TOKEN');
    }
    expect((await auth.session(tokens.sessionId))?.endedAt).to.equal(null);
  });

  it('leaves other users’ sessions alone', async () => {
    const bob = await auth.signUp('bob@example.com');
    await change(GOOD_PASSWORD);
    expect(await auth.authenticate(bob.accessToken)).to.have.property('sessionId', bob.sessionId);
  });

  it('stores a bcrypt hash of the new password: the new one logs in, the old one no longer does', async () => {
    await change(GOOD_PASSWORD);

    const stored = (await auth.users.findById(alice.user.id))?.passwordHash ?? '';
    expect(stored).to.match(/^\$2[aby]\$\d\d\$/);
    expect(stored).to.not.include(NEW_PASSWORD);
    expect(await logIn(NEW_PASSWORD)).to.deep.equal({ userId: alice.user.id });
    await expectCode(logIn(GOOD_PASSWORD), 'INVALID_CREDENTIALS');
  });

  it('refuses a wrong current password with INVALID_CREDENTIALS and changes nothing', async () => {
    const before = (await auth.users.findById(alice.user.id))?.passwordHash;

    await expectCode(change('not the password'), 'INVALID_CREDENTIALS');

    expect((await auth.users.findById(alice.user.id))?.passwordHash).to.equal(before);
    expect(await auth.authenticate(alice.accessToken)).to.have.property('sessionId', alice.sessionId);
    expect((await auth.store.listLive(alice.user.id, auth.clock.now())).map((s) => s.id)).to.deep.equal([alice.sessionId]);
  });

  it('refuses an invalid new password with VALIDATION_FAILED naming newPassword, and changes nothing', async () => {
    for (const newPassword of ['short', 'a'.repeat(73), 'é'.repeat(37)]) {
      const error = await expectCode(change(GOOD_PASSWORD, newPassword), 'VALIDATION_FAILED');
      expect((error as unknown as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).to.deep.equal(['newPassword']);
    }
    expect(await logIn(GOOD_PASSWORD)).to.deep.equal({ userId: alice.user.id });
    expect(await auth.authenticate(alice.accessToken)).to.have.property('sessionId', alice.sessionId);
  });

  describe('the new-password rules', () => {
    /** Nothing changed: the old password signs in, the old session lives, no throttle count was taken. */
    async function expectNothingChanged(): Promise<void> {
      expect(await auth.authenticate(alice.accessToken)).to.have.property('sessionId', alice.sessionId);
      expect((await auth.store.listLive(alice.user.id, auth.clock.now())).map((s) => s.id)).to.deep.equal([alice.sessionId]);
      expect(await logIn(GOOD_PASSWORD)).to.deep.equal({ userId: alice.user.id });
    }

    for (const [newPassword, reason] of [
      ['password', 'common'],
      ['PassWord', 'common'],
      ['12345678', 'common'],
      ['alice@example.com', 'email'],
      ['ALICE@EXAMPLE.COM', 'email'],
      ['auth-api', 'app_name'],
      ['AUTH-API', 'app_name'],
      ['xxxxxxxxxx', 'repeated'],
    ] as const) {
      it(`refuses ${JSON.stringify(newPassword)} with PASSWORD_TOO_WEAK (${reason}) naming newPassword, and changes nothing`, async () => {
        const hashBefore = (await auth.users.findById(alice.user.id))?.passwordHash;
        const error = await expectCode(change(GOOD_PASSWORD, newPassword), 'PASSWORD_TOO_WEAK');
        expect(error).to.include({ reason, field: 'newPassword' });
        expect((await auth.users.findById(alice.user.id))?.passwordHash).to.equal(hashBefore);
        await expectNothingChanged();
      });
    }

    it('refuses a weak new password before checking the current one: no bcrypt work, no failed-login count', async () => {
      for (let i = 0; i < 5; i++) await expectCode(change('not the password', 'password'), 'PASSWORD_TOO_WEAK');
      // maxFailures is 3: had these counted, the pair would now be throttled.
      await expectNothingChanged();
    });

    it('refuses eight NULs and a NUL inside with VALIDATION_FAILED; neither they nor their prefix sign in', async () => {
      for (const newPassword of ['\u0000'.repeat(8), 'my new password\u0000and more']) {
        const error = await expectCode(change(GOOD_PASSWORD, newPassword), 'VALIDATION_FAILED');
        expect((error as unknown as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).to.deep.equal(['newPassword']);
        await expectCode(logIn(newPassword, '198.51.100.1'), 'INVALID_CREDENTIALS');
      }
      await expectCode(logIn('\u0000', '198.51.100.2'), 'INVALID_CREDENTIALS');
      await expectCode(logIn('my new password', '198.51.100.2'), 'INVALID_CREDENTIALS');
      await expectNothingChanged();
    });

    it('stores the new password in NFC: typed in NFD or NFC later, it signs in', async () => {
      await change(GOOD_PASSWORD, 'cre\u0300me bru\u0302le\u0301e');

      expect(await logIn('cr\u00e8me br\u00fbl\u00e9e')).to.deep.equal({ userId: alice.user.id });
      expect(await logIn('cre\u0300me bru\u0302le\u0301e')).to.deep.equal({ userId: alice.user.id });
    });

    it('accepts the current password given in NFD when it was set in NFC', async () => {
      await change(GOOD_PASSWORD, 'cr\u00e8me br\u00fbl\u00e9e');
      const tokens = await change('cre\u0300me bru\u0302le\u0301e', 'another long passphrase');
      expect(tokens.user.id).to.equal(alice.user.id);
    });
  });

  it('counts a wrong current password as a failed login for (the user’s email, the client IP)', async () => {
    for (let i = 0; i < 3; i++) await expectCode(change('not the password'), 'INVALID_CREDENTIALS');

    await expectCode(logIn(GOOD_PASSWORD), 'TOO_MANY_ATTEMPTS');
    await expectCode(change(GOOD_PASSWORD), 'TOO_MANY_ATTEMPTS');
    expect(await logIn(GOOD_PASSWORD, '192.0.2.99'), 'another IP').to.deep.equal({ userId: alice.user.id });
  });

  it('refuses with TOO_MANY_ATTEMPTS when failed logins throttled the pair, and changes nothing', async () => {
    for (let i = 0; i < 3; i++) await expectCode(logIn('not the password'), 'INVALID_CREDENTIALS');

    await expectCode(change(GOOD_PASSWORD), 'TOO_MANY_ATTEMPTS');

    expect(await auth.authenticate(alice.accessToken)).to.have.property('sessionId', alice.sessionId);
    expect(await logIn(GOOD_PASSWORD, '192.0.2.99')).to.deep.equal({ userId: alice.user.id });
  });

  it('refuses an account without a password (GitHub-only) with INVALID_CREDENTIALS', async () => {
    const octo = await auth.users.create(userWithoutPassword('octo@example.com'));
    const session = await auth.issueSession.execute({ amr: ['pwd'], userId: octo.id });

    await expectCode(
      auth.changePassword.execute({ principal: { userId: octo.id, sessionId: session.sessionId }, currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD, clientIp: IP }),
      'INVALID_CREDENTIALS',
    );
    expect((await auth.users.findById(octo.id))?.passwordHash).to.equal(null);
  });

  it('refuses with INVALID_TOKEN when the account no longer exists', async () => {
    await expectCode(
      auth.changePassword.execute({ principal: { userId: 'gone', sessionId: alice.sessionId }, currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD, clientIp: IP }),
      'INVALID_TOKEN',
    );
    expect(await auth.authenticate(alice.accessToken)).to.have.property('sessionId', alice.sessionId);
  });
});
