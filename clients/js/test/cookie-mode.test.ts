import { expect } from 'chai';
import { GOOD_PASSWORD, uniqueEmail } from '../../../test/support/http.js';
import { createAuthClient, ProblemError } from '../src/index.js';
import { CookieJar, recording, rejectionOf, serviceOnFixedClock } from './support.js';

const ACCESS_TTL = 60;
const SESSION_COOKIES = ['access_token', 'csrf_token', 'refresh_token'];

describe('@auth-api/client in cookie mode, against the real service', function () {
  this.timeout(20_000);
  const service = serviceOnFixedClock({ ACCESS_TOKEN_TTL: String(ACCESS_TTL) });

  /** A browser: a cookie jar under the client's fetch, and the page reading csrf_token (as from document.cookie). */
  function browser() {
    const jar = new CookieJar();
    const rec = recording(jar.fetch);
    const client = createAuthClient({ baseUrl: service.app.url, mode: 'cookie', fetch: rec.fetch, csrfToken: () => jar.get('csrf_token') });
    return { jar, rec, client };
  }

  async function signedInBrowser() {
    const b = browser();
    const email = uniqueEmail('web');
    const result = await b.client.register({ email, password: GOOD_PASSWORD });
    expect(result.kind).to.equal('signed_in');
    b.rec.clear();
    return { ...b, email, user: result.user };
  }

  it('signs in with X-Auth-Mode: cookie: the tokens arrive as the three cookies, none in the client', async () => {
    const { jar, rec, client } = browser();
    const email = uniqueEmail('web');
    await client.register({ email, password: GOOD_PASSWORD });
    expect(rec.sent[0]?.headers['x-auth-mode']).to.equal('cookie');
    expect(jar.names()).to.deep.equal(SESSION_COOKIES);
    expect(await client.hasSession()).to.equal(true);
    expect((await client.me()).email).to.equal(email);
    expect(rec.sent.at(-1)?.headers.authorization).to.equal(undefined);

    await client.logout();
    expect(jar.names(), 'logout clears the cookies').to.deep.equal([]);
    const login = await client.login({ email, password: GOOD_PASSWORD });
    expect(login.kind).to.equal('signed_in');
    expect(rec.sent.at(-1)?.headers['x-auth-mode']).to.equal('cookie');
    expect(jar.names()).to.deep.equal(SESSION_COOKIES);
  });

  it('sends X-CSRF-Token = the csrf_token cookie on unsafe requests; the same request without it is refused 403 CSRF_FAILED', async () => {
    const { jar, rec, client } = await signedInBrowser();
    const csrf = jar.get('csrf_token');
    expect(csrf).to.be.a('string');

    // The same cookies, from a page that cannot read csrf_token: the service refuses the POST.
    const blind = createAuthClient({ baseUrl: service.app.url, mode: 'cookie', fetch: jar.fetch, csrfToken: () => null });
    const refused = (await rejectionOf(blind.logoutAll())) as ProblemError;
    expect(refused).to.be.instanceOf(ProblemError);
    expect([refused.status, refused.code]).to.deep.equal([403, 'CSRF_FAILED']);
    expect(jar.names()).to.deep.equal(SESSION_COOKIES);

    await client.logoutAll();
    const sent = rec.sent.find((s) => s.method === 'POST' && s.path === '/auth/logout-all');
    expect(sent?.headers['x-csrf-token']).to.equal(csrf);
    expect(jar.names(), 'logout-all clears the cookies').to.deep.equal([]);
    expect(rec.sent.filter((s) => s.method === 'GET').every((s) => s.headers['x-csrf-token'] === undefined), 'reads carry no CSRF header').to.equal(true);
  });

  it('parallel calls with an expired access token share one refresh (with the CSRF header), and all succeed', async () => {
    const { jar, rec, client, user } = await signedInBrowser();
    const csrf = jar.get('csrf_token');
    const access = jar.get('access_token');
    service.clock.advance(ACCESS_TTL + 1);

    const users = await Promise.all(Array.from({ length: 10 }, () => client.me()));

    expect(users.map((u) => u.id)).to.deep.equal(Array.from({ length: 10 }, () => user.id));
    expect(rec.count('POST', '/auth/refresh')).to.equal(1);
    const refresh = rec.sent.find((s) => s.path === '/auth/refresh');
    expect(refresh?.headers['x-csrf-token']).to.equal(csrf);
    expect(refresh?.body, 'the refresh token travels as its cookie').to.equal(undefined);
    expect(jar.get('access_token')).to.not.equal(access);
    expect(jar.get('csrf_token'), 'a refresh keeps the session and its CSRF token').to.equal(csrf);
  });

  it('TOKEN_MISSING (the browser dropped the expired access cookie) refreshes while csrf_token says there is a session; without one it is the answer', async () => {
    const { jar, rec, client, user } = await signedInBrowser();
    service.clock.advance(ACCESS_TTL + 1);
    jar.delete('access_token');

    expect((await client.me()).id).to.equal(user.id);
    expect(rec.count('POST', '/auth/refresh')).to.equal(1);
    expect(jar.names()).to.deep.equal(SESSION_COOKIES);

    const stranger = browser();
    const missing = (await rejectionOf(stranger.client.me())) as ProblemError;
    expect([missing.status, missing.code]).to.deep.equal([401, 'TOKEN_MISSING']);
    expect(stranger.rec.count('POST', '/auth/refresh')).to.equal(0);
  });
});
