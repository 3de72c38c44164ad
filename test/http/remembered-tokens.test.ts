import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { FixedClock } from '../support/fixed-clock.js';
import { register } from '../support/http.js';
import { decodeJwt, expectInvalidToken, expectTokenAnswer, logout, me, refresh } from './helpers.js';

/**
 * The `jwt` strategy remembers access tokens it has verified (a bounded cache keyed by the whole
 * token string). Remembering must never let through what verification would refuse. Time is the
 * app's Clock, moved by hand: the cache and jsonwebtoken's own `exp` check both read it, so no
 * test here waits for a second to pass or depends on where in a second it runs.
 */
describe('remembered access tokens', () => {
  let app: TestApp;
  let clock: FixedClock;
  beforeEach(async () => {
    clock = new FixedClock(new Date());
    app = await startTestApp({ clock, env: { ACCESS_TOKEN_TTL: '60' } });
  });
  afterEach(() => app.close());

  /** Puts the clock `ms` milliseconds after the second `exp` names. */
  const atExpPlus = (token: string, ms: number) => clock.set(new Date(decodeJwt(token).payload.exp * 1000 + ms));

  it('serves a remembered token up to the last millisecond before its exp, and refuses it from exp on (TOKEN_EXPIRED)', async () => {
    const { accessToken } = await register(app.url);
    expect((await me(app.url, accessToken)).status).to.equal(200);
    expect((await me(app.url, accessToken)).status, 'served from memory').to.equal(200);

    atExpPlus(accessToken, -1);
    expect((await me(app.url, accessToken)).status, 'one millisecond before exp').to.equal(200);

    atExpPlus(accessToken, 0);
    expectInvalidToken(await me(app.url, accessToken), 'TOKEN_EXPIRED');
    expectInvalidToken(await me(app.url, accessToken), 'TOKEN_EXPIRED');
  });

  it('judges a token it has not seen before by the clock too (jsonwebtoken’s own exp check)', async () => {
    const { accessToken } = await register(app.url);

    atExpPlus(accessToken, 0);

    expectInvalidToken(await me(app.url, accessToken), 'TOKEN_EXPIRED');
  });

  it('goes by the clock, not the wall clock: tokens issued a year ago on it are good while it says so', async () => {
    clock.set(new Date(Date.now() - 365 * 24 * 3600 * 1000));
    const r = await register(app.url);
    expect(decodeJwt(r.accessToken).payload.exp * 1000, 'long past on the wall clock').to.be.below(Date.now());

    expect((await me(app.url, r.accessToken)).status).to.equal(200);
    expect((await me(app.url, r.accessToken)).status).to.equal(200);
    const rotated = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
    expect((await me(app.url, rotated.accessToken)).status).to.equal(200);
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
