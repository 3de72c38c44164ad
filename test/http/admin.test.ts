import { expect } from 'chai';
import { TOKENS } from '../../src/composition/tokens.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import type { Role } from '../../src/domain/role.js';
import type { AuthApp } from '../../src/adapters/http/app.js';
import type { TestApp } from '../support/app.js';
import { MYSQL_BACKEND, SQLITE_BACKEND } from '../support/backends.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail } from '../support/http.js';
import { decodeJwt, expectProblem, expectTokenAnswer, login, me, NO_THROTTLE, refresh, signAccess } from './helpers.js';

/** Every admin route, with a method and a path (`:id` filled in by the test). */
const ADMIN_ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['GET', '/admin/users'],
  ['GET', '/admin/users/:id'],
  ['PATCH', '/admin/users/:id'],
  ['DELETE', '/admin/users/:id'],
  ['DELETE', '/admin/users/:id/sessions'],
  ['GET', '/admin/events'],
];

for (const backend of [SQLITE_BACKEND, MYSQL_BACKEND]) {
  describe(`roles and the admin API, on ${backend.name}`, function () {
    this.timeout(30_000);
    let app: TestApp;
    let stop: () => Promise<void>;

    before(async function () {
      if (!(await backend.available())) return this.skip();
      ({ app, stop } = await backend.start({ env: { ...NO_THROTTLE, EMAIL_VERIFICATION: 'off' } }));
    });
    after(async () => {
      await stop?.();
    });

    const users = () => app.container.resolve<UserRepository>(TOKENS.UserRepository);
    /** A signed-in account, given roles straight in the store (as `npm run admin -- grant` does). */
    async function account(prefix: string, roles: string[] = []) {
      const r = await register(app.url, uniqueEmail(prefix));
      if (roles.length > 0) await users().update(r.user.id, { roles: roles as Role[] });
      const fresh = expectTokenAnswer(await login(app.url, r.email), 200);
      return { ...fresh, email: r.email, id: r.user.id };
    }
    const as = (token: string) => ({ headers: bearer(token) });

    it('answers 401 without a valid token and 403 FORBIDDEN without the role, on every admin route', async () => {
      const user = await account('plain');
      const target = await account('target');
      for (const [method, template] of ADMIN_ROUTES) {
        const path = template.replace(':id', target.id);
        const json = method === 'PATCH' ? { json: { disabled: true } } : {};
        expectProblem(await call(app.url, method, path, json), 401, 'TOKEN_MISSING');
        expectProblem(await call(app.url, method, path, { ...json, headers: bearer('not.a.token') }), 401, 'INVALID_TOKEN');
        expectProblem(await call(app.url, method, path, { ...json, ...as(user.accessToken) }), 403, 'FORBIDDEN');
      }
      expect((await users().findById(target.id))?.disabled, 'nothing changed').to.equal(false);
    });

    it('refuses a forged roles claim: signed with another key it is 401; signed right, the claim is not what the guard reads (403)', async () => {
      const user = await account('forger');
      const { sub, sid } = decodeJwt(user.accessToken).payload;
      const forged = signAccess({ sub, sid, roles: ['admin'] }, { secret: 'another-key-0123456789-0123456789-abcdef' });
      expectProblem(await call(app.url, 'GET', '/admin/users', as(forged)), 401, 'INVALID_TOKEN');
      const claimed = signAccess({ sub, sid, roles: ['admin'] });
      expectProblem(await call(app.url, 'GET', '/admin/users', as(claimed)), 403, 'FORBIDDEN');
    });

    it('carries the roles in the user object and in the access token', async () => {
      const admin = await account('roles', ['admin', 'support']);
      expect(admin.user.roles).to.deep.equal(['admin', 'support']);
      expect(decodeJwt(admin.accessToken).payload.roles).to.deep.equal(['admin', 'support']);
      expect((await me(app.url, admin.accessToken)).body.roles).to.deep.equal(['admin', 'support']);
    });

    it('stops a revoked admin on the very next request, with the token it already has', async () => {
      const keeper = await account('keeper', ['admin']);
      const revoked = await account('revoked', ['admin']);
      expect((await call(app.url, 'GET', '/admin/users', as(revoked.accessToken))).status).to.equal(200);
      const res = await call(app.url, 'PATCH', `/admin/users/${revoked.id}`, { ...as(keeper.accessToken), json: { roles: [] } });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.roles).to.deep.equal([]);
      expectProblem(await call(app.url, 'GET', '/admin/users', as(revoked.accessToken)), 403, 'FORBIDDEN');
    });

    it('finds users by email or name, newest first, a page at a time; refuses a bad cursor or limit', async () => {
      const admin = await account('finder', ['admin']);
      const tag = `tag${Date.now().toString(36)}`;
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push((await register(app.url, uniqueEmail(`${tag}-${i}`))).email);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const path: string = `/admin/users?q=${tag.toUpperCase()}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await call(app.url, 'GET', path, as(admin.accessToken));
        expect(page.status, page.text).to.equal(200);
        expect(page.body.users.length).to.be.at.most(2);
        for (const u of page.body.users) {
          expect(u).to.include.keys('disabled', 'lastSignInAt', 'roles');
          // Registered and never signed in since: registration counts as a sign-in.
          expect(new Date(u.lastSignInAt).toISOString(), 'lastSignInAt').to.equal(u.lastSignInAt);
          seen.push(u.email);
        }
        if (seen.length === 2) await register(app.url, uniqueEmail(`${tag}-late`));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).to.deep.equal([...made].reverse());
      expectProblem(await call(app.url, 'GET', '/admin/users?cursor=bogus!', as(admin.accessToken)), 400, 'VALIDATION_FAILED');
      expectProblem(await call(app.url, 'GET', '/admin/users?limit=0', as(admin.accessToken)), 400, 'VALIDATION_FAILED');
      expectProblem(await call(app.url, 'GET', '/admin/users?limit=101', as(admin.accessToken)), 400, 'VALIDATION_FAILED');
    });

    it('reads one user with its session count; 404 for an unknown id', async () => {
      const admin = await account('reader', ['admin']);
      const target = await account('read');
      const res = await call(app.url, 'GET', `/admin/users/${target.id}`, as(admin.accessToken));
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: target.id, email: target.email, disabled: false });
      expect(res.body.sessions).to.equal(2);
      expect(res.body.identities).to.deep.equal([]);
      expectProblem(await call(app.url, 'GET', '/admin/users/00000000-0000-4000-8000-000000000000', as(admin.accessToken)), 404, 'USER_NOT_FOUND');
    });

    it('disables an account: its sessions end at once, and it signs in by no method (403 only after the right password)', async () => {
      const admin = await account('disabler', ['admin']);
      const target = await account('disabled');
      const res = await call(app.url, 'PATCH', `/admin/users/${target.id}`, { ...as(admin.accessToken), json: { disabled: true } });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.disabled).to.equal(true);
      expectProblem(await me(app.url, target.accessToken), 401, 'INVALID_TOKEN');
      expectProblem(await refresh(app.url, target.refreshToken), 401, 'INVALID_TOKEN');
      expectProblem(await login(app.url, target.email, 'not the password'), 401, 'INVALID_CREDENTIALS');
      expectProblem(await login(app.url, target.email, GOOD_PASSWORD), 403, 'ACCOUNT_DISABLED');
      await call(app.url, 'PATCH', `/admin/users/${target.id}`, { ...as(admin.accessToken), json: { disabled: false } });
      expectTokenAnswer(await login(app.url, target.email, GOOD_PASSWORD), 200);
    });

    it('validates a PATCH: unknown fields, bad role names, too many roles, an empty body', async () => {
      const admin = await account('validator', ['admin']);
      const target = await account('validated');
      for (const json of [{}, { role: 'x' }, { roles: ['Bad'] }, { roles: Array.from({ length: 21 }, (_, i) => `r${i}`) }, { disabled: 'yes' }, { name: 'a\u0007b' }]) {
        expectProblem(await call(app.url, 'PATCH', `/admin/users/${target.id}`, { ...as(admin.accessToken), json }), 400, 'VALIDATION_FAILED');
      }
      const ok = await call(app.url, 'PATCH', `/admin/users/${target.id}`, { ...as(admin.accessToken), json: { name: 'Renamed', emailVerified: true } });
      expect(ok.body).to.include({ name: 'Renamed', emailVerified: true });
    });

    it('keeps the last enabled admin (409 LAST_ADMIN) on demotion, disabling and erasing', async () => {
      // A fresh app: no other admin exists in it.
      const alone = await backend.start({ env: NO_THROTTLE });
      try {
        const r = await register(alone.app.url, uniqueEmail('last'));
        await alone.app.container.resolve<UserRepository>(TOKENS.UserRepository).update(r.user.id, { roles: ['admin'] as Role[] });
        const admin = expectTokenAnswer(await login(alone.app.url, r.email), 200);
        for (const [method, json] of [['PATCH', { roles: [] }], ['PATCH', { disabled: true }], ['DELETE', undefined]] as const) {
          expectProblem(await call(alone.app.url, method, `/admin/users/${r.user.id}`, { headers: bearer(admin.accessToken), ...(json ? { json } : {}) }), 409, 'LAST_ADMIN');
        }
      } finally {
        await alone.stop();
      }
    });

    it('erases a user (its tokens fail, 404 after), and ends every session of another', async () => {
      const admin = await account('eraser', ['admin']);
      const gone = await account('gone');
      const ended = await account('ended');
      expect((await call(app.url, 'DELETE', `/admin/users/${ended.id}/sessions`, as(admin.accessToken))).status).to.equal(204);
      expectProblem(await me(app.url, ended.accessToken), 401, 'INVALID_TOKEN');
      expectTokenAnswer(await login(app.url, ended.email), 200);

      expect((await call(app.url, 'DELETE', `/admin/users/${gone.id}`, as(admin.accessToken))).status).to.equal(204);
      expectProblem(await me(app.url, gone.accessToken), 401, 'INVALID_TOKEN');
      expectProblem(await call(app.url, 'GET', `/admin/users/${gone.id}`, as(admin.accessToken)), 404, 'USER_NOT_FOUND');
      expectProblem(await call(app.url, 'DELETE', `/admin/users/${gone.id}`, as(admin.accessToken)), 404, 'USER_NOT_FOUND');
      const events = await call(app.url, 'GET', `/admin/events?userId=${gone.id}`, as(admin.accessToken));
      expect(events.body.events.map((e: { type: string }) => e.type)).to.include('admin.user_deleted');
      expect(JSON.stringify(events.body)).to.not.include(gone.email);
    });

    it("guards a deployer's own route with the same role guard: 401, 403, then 200 once the role is granted", async () => {
      const own = await backend.start({
        env: { ...NO_THROTTLE, EMAIL_VERIFICATION: 'off' },
        extend: (koa) => {
          const guarded = koa as AuthApp;
          guarded.use(async (ctx, next) => (ctx.path === '/reports' ? guarded.guards.role('analyst')(ctx, async () => void (ctx.body = { ok: true })) : next()));
        },
      });
      try {
        const r = await register(own.app.url, uniqueEmail('analyst'));
        expectProblem(await call(own.app.url, 'GET', '/reports'), 401, 'TOKEN_MISSING');
        expectProblem(await call(own.app.url, 'GET', '/reports', as(r.accessToken)), 403, 'FORBIDDEN');
        await own.app.container.resolve<UserRepository>(TOKENS.UserRepository).update(r.user.id, { roles: ['analyst'] as Role[] });
        const ok = await call(own.app.url, 'GET', '/reports', as(r.accessToken));
        expect([ok.status, ok.body]).to.deep.equal([200, { ok: true }]);
      } finally {
        await own.stop();
      }
    });

    it('lists security events: the caller its own, an admin any, filtered and paged', async () => {
      const admin = await account('auditor', ['admin']);
      const user = await account('audited');
      expectProblem(await login(app.url, user.email, 'a wrong password'), 401, 'INVALID_CREDENTIALS');

      const own = await call(app.url, 'GET', '/auth/events', as(user.accessToken));
      expect(own.status).to.equal(200);
      const types = own.body.events.map((e: { type: string }) => e.type);
      expect(types).to.include.members(['user.registered', 'login.succeeded', 'login.failed']);
      for (const e of own.body.events) expect(e.userId).to.equal(user.id);
      expect(JSON.stringify(own.body)).to.not.include('a wrong password');

      const failed = await call(app.url, 'GET', `/admin/events?type=login.failed&userId=${user.id}&limit=1`, as(admin.accessToken));
      expect(failed.body.events).to.have.length(1);
      expect(failed.body.events[0]).to.include({ type: 'login.failed', userId: user.id });
      expectProblem(await call(app.url, 'GET', '/admin/events?type=nope', as(admin.accessToken)), 400, 'VALIDATION_FAILED');
      expectProblem(await call(app.url, 'GET', '/auth/events'), 401, 'TOKEN_MISSING');
    });

    it('records the device of a password sign-in, right or wrong (the account page names it in the activity)', async () => {
      const user = await account('device');
      const agent = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36';
      expectProblem(await login(app.url, user.email, 'a wrong password', { 'user-agent': agent }), 401, 'INVALID_CREDENTIALS');
      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD, { 'user-agent': agent }), 200);
      const { events } = (await call(app.url, 'GET', '/auth/events', as(user.accessToken))).body as { events: { type: string; userAgent: string | null }[] };
      expect(events.slice(0, 2).map((e) => [e.type, e.userAgent])).to.deep.equal([['login.succeeded', agent], ['login.failed', agent]]);
    });
  });
}
