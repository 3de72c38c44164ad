import { expect } from 'chai';
import { parseEmail, type Email } from '../../../src/domain/email.js';
import type { AccountMail } from '../../../src/domain/ports/mailer.js';
import { buildAuth, expectCode, GOOD_PASSWORD, userWithoutPassword, type Auth, type BuildOptions } from './harness.js';

const IP = '192.0.2.10';
const NEW_PASSWORD = 'a brand new passphrase';

/** The raw token of the newest mail of a template to an address (what the person would click). */
function tokenMailed(auth: Auth, template: 'verify_email' | 'reset_password' | 'confirm_email_change', to?: string): string {
  const mails = auth.mailer.of(template).filter((m) => to === undefined || m.to === to);
  const mail = mails.at(-1);
  if (!mail) throw new Error(`no ${template} mail${to ? ` to ${to}` : ''}`);
  return mail.token;
}

const principalOf = (tokens: { user: { id: string }; sessionId: string }) => ({ userId: tokens.user.id, sessionId: tokens.sessionId });

describe('email use cases (verification, reset, change)', () => {
  let auth: Auth;
  const build = (options: BuildOptions = {}) => {
    auth = buildAuth({}, {}, options);
    return auth;
  };
  beforeEach(() => build());

  const signUpWithMail = async (email = `new.${Math.random().toString(36).slice(2)}@example.com`, clientIp = IP) =>
    auth.signUpUseCase.execute({ clientIp, userAgent: 'unit-test', read: () => ({ email, password: GOOD_PASSWORD }) });

  describe('tokens', () => {
    it('mails 43 characters of base64url and stores only their SHA-256 digest', async () => {
      const { user } = await signUpWithMail();
      const token = tokenMailed(auth, 'verify_email');
      expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
      const digest = auth.oneTimeTokens.digest(token);
      expect(digest).to.match(/^[0-9a-f]{64}$/);
      expect(await auth.emailTokens.findLive(digest, 'verify_email', auth.clock.now())).to.include({ userId: user.id, email: user.email });
      expect(await auth.emailTokens.findLive(token, 'verify_email', auth.clock.now()), 'the raw token is no key').to.equal(null);
    });

    it('gives every failure the same LINK_INVALID: unknown, malformed, used, of another kind, expired, voided', async () => {
      const { user, tokens } = await signUpWithMail();
      const verify = tokenMailed(auth, 'verify_email');
      await expectCode(auth.verifyEmail.execute('x'.repeat(43)), 'LINK_INVALID');
      await expectCode(auth.verifyEmail.execute('not a token'), 'LINK_INVALID');
      await expectCode(auth.resetPassword.execute({ token: verify, newPassword: NEW_PASSWORD, clientIp: IP }), 'LINK_INVALID');

      expect((await auth.verifyEmail.execute(verify)).emailVerified).to.equal(true);
      await expectCode(auth.verifyEmail.execute(verify), 'LINK_INVALID');

      await auth.forgotPassword.execute({ email: user.email as string, clientIp: IP });
      const first = tokenMailed(auth, 'reset_password');
      await auth.forgotPassword.execute({ email: user.email as string, clientIp: IP });
      const second = tokenMailed(auth, 'reset_password');
      await expectCode(auth.resetPassword.execute({ token: first, newPassword: NEW_PASSWORD, clientIp: IP }), 'LINK_INVALID');

      auth.clock.advance(1800);
      await expectCode(auth.resetPassword.execute({ token: second, newPassword: NEW_PASSWORD, clientIp: IP }), 'LINK_INVALID');
      expect(tokens, 'optional: signed in at once').to.not.equal(null);
    });

    it('keeps a verification link 24 hours and a reset link 30 minutes', async () => {
      const { user } = await signUpWithMail();
      await auth.forgotPassword.execute({ email: user.email as string, clientIp: IP });
      auth.clock.advance(1799);
      await auth.resetPassword.execute({ token: tokenMailed(auth, 'reset_password'), newPassword: NEW_PASSWORD, clientIp: IP });

      const other = await signUpWithMail();
      auth.clock.advance(86_399);
      expect((await auth.verifyEmail.execute(tokenMailed(auth, 'verify_email', other.user.email as string))).emailVerified).to.equal(true);
      const late = await signUpWithMail();
      auth.clock.advance(86_400);
      await expectCode(auth.verifyEmail.execute(tokenMailed(auth, 'verify_email', late.user.email as string)), 'LINK_INVALID');
    });

    it('forgets spent and expired tokens when pruned, and keeps live ones', async () => {
      const spent = await signUpWithMail();
      await auth.verifyEmail.execute(tokenMailed(auth, 'verify_email', spent.user.email as string));
      const live = await signUpWithMail();
      expect(await auth.pruneEmailTokens.execute(100)).to.equal(1);
      expect((await auth.verifyEmail.execute(tokenMailed(auth, 'verify_email', live.user.email as string))).emailVerified).to.equal(true);
    });
  });

  describe('sign-up and EMAIL_VERIFICATION', () => {
    it('optional (the default): signs in at once, unverified, and mails a verification link', async () => {
      const { user, tokens } = await signUpWithMail('ada@example.com');
      expect(tokens?.user.id).to.equal(user.id);
      expect(user.emailVerified).to.equal(false);
      expect(auth.mailer.sent.map((m) => [m.template, m.to])).to.deep.equal([['verify_email', 'ada@example.com']]);
      expect((await auth.login.execute({ email: 'ada@example.com', password: GOOD_PASSWORD, clientIp: IP })).userId).to.equal(user.id);
    });

    it('off: mails nothing at sign-up, yet a verification can still be asked for', async () => {
      build({ emailVerification: 'off' });
      const { user, tokens } = await signUpWithMail();
      expect(auth.mailer.sent).to.deep.equal([]);
      if (!tokens) throw new Error('off signs in');
      await auth.requestEmailVerification.execute({ principal: principalOf(tokens), clientIp: IP });
      expect(auth.mailer.of('verify_email').map((m) => m.to)).to.deep.equal([user.email]);
    });

    it('required: no tokens at sign-up; the right password of an unverified account is EMAIL_NOT_VERIFIED, a wrong one INVALID_CREDENTIALS', async () => {
      build({ emailVerification: 'required' });
      const { user, tokens } = await signUpWithMail('grace@example.com');
      expect(tokens).to.equal(null);
      await expectCode(auth.login.execute({ email: 'grace@example.com', password: 'not the password', clientIp: IP }), 'INVALID_CREDENTIALS');
      await expectCode(auth.login.execute({ email: 'grace@example.com', password: GOOD_PASSWORD, clientIp: IP }), 'EMAIL_NOT_VERIFIED');

      await auth.verifyEmail.execute(tokenMailed(auth, 'verify_email'));
      expect((await auth.login.execute({ email: 'grace@example.com', password: GOOD_PASSWORD, clientIp: IP })).userId).to.equal(user.id);
    });

    it('refuses a sign-up past the mail allowance of its client with TOO_MANY_EMAILS, making nothing; a taken address stays 409', async () => {
      build({ mailLimits: { perIpPerHour: 2 } });
      await signUpWithMail('one@example.com');
      await expectCode(signUpWithMail('one@example.com'), 'EMAIL_ALREADY_REGISTERED');
      await signUpWithMail('two@example.com');
      const refused = await expectCode(signUpWithMail('three@example.com'), 'TOO_MANY_EMAILS');
      expect((refused as unknown as { retryAfterSeconds: number }).retryAfterSeconds).to.be.within(1, 3600);
      expect(await auth.users.findByEmail('three@example.com' as Email)).to.equal(null);
      expect((await signUpWithMail('four@example.com', '192.0.2.99')).user.email).to.equal('four@example.com');
    });
  });

  describe('verification', () => {
    it('mails a new link on request, voiding the older one; 409 once verified', async () => {
      const { tokens } = await signUpWithMail();
      if (!tokens) throw new Error('signed in');
      const first = tokenMailed(auth, 'verify_email');
      auth.clock.advance(61);
      await auth.requestEmailVerification.execute({ principal: principalOf(tokens), clientIp: IP });
      const second = tokenMailed(auth, 'verify_email');
      expect(second).to.not.equal(first);
      await expectCode(auth.verifyEmail.execute(first), 'LINK_INVALID');
      await auth.verifyEmail.execute(second);
      await expectCode(auth.requestEmailVerification.execute({ principal: principalOf(tokens), clientIp: IP }), 'EMAIL_ALREADY_VERIFIED');
    });

    it('proves nothing for an address the account has since left', async () => {
      const { user, tokens } = await signUpWithMail('old@example.com');
      if (!tokens) throw new Error('signed in');
      const verifyOld = tokenMailed(auth, 'verify_email');
      await auth.requestEmailChange.execute({ principal: principalOf(tokens), newEmail: 'new@example.com', currentPassword: GOOD_PASSWORD, clientIp: IP });
      await auth.confirmEmailChange.execute(tokenMailed(auth, 'confirm_email_change'));
      await expectCode(auth.verifyEmail.execute(verifyOld), 'LINK_INVALID');
      expect(await auth.users.findById(user.id)).to.include({ email: 'new@example.com', emailVerified: true });
    });
  });

  describe('forgot and reset', () => {
    it('answers alike for a known and an unknown address; only the known one gets a link', async () => {
      await signUpWithMail('known@example.com');
      auth.mailer.sent.length = 0;
      expect(await auth.forgotPassword.execute({ email: 'known@example.com', clientIp: IP })).to.equal(undefined);
      expect(await auth.forgotPassword.execute({ email: 'unknown@example.com', clientIp: IP })).to.equal(undefined);
      expect(auth.mailer.sent.map((m) => [m.template, m.to])).to.deep.equal([['reset_password', 'known@example.com']]);
      await expectCode(auth.forgotPassword.execute({ email: 'not an email', clientIp: IP }), 'VALIDATION_FAILED');
    });

    it('throttles known and unknown addresses alike: 60 s apart, then MAIL_PER_ADDRESS_PER_HOUR', async () => {
      build({ mailLimits: { perAddressPerHour: 3 } });
      for (const email of ['known@example.com', 'nobody@example.com']) {
        if (email === 'known@example.com') await auth.register.execute({ email, password: GOOD_PASSWORD });
        await auth.forgotPassword.execute({ email, clientIp: IP });
        const error = await expectCode(auth.forgotPassword.execute({ email, clientIp: IP }), 'TOO_MANY_EMAILS');
        expect((error as unknown as { retryAfterSeconds: number }).retryAfterSeconds).to.be.within(1, 60);
      }
      expect(auth.mailer.of('reset_password')).to.have.length(1);
    });

    it('sets the new password, ends every session, verifies the address, ends the lockout, and mails a notice', async () => {
      build({});
      auth = buildAuth({}, { accountMaxFailures: 3 }, {});
      const { user, tokens } = await signUpWithMail('reset@example.com');
      if (!tokens) throw new Error('signed in');
      for (let i = 0; i < 3; i++) await expectCode(auth.login.execute({ email: 'reset@example.com', password: 'wrong guess', clientIp: `198.51.100.${i}` }), 'INVALID_CREDENTIALS');
      await expectCode(auth.login.execute({ email: 'reset@example.com', password: GOOD_PASSWORD, clientIp: '198.51.100.77' }), 'TOO_MANY_ATTEMPTS');

      await auth.forgotPassword.execute({ email: 'reset@example.com', clientIp: IP });
      await auth.resetPassword.execute({ token: tokenMailed(auth, 'reset_password'), newPassword: NEW_PASSWORD, clientIp: IP });

      expect((await auth.session(tokens.sessionId))?.endedAt).to.be.instanceOf(Date);
      expect((await auth.users.findById(user.id))?.emailVerified).to.equal(true);
      await expectCode(auth.login.execute({ email: 'reset@example.com', password: GOOD_PASSWORD, clientIp: IP }), 'INVALID_CREDENTIALS');
      expect((await auth.login.execute({ email: 'reset@example.com', password: NEW_PASSWORD, clientIp: '198.51.100.78' })).userId).to.equal(user.id);
      expect(auth.mailer.of('password_changed').map((m) => m.to)).to.deep.equal(['reset@example.com']);
    });

    it('refuses an invalid or weak new password before the link is spent', async () => {
      await signUpWithMail('weak@example.com');
      await auth.forgotPassword.execute({ email: 'weak@example.com', clientIp: IP });
      const token = tokenMailed(auth, 'reset_password');
      await expectCode(auth.resetPassword.execute({ token, newPassword: 'short', clientIp: IP }), 'VALIDATION_FAILED');
      await expectCode(auth.resetPassword.execute({ token, newPassword: 'password123', clientIp: IP }), 'PASSWORD_TOO_WEAK');
      await auth.resetPassword.execute({ token, newPassword: NEW_PASSWORD, clientIp: IP });
    });

    it('gives a GitHub-only account its first password', async () => {
      const github = userWithoutPassword('octo@example.com');
      await auth.users.create({ ...github, email: parseEmail(github.email as string), emailVerified: true });
      await auth.forgotPassword.execute({ email: 'octo@example.com', clientIp: IP });
      await auth.resetPassword.execute({ token: tokenMailed(auth, 'reset_password'), newPassword: NEW_PASSWORD, clientIp: IP });
      expect((await auth.login.execute({ email: 'octo@example.com', password: NEW_PASSWORD, clientIp: IP })).userId).to.equal(github.id);
    });
  });

  describe('email change', () => {
    it('asks for the current password (a wrong one is INVALID_CREDENTIALS), and refuses a taken address', async () => {
      await signUpWithMail('taken@example.com');
      const { tokens } = await signUpWithMail('mover@example.com');
      if (!tokens) throw new Error('signed in');
      const principal = principalOf(tokens);
      await expectCode(auth.requestEmailChange.execute({ principal, newEmail: 'next@example.com', currentPassword: 'wrong', clientIp: IP }), 'INVALID_CREDENTIALS');
      await expectCode(auth.requestEmailChange.execute({ principal, newEmail: 'next@example.com', clientIp: IP }), 'VALIDATION_FAILED');
      await expectCode(auth.requestEmailChange.execute({ principal, newEmail: 'taken@example.com', currentPassword: GOOD_PASSWORD, clientIp: IP }), 'EMAIL_ALREADY_REGISTERED');
      await expectCode(auth.requestEmailChange.execute({ principal, newEmail: 'nope', currentPassword: GOOD_PASSWORD, clientIp: IP }), 'VALIDATION_FAILED');
    });

    it('changes nothing until confirmed; then moves the account, verified, ends every session, voids old links and tells the old address', async () => {
      const { user, tokens } = await signUpWithMail('before@example.com');
      if (!tokens) throw new Error('signed in');
      const oldVerify = tokenMailed(auth, 'verify_email');
      auth.mailer.sent.length = 0;

      await auth.requestEmailChange.execute({ principal: principalOf(tokens), newEmail: 'After@Example.com', currentPassword: GOOD_PASSWORD, clientIp: IP });

      expect(auth.mailer.sent.map((m: AccountMail) => [m.template, m.to])).to.deep.equal([
        ['confirm_email_change', 'after@example.com'],
        ['email_change_requested', 'before@example.com'],
      ]);
      expect((await auth.users.findById(user.id))?.email).to.equal('before@example.com');

      const moved = await auth.confirmEmailChange.execute(tokenMailed(auth, 'confirm_email_change'));

      expect(moved).to.include({ id: user.id, email: 'after@example.com', emailVerified: true });
      expect((await auth.session(tokens.sessionId))?.endedAt).to.be.instanceOf(Date);
      await expectCode(auth.verifyEmail.execute(oldVerify), 'LINK_INVALID');
      expect(auth.mailer.of('email_changed').map((m) => [m.to, m.newEmail])).to.deep.equal([['before@example.com', 'after@example.com']]);
      expect((await auth.login.execute({ email: 'after@example.com', password: GOOD_PASSWORD, clientIp: IP })).userId).to.equal(user.id);
      await expectCode(auth.login.execute({ email: 'before@example.com', password: GOOD_PASSWORD, clientIp: IP }), 'INVALID_CREDENTIALS');
    });

    it('answers 409 when the new address was taken meanwhile', async () => {
      const { tokens } = await signUpWithMail('first@example.com');
      if (!tokens) throw new Error('signed in');
      await auth.requestEmailChange.execute({ principal: principalOf(tokens), newEmail: 'contested@example.com', currentPassword: GOOD_PASSWORD, clientIp: IP });
      await auth.register.execute({ email: 'contested@example.com', password: GOOD_PASSWORD });
      await expectCode(auth.confirmEmailChange.execute(tokenMailed(auth, 'confirm_email_change')), 'EMAIL_ALREADY_REGISTERED');
    });
  });

  describe('notices', () => {
    it('mails "password changed" after a password change, and voids a reset link mailed before', async () => {
      const { tokens } = await signUpWithMail('changer@example.com');
      if (!tokens) throw new Error('signed in');
      await auth.forgotPassword.execute({ email: 'changer@example.com', clientIp: IP });
      const reset = tokenMailed(auth, 'reset_password');
      await auth.changePassword.execute({ principal: principalOf(tokens), currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD, clientIp: IP });
      expect(auth.mailer.of('password_changed').map((m) => m.to)).to.deep.equal(['changer@example.com']);
      await expectCode(auth.resetPassword.execute({ token: reset, newPassword: 'yet another passphrase', clientIp: IP }), 'LINK_INVALID');
    });
  });
});
