import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { register } from '../support/http.js';
import { expectInvalidToken, logout, me } from './helpers.js';

/**
 * The `jwt` strategy remembers access tokens it has verified (a bounded cache keyed by the whole
 * token string). Remembering must never let through what verification would refuse.
 */
describe('remembered access tokens', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { ACCESS_TOKEN_TTL: '1' } });
  });
  after(() => app.close());

  it('refuses a remembered token once it has expired (TOKEN_EXPIRED)', async function () {
    // The one test that waits for a real expiry: the cache's own clock is what is under test.
    this.timeout(5000);
    const { accessToken } = await register(app.url);
    expect((await me(app.url, accessToken)).status).to.equal(200);
    expect((await me(app.url, accessToken)).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 2100));
    expectInvalidToken(await me(app.url, accessToken), 'TOKEN_EXPIRED');
  });

  it('refuses a remembered token as soon as its session ends', async () => {
    const { accessToken, refreshToken } = await register(app.url);
    expect((await me(app.url, accessToken)).status).to.equal(200);
    expect((await logout(app.url, refreshToken)).status).to.equal(204);
    expectInvalidToken(await me(app.url, accessToken));
  });

  it('remembers the exact token only: a remembered token with a changed signature is refused', async () => {
    const { accessToken } = await register(app.url);
    expect((await me(app.url, accessToken)).status).to.equal(200);
    const last = accessToken.at(-1) === 'A' ? 'B' : 'A';
    expectInvalidToken(await me(app.url, `${accessToken.slice(0, -1)}${last}`));
    const [header, , signature] = accessToken.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'someone-else', sid: 'x', jti: 'y', exp: 9_999_999_999 })).toString('base64url');
    expectInvalidToken(await me(app.url, `${header}.${forgedPayload}.${signature}`));
  });
});
