import { expect } from 'chai';
import type { TestApp } from '../support/app.js';
import { DATABASE_BACKENDS } from '../support/backends.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail, type ApiResponse } from '../support/http.js';
import { expectProblem, expectTokenAnswer, login } from './helpers.js';
import { freshAddress, from } from '../support/throttling.js';

/**
 * docs/security.md, Throttling: "Password change and reset count a wrong current password exactly once per
 * request", against each of the three counts (the pair, the IP and the account). Each test sits
 * exactly at a boundary, so counting zero times or twice moves the answer.
 */

const PAIR_MAX = 3;
const IP_MAX = 5;
const ACCOUNT_MAX = 4;
const WRONG_PASSWORD = 'not the password';


const expectInvalidCredentials = (res: ApiResponse, label: string) => {
  expect(res.status, `${label}: ${res.text}`).to.equal(401);
  expectProblem(res, 401, 'INVALID_CREDENTIALS');
};

for (const backend of DATABASE_BACKENDS) {
  describe(`a wrong current password on POST /auth/password counts exactly once, on ${backend.name}`, function () {
    this.timeout(30_000);

    let app: TestApp;
    let stop: (() => Promise<void>) | undefined;
    before(async function () {
      if (!(await backend.available())) this.skip();
      ({ app, stop } = await backend.start({
        env: {
          TRUST_PROXY: 'true',
          LOGIN_MAX_FAILURES: String(PAIR_MAX),
          LOGIN_IP_MAX_FAILURES: String(IP_MAX),
          LOGIN_ACCOUNT_MAX_FAILURES: String(ACCOUNT_MAX),
          REGISTER_PER_IP_PER_HOUR: '1000',
        },
      }));
    });
    after(async () => {
      if (stop) await stop();
    });

    const wrongChange = async (accessToken: string, ip: string) => {
      const res = await call(app.url, 'POST', '/auth/password', {
        json: { currentPassword: WRONG_PASSWORD, newPassword: 'a brand new passphrase' },
        headers: { ...bearer(accessToken), ...from(ip) },
      });
      expectInvalidCredentials(res, 'a wrong current password');
    };

    it(`against the (email, IP) pair: one wrong change and ${PAIR_MAX - 2} wrong login leave room; one more login reaches the limit of ${PAIR_MAX}`, async () => {
      const user = await register(app.url);
      const ip = freshAddress();
      await wrongChange(user.accessToken, ip);
      for (let i = 0; i < PAIR_MAX - 2; i++) expectInvalidCredentials(await login(app.url, user.email, WRONG_PASSWORD, from(ip)), 'a wrong login');

      expectInvalidCredentials(await login(app.url, user.email, WRONG_PASSWORD, from(ip)), `failure ${PAIR_MAX}: still checked`);

      expectProblem(await login(app.url, user.email, GOOD_PASSWORD, from(ip)), 429, 'TOO_MANY_ATTEMPTS');
    });

    it(`against the IP: one wrong change and ${IP_MAX - 2} wrong logins for other emails, then the ${IP_MAX}th failure is still checked and the next refused`, async () => {
      const user = await register(app.url);
      const ip = freshAddress();
      await wrongChange(user.accessToken, ip);
      for (let i = 0; i < IP_MAX - 2; i++) expectInvalidCredentials(await login(app.url, uniqueEmail('spray'), WRONG_PASSWORD, from(ip)), `spray ${i + 1}`);

      expectInvalidCredentials(await login(app.url, uniqueEmail('spray'), WRONG_PASSWORD, from(ip)), `failure ${IP_MAX}`);

      expectProblem(await login(app.url, uniqueEmail('fresh'), WRONG_PASSWORD, from(ip)), 429, 'TOO_MANY_ATTEMPTS');
    });

    it(`against the account: one wrong change and ${ACCOUNT_MAX - 2} wrong logins from other addresses, then the ${ACCOUNT_MAX}th is still checked and the next refused`, async () => {
      const user = await register(app.url);
      await wrongChange(user.accessToken, freshAddress());
      for (let i = 0; i < ACCOUNT_MAX - 2; i++) expectInvalidCredentials(await login(app.url, user.email, WRONG_PASSWORD, from(freshAddress())), `failure ${i + 2}`);

      expectInvalidCredentials(await login(app.url, user.email, WRONG_PASSWORD, from(freshAddress())), `failure ${ACCOUNT_MAX}`);

      expectProblem(await login(app.url, user.email, GOOD_PASSWORD, from(freshAddress())), 429, 'TOO_MANY_ATTEMPTS');
    });

    it('in cookie mode too: one request, one count', async () => {
      const user = await register(app.url);
      const ip = freshAddress();
      const signedIn = await call(app.url, 'POST', '/auth/login', { json: { email: user.email, password: GOOD_PASSWORD }, headers: { 'x-auth-mode': 'cookie', ...from(ip) } });
      expect(signedIn.status, signedIn.text).to.equal(200);
      const cookies = new Map(signedIn.headers.getSetCookie().map((line) => {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        return [pair.slice(0, eq), pair.slice(eq + 1)] as const;
      }));
      const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await call(app.url, 'POST', '/auth/password', {
        json: { currentPassword: WRONG_PASSWORD, newPassword: 'a brand new passphrase' },
        headers: { cookie, 'x-csrf-token': cookies.get('csrf_token') ?? '', ...from(ip) },
      });
      expectInvalidCredentials(res, 'a wrong current password in cookie mode');

      expectInvalidCredentials(await login(app.url, user.email, WRONG_PASSWORD, from(ip)), `failure 2 of ${PAIR_MAX}`);
      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD, from(ip)), 200);
    });
  });
}
