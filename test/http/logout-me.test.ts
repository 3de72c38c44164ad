import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { FixedClock } from '../support/fixed-clock.js';
import { bearer, call, register, uniqueEmail } from '../support/http.js';
import {
  decodeJwt,
  expectInvalidToken,
  expectProblem,
  expectTokenAnswer,
  expectUser,
  login,
  logout,
  me,
  refresh,
  signAccess,
  USER_KEYS,
} from './helpers.js';

describe('POST /auth/logout', () => {
  let app: TestApp;
  let clock: FixedClock;
  beforeEach(async () => {
    clock = new FixedClock(new Date());
    app = await startTestApp({ clock });
  });
  afterEach(() => app.close());

  it('answers 204 with no body', async () => {
    const r = await register(app.url);
    const res = await logout(app.url, r.refreshToken);
    expect(res.status).to.equal(204);
    expect(res.text).to.equal('');
  });

  it('ends the session: its refresh token and its ACCESS token fail at once', async () => {
    const r = await register(app.url);
    expect((await logout(app.url, r.refreshToken)).status).to.equal(204);
    expectInvalidToken(await refresh(app.url, r.refreshToken));
    expectInvalidToken(await me(app.url, r.accessToken));
  });

  it('accepts the refresh token as Authorization: Bearer', async () => {
    const r = await register(app.url);
    expect((await call(app.url, 'POST', '/auth/logout', { headers: bearer(r.refreshToken) })).status).to.equal(204);
    expectInvalidToken(await me(app.url, r.accessToken));
  });

  it('ends the session when given a token just replaced, within the retry grace', async () => {
    const r = await register(app.url);
    const next = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
    clock.advance(2);
    expect((await logout(app.url, r.refreshToken)).status).to.equal(204);
    expectInvalidToken(await refresh(app.url, next.refreshToken));
    expectInvalidToken(await me(app.url, next.accessToken));
    expectInvalidToken(await me(app.url, r.accessToken));
  });

  it('ends only that session: the user’s other sessions keep working', async () => {
    const r = await register(app.url);
    const other = expectTokenAnswer(await login(app.url, r.email), 200);
    expect((await logout(app.url, r.refreshToken)).status).to.equal(204);
    expect((await me(app.url, other.accessToken)).status).to.equal(200);
    expectTokenAnswer(await refresh(app.url, other.refreshToken), 200);
  });

  it('lets a new sign-in in the same second afterwards work', async () => {
    const r = await register(app.url);
    expect((await logout(app.url, r.refreshToken)).status).to.equal(204);
    const again = expectTokenAnswer(await login(app.url, r.email), 200);
    expect(decodeJwt(again.accessToken).payload.iat).to.equal(decodeJwt(r.accessToken).payload.iat);
    expect((await me(app.url, again.accessToken)).status).to.equal(200);
    expectTokenAnswer(await refresh(app.url, again.refreshToken), 200);
  });

  it('answers 401 to a second logout with the same token', async () => {
    const r = await register(app.url);
    expect((await logout(app.url, r.refreshToken)).status).to.equal(204);
    expectInvalidToken(await logout(app.url, r.refreshToken));
  });

  it('answers 401 without a refresh token, or with an access token', async () => {
    const r = await register(app.url);
    expectInvalidToken(await call(app.url, 'POST', '/auth/logout'));
    expectInvalidToken(await call(app.url, 'POST', '/auth/logout', { headers: bearer(r.accessToken) }));
    expectInvalidToken(await logout(app.url, r.accessToken));
    expect((await me(app.url, r.accessToken)).status, 'the session is untouched').to.equal(200);
  });

  it('answers 401 to an old ancestor and revokes the family (reuse), not 204', async () => {
    const r = await register(app.url);
    const second = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
    const third = expectTokenAnswer(await refresh(app.url, second.refreshToken), 200);
    expectInvalidToken(await logout(app.url, r.refreshToken));
    expectInvalidToken(await refresh(app.url, third.refreshToken));
  });
});

describe('GET /auth/me', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('answers 200 with the user object itself, not wrapped', async () => {
    const email = uniqueEmail('me');
    const reg = expectTokenAnswer(await call(app.url, 'POST', '/auth/register', { json: { email, password: 'correct horse battery', name: 'Me' } }), 201);
    const res = await me(app.url, reg.accessToken);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type') ?? '').to.match(/^application\/json\b/);
    expectUser(res.body);
    expect(Object.keys(res.body as object).sort()).to.deep.equal([...USER_KEYS].sort());
    expect(res.body).to.deep.equal({ id: reg.user.id, email, emailVerified: false, name: 'Me', githubLogin: null, roles: [], mfa: { totp: false, passkeys: 0 }, createdAt: reg.user.createdAt });
  });

  it('answers 401 TOKEN_MISSING with a bare WWW-Authenticate: Bearer when no token is sent', async () => {
    const res = await call(app.url, 'GET', '/auth/me');
    expectProblem(res, 401, 'TOKEN_MISSING');
    expect(res.headers.get('www-authenticate')).to.equal('Bearer');
  });

  it('answers 401 TOKEN_MISSING to another scheme than Bearer', async () => {
    const res = await call(app.url, 'GET', '/auth/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expectProblem(res, 401, 'TOKEN_MISSING');
    expect(res.headers.get('www-authenticate')).to.equal('Bearer');
  });

  it('answers 401 TOKEN_EXPIRED with error="invalid_token" for an expired access token', async () => {
    const r = await register(app.url);
    const { sub, sid } = decodeJwt(r.accessToken).payload;
    const past = Math.floor(Date.now() / 1000) - 60;
    expectInvalidToken(await me(app.url, signAccess({ sub, sid, iat: past - 900, exp: past })), 'TOKEN_EXPIRED');
  });

  it('answers INVALID_TOKEN, not TOKEN_EXPIRED, for an expired token with a forged signature', async () => {
    const r = await register(app.url);
    const { sub, sid } = decodeJwt(r.accessToken).payload;
    const past = Math.floor(Date.now() / 1000) - 60;
    expectInvalidToken(await me(app.url, signAccess({ sub, sid, iat: past - 900, exp: past }, { secret: 'x'.repeat(40) })));
  });

  it('answers 401 INVALID_TOKEN for a bad token', async () => {
    expectInvalidToken(await me(app.url, 'not.a.token'));
  });

  it('answers 401 INVALID_TOKEN for a well-signed token of a session that never existed', async () => {
    const r = await register(app.url);
    expectInvalidToken(await me(app.url, signAccess({ sub: r.user.id, sid: 'never-issued-session' })));
  });

  it('answers 401 to a well-signed token whose sub and sid belong to different users', async () => {
    const a = await register(app.url);
    const b = await register(app.url);
    const sidOfB = decodeJwt(b.accessToken).payload.sid;
    expectInvalidToken(await me(app.url, signAccess({ sub: a.user.id, sid: sidOfB })));
  });
});
