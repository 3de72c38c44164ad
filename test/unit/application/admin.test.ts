import { expect } from 'chai';
import type { Email } from '../../../src/domain/email.js';
import type { Role } from '../../../src/domain/role.js';
import { buildAuth, expectCode, GOOD_PASSWORD, type Auth, type BuildOptions } from './harness.js';

const IP = '192.0.2.44';
const roles = (...names: string[]) => names as Role[];

describe('roles, the role guard and the admin use cases', () => {
  let auth: Auth;
  const build = (options: BuildOptions = {}) => (auth = buildAuth({}, {}, options));
  beforeEach(() => build());

  /** A signed-in account; `admin` stored when asked. */
  async function account(email: string, stored: string[] = []) {
    const tokens = await auth.signUp(email);
    if (stored.length > 0) await auth.users.update(tokens.user.id, { roles: roles(...stored) });
    return { ...tokens, principal: { userId: tokens.user.id, sessionId: tokens.sessionId } };
  }
  const actor = (a: { user: { id: string } }) => ({ actorId: a.user.id, ip: IP, userAgent: 'unit-test' });

  describe('the role guard (AuthorizeRole)', () => {
    it('lets a holder of the role through, and answers FORBIDDEN to anyone else', async () => {
      const admin = await account('admin@example.com', ['admin']);
      const user = await account('user@example.com', ['support']);
      expect((await auth.useCases.authorizeRole.execute(admin.principal, 'admin' as Role)).id).to.equal(admin.user.id);
      await expectCode(auth.useCases.authorizeRole.execute(user.principal, 'admin' as Role), 'FORBIDDEN');
      expect((await auth.useCases.authorizeRole.execute(user.principal, 'support' as Role)).id).to.equal(user.user.id);
    });

    it('reads the roles as they are now: a revoked role stops working on the next request, whatever the token said', async () => {
      const admin = await account('admin@example.com', ['admin']);
      const other = await account('other@example.com', ['admin']);
      await auth.useCases.updateUser.execute({ ...actor(other), userId: admin.user.id, changes: { roles: [] } });
      await expectCode(auth.useCases.authorizeRole.execute(admin.principal, 'admin' as Role), 'FORBIDDEN');
    });

    it('answers INVALID_TOKEN (401) for a disabled or erased account, never FORBIDDEN', async () => {
      const admin = await account('admin@example.com', ['admin']);
      const target = await account('target@example.com', ['admin']);
      await auth.useCases.updateUser.execute({ ...actor(admin), userId: target.user.id, changes: { disabled: true } });
      await expectCode(auth.useCases.authorizeRole.execute(target.principal, 'admin' as Role), 'INVALID_TOKEN');
      await expectCode(auth.useCases.authorizeRole.execute({ userId: 'gone', sessionId: 'x' }, 'admin' as Role), 'INVALID_TOKEN');
    });

    it('gives admin to a verified address in ADMIN_EMAILS, and not to an unverified one', async () => {
      build({ adminEmails: ['boss@example.com'] });
      const boss = await account('boss@example.com');
      await expectCode(auth.useCases.authorizeRole.execute(boss.principal, 'admin' as Role), 'FORBIDDEN');
      await auth.users.markEmailVerified(boss.user.id, 'boss@example.com' as Email);
      expect((await auth.useCases.authorizeRole.execute(boss.principal, 'admin' as Role)).id).to.equal(boss.user.id);
      expect((await auth.currentUser.execute(boss.principal)).roles).to.deep.equal(['admin']);
    });
  });

  describe('the access token', () => {
    it('carries the roles the user held when it was issued, sorted', async () => {
      const a = await account('roles@example.com', ['support', 'admin']);
      const again = await auth.login.execute({ email: 'roles@example.com', password: GOOD_PASSWORD, clientIp: IP });
      const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId: again.userId });
      const { verifyAccess } = await import('./harness.js');
      expect((verifyAccess(tokens.accessToken) as unknown as { roles: string[] }).roles).to.deep.equal(['admin', 'support']);
      expect(tokens.user.roles).to.deep.equal(['admin', 'support']);
      expect(a.user.id).to.equal(tokens.user.id);
    });
  });

  describe('updating a user', () => {
    it('refuses to demote or disable the last enabled administrator (LAST_ADMIN), and allows it once there is another', async () => {
      const admin = await account('only@example.com', ['admin']);
      await expectCode(auth.useCases.updateUser.execute({ ...actor(admin), userId: admin.user.id, changes: { roles: [] } }), 'LAST_ADMIN');
      await expectCode(auth.useCases.updateUser.execute({ ...actor(admin), userId: admin.user.id, changes: { disabled: true } }), 'LAST_ADMIN');
      await expectCode(auth.useCases.eraseUser.execute({ ...actor(admin), userId: admin.user.id }), 'LAST_ADMIN');
      expect((await auth.users.findById(admin.user.id))?.roles).to.deep.equal(['admin']);

      const second = await account('second@example.com', ['admin']);
      await auth.useCases.updateUser.execute({ ...actor(second), userId: admin.user.id, changes: { roles: [] } });
      expect((await auth.users.findById(admin.user.id))?.roles).to.deep.equal([]);
    });

    it('counts an ADMIN_EMAILS administrator as another admin, and refuses to take its admin away (ROLE_FROM_CONFIG)', async () => {
      build({ adminEmails: ['boss@example.com'] });
      const boss = await account('boss@example.com');
      await auth.users.markEmailVerified(boss.user.id, 'boss@example.com' as Email);
      const stored = await account('stored@example.com', ['admin']);
      await expectCode(auth.useCases.updateUser.execute({ ...actor(stored), userId: boss.user.id, changes: { roles: ['support'] as Role[] } }), 'ROLE_FROM_CONFIG');
      await auth.useCases.updateUser.execute({ ...actor(boss), userId: stored.user.id, changes: { roles: [] } });
      expect((await auth.users.findById(stored.user.id))?.roles).to.deep.equal([]);
    });

    it('ends every session of an account it disables; the account then signs in by no method', async () => {
      const admin = await account('admin@example.com', ['admin']);
      const target = await account('target@example.com');
      await auth.useCases.updateUser.execute({ ...actor(admin), userId: target.user.id, changes: { disabled: true } });

      expect((await auth.session(target.sessionId))?.endedAt).to.be.instanceOf(Date);
      await expectCode(auth.refresh(target.refreshToken), 'INVALID_TOKEN');
      await expectCode(auth.login.execute({ email: 'target@example.com', password: 'wrong password', clientIp: IP }), 'INVALID_CREDENTIALS');
      await expectCode(auth.login.execute({ email: 'target@example.com', password: GOOD_PASSWORD, clientIp: IP }), 'ACCOUNT_DISABLED');
      await expectCode(auth.issueSession.execute({ amr: ['pwd'], userId: target.user.id }), 'ACCOUNT_DISABLED');
    });

    it('answers USER_NOT_FOUND for an unknown id, and records who changed what', async () => {
      const admin = await account('admin@example.com', ['admin']);
      const target = await account('target@example.com');
      await expectCode(auth.useCases.updateUser.execute({ ...actor(admin), userId: 'nobody', changes: { disabled: true } }), 'USER_NOT_FOUND');
      await auth.useCases.updateUser.execute({ ...actor(admin), userId: target.user.id, changes: { roles: roles('support'), emailVerified: true } });
      const [event] = (await auth.events(target.user.id)).filter((e) => e.type === 'admin.user_updated');
      expect(event).to.include({ userId: target.user.id, actorId: admin.user.id, ip: IP });
      expect(event?.detail).to.deep.equal({ fields: ['emailVerified', 'roles'], roles: ['support'] });
    });
  });

  describe('erasing a user', () => {
    it('deletes the account and its sessions; its events keep the id and lose the email and the name', async () => {
      const admin = await account('admin@example.com', ['admin']);
      const target = await account('erased@example.com');
      await auth.auditLog.append({ id: 'e1', at: new Date(), type: 'login.failed', userId: target.user.id, actorId: null, sessionId: null, ip: null, userAgent: null, detail: { email: 'erased@example.com' } });

      await auth.useCases.eraseUser.execute({ ...actor(admin), userId: target.user.id });

      expect(await auth.users.findById(target.user.id)).to.equal(null);
      expect((await auth.session(target.sessionId))?.endedAt ?? null, 'the session is gone or ended').to.satisfy((v: unknown) => v === null || v instanceof Date);
      await expectCode(auth.authenticate(target.accessToken), 'INVALID_TOKEN');
      const events = await auth.events(target.user.id);
      expect(events.map((e) => e.type)).to.include('admin.user_deleted');
      expect(JSON.stringify(events)).to.not.include('erased@example.com');
    });
  });

  describe('searching users', () => {
    it('pages newest first with a cursor that no insert shifts', async () => {
      for (let i = 0; i < 5; i++) {
        await auth.signUp(`u${i}@example.com`);
        auth.clock.advance(1);
      }
      const first = await auth.useCases.searchUsers.execute({ limit: 2 });
      expect(first.users.map((u) => u.email)).to.deep.equal(['u4@example.com', 'u3@example.com']);
      await auth.signUp('newer@example.com');
      const second = await auth.useCases.searchUsers.execute({ limit: 2, ...(first.next ? { after: first.next } : {}) });
      expect(second.users.map((u) => u.email)).to.deep.equal(['u2@example.com', 'u1@example.com']);
      const third = await auth.useCases.searchUsers.execute({ limit: 2, ...(second.next ? { after: second.next } : {}) });
      expect(third.users.map((u) => u.email)).to.deep.equal(['u0@example.com']);
      expect(third.next).to.equal(null);
      expect((await auth.useCases.searchUsers.execute({ q: 'U3@', limit: 10 })).users.map((u) => u.email)).to.deep.equal(['u3@example.com']);
    });
  });

  describe('the command line (ChangeRole)', () => {
    it('grants and revokes by email; refuses an unknown email, a bad role name and the last admin', async () => {
      const a = await account('cli@example.com');
      expect((await auth.useCases.changeRole.execute({ email: 'CLI@example.com', role: 'admin', grant: true })).roles).to.deep.equal(['admin']);
      await expectCode(auth.useCases.changeRole.execute({ email: 'cli@example.com', role: 'admin', grant: false }), 'LAST_ADMIN');
      expect((await auth.useCases.changeRole.execute({ email: 'cli@example.com', role: 'support', grant: true })).roles).to.deep.equal(['admin', 'support']);
      expect((await auth.useCases.changeRole.execute({ email: 'cli@example.com', role: 'support', grant: false })).roles).to.deep.equal(['admin']);
      await expectCode(auth.useCases.changeRole.execute({ email: 'nobody@example.com', role: 'admin', grant: true }), 'USER_NOT_FOUND');
      await expectCode(auth.useCases.changeRole.execute({ email: 'cli@example.com', role: 'Bad Role', grant: true }), 'VALIDATION_FAILED');
      expect(a.user.id).to.be.a('string');
    });
  });

  describe('lastSignInAt', () => {
    it('counts registration as a sign-in, even when EMAIL_VERIFICATION=required gives no session', async () => {
      build({ emailVerification: 'required' });
      const { user, tokens } = await auth.signUpUseCase.execute({ clientIp: IP, read: () => ({ email: 'new@example.com', password: GOOD_PASSWORD }) });
      expect(tokens).to.equal(null);
      expect((await auth.users.findById(user.id))?.lastSignInAt?.toISOString()).to.equal(auth.clock.now().toISOString());
    });
  });

  describe('retention', () => {
    it('prunes the events older than AUDIT_RETENTION_DAYS (90), and keeps the rest', async () => {
      const a = await account('kept@example.com');
      const before = (await auth.events()).length;
      auth.clock.advance(89 * 86_400);
      await auth.login.execute({ email: 'kept@example.com', password: GOOD_PASSWORD, clientIp: IP });
      auth.clock.advance(2 * 86_400);
      expect(await auth.useCases.pruneSecurityEvents.execute(100)).to.equal(before);
      expect((await auth.events(a.user.id)).map((e) => e.type)).to.deep.equal(['login.succeeded']);
    });
  });

  describe('security events', () => {
    it('records what happened to an account, and no password or token in any event', async () => {
      const email = 'events@example.com';
      const signedUp = await auth.signUpUseCase.execute({ clientIp: IP, userAgent: 'Browser/1', read: () => ({ email, password: GOOD_PASSWORD }) });
      const tokens = signedUp.tokens;
      if (!tokens) throw new Error('signed in');
      await expectCode(auth.login.execute({ email, password: 'a wrong password', clientIp: IP }), 'INVALID_CREDENTIALS');
      await expectCode(auth.login.execute({ email: 'unknown@example.com', password: 'a wrong password', clientIp: IP }), 'INVALID_CREDENTIALS');
      await auth.login.execute({ email, password: GOOD_PASSWORD, clientIp: IP, userAgent: 'Browser/2' });
      const next = await auth.refresh(tokens.refreshToken);
      auth.clock.advance(60);
      await expectCode(auth.refresh(tokens.refreshToken), 'INVALID_TOKEN');
      await auth.changePassword.execute({ principal: { userId: tokens.user.id, sessionId: next.sessionId }, currentPassword: GOOD_PASSWORD, newPassword: 'another fine passphrase', clientIp: IP }).catch(() => undefined);

      const mine = await auth.events(tokens.user.id);
      expect(mine.map((e) => e.type)).to.include.members(['user.registered', 'login.failed', 'login.succeeded', 'session.reuse_detected']);
      const failedUnknown = (await auth.events()).filter((e) => e.type === 'login.failed' && e.userId === null);
      expect(failedUnknown, 'a failed login of an unknown email has no user').to.have.length(1);
      const all = JSON.stringify(await auth.events());
      for (const secret of [GOOD_PASSWORD, 'a wrong password', tokens.accessToken, tokens.refreshToken, next.refreshToken]) expect(all).to.not.include(secret);
    });
  });
});
