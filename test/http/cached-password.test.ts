import { expect } from 'chai';
import type { TestApp } from '../support/app.js';
import { DATABASE_BACKENDS } from '../support/backends.js';
import { FixedClock } from '../support/fixed-clock.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail } from '../support/http.js';
import { expectProblem, expectTokenAnswer, login, me, NO_THROTTLE, type TokenAnswer } from './helpers.js';

/**
 * With the in-process cache on (CACHE_TTL_MS, far longer than the test), the user behind
 * GET /auth/me and a password change is served from memory. A password change must forget the
 * cached hash at once: the old password must not keep working as "current password" until the
 * entry expires.
 */
for (const backend of DATABASE_BACKENDS) {
  describe(`the cached user after a password change, CACHE_TTL_MS=60000, on ${backend.name}`, function () {
    this.timeout(20_000);
    let app: TestApp;
    let stop: (() => Promise<void>) | undefined;
    before(async function () {
      if (!(await backend.available())) this.skip();
      ({ app, stop } = await backend.start({ clock: new FixedClock(new Date()), env: { CACHE_TTL_MS: '60000', ...NO_THROTTLE } }));
    });
    after(async () => {
      if (stop) await stop();
    });

    const changePassword = (accessToken: string, currentPassword: string, newPassword: string) =>
      call<TokenAnswer>(app.url, 'POST', '/auth/password', { json: { currentPassword, newPassword }, headers: bearer(accessToken) });

    it('refuses the old password as the current one right after it was changed, and takes the new one', async () => {
      const second = 'a second passphrase, long enough';
      const third = 'a third passphrase, long enough';
      const reg = await register(app.url, uniqueEmail('cached-pw'));
      expect((await me(app.url, reg.accessToken)).status, 'the user is now cached').to.equal(200);

      const changed = expectTokenAnswer(await changePassword(reg.accessToken, GOOD_PASSWORD, second), 200);
      expect((await me(app.url, changed.accessToken)).status).to.equal(200);

      expectProblem(await changePassword(changed.accessToken, GOOD_PASSWORD, third), 401, 'INVALID_CREDENTIALS');
      expectProblem(await login(app.url, reg.email, GOOD_PASSWORD), 401, 'INVALID_CREDENTIALS');
      expectTokenAnswer(await changePassword(changed.accessToken, second, third), 200);
      expectTokenAnswer(await login(app.url, reg.email, third), 200);
    });
  });
}
