import { expect } from 'chai';
import { call, GOOD_PASSWORD, uniqueEmail } from '../../../test/support/http.js';
import { createAuthClient, memoryStorage, ProblemError, type AuthClientOptions, type FetchLike, type StoredTokens } from '../src/index.js';
import { claimsOf, recording, rejectionOf, serviceOnFixedClock } from './support.js';

const ACCESS_TTL = 60;

describe('@auth-api/client: refresh in Bearer mode, against the real service', function () {
  this.timeout(20_000);
  const service = serviceOnFixedClock({ ACCESS_TOKEN_TTL: String(ACCESS_TTL) });

  /** Past the access token's life, and past the 10-second retry grace of the last rotation. */
  const expireAccessToken = () => service.clock.advance(ACCESS_TTL + 1);

  /** A client signed in with a new account; `wrap` goes around the recording fetch. */
  async function signedIn(options: Partial<AuthClientOptions> = {}, wrap: (inner: FetchLike) => FetchLike = (f) => f) {
    const rec = recording();
    const storage = memoryStorage();
    const client = createAuthClient({ baseUrl: service.app.url, mode: 'bearer', storage, fetch: wrap(rec.fetch), ...options });
    const email = uniqueEmail('client');
    const result = await client.register({ email, password: GOOD_PASSWORD });
    expect(result.kind).to.equal('signed_in');
    const tokens = (await storage.get()) as StoredTokens;
    expect(tokens.accessToken).to.be.a('string');
    rec.clear();
    return { client, storage, rec, email, user: result.user, tokens };
  }

  it('sends the access token as Authorization: Bearer, and keeps both tokens in the storage', async () => {
    const { client, rec, tokens, user } = await signedIn();
    expect((await client.me()).id).to.equal(user.id);
    expect(rec.sent).to.have.length(1);
    expect(rec.sent[0]?.headers.authorization).to.equal(`Bearer ${tokens.accessToken}`);
    expect(rec.sent[0]?.headers['x-auth-mode']).to.equal(undefined);
  });

  it('20 parallel me() after the access token expired share exactly one POST /auth/refresh (one rotation), and all 20 succeed', async () => {
    const { client, storage, rec, user, tokens } = await signedIn();
    expireAccessToken();

    const users = await Promise.all(Array.from({ length: 20 }, () => client.me()));

    expect(users.map((u) => u.id)).to.deep.equal(Array.from({ length: 20 }, () => user.id));
    expect(rec.count('POST', '/auth/refresh'), 'refresh requests').to.equal(1);
    expect(rec.count('GET', '/auth/me'), 'each call once expired, once retried').to.equal(40);
    const after = (await storage.get()) as StoredTokens;
    expect(after.refreshToken).to.not.equal(tokens.refreshToken);
    expect(after.accessToken).to.not.equal(tokens.accessToken);
    // One rotation: the first refresh token is still the direct predecessor of the newest one, so
    // (within the grace) the service answers that same successor again. After a second rotation
    // it would be an older ancestor: reuse, and the session would end.
    const again = await call(service.app.url, 'POST', '/auth/refresh', { json: { refreshToken: tokens.refreshToken } });
    expect(again.status, again.text).to.equal(200);
    expect(claimsOf((again.body as StoredTokens).refreshToken).jti).to.equal(claimsOf(after.refreshToken).jti);
    expect(await client.sessions()).to.have.length(1);
  });

  it('a refresh whose answer is lost is retried once with the same refresh token (the grace), and the client stays signed in', async () => {
    let lost = 0;
    const losesFirstRefreshAnswer = (inner: FetchLike): FetchLike => async (url, init) => {
      const res = await inner(url, init);
      if (new URL(url).pathname === '/auth/refresh' && lost === 0) {
        lost++;
        await res.text(); // the service answered (and rotated); the client never sees it
        throw new TypeError('fetch failed: the connection dropped before the answer arrived');
      }
      return res;
    };
    const { client, storage, rec, user, tokens } = await signedIn({}, losesFirstRefreshAnswer);
    expireAccessToken();

    expect((await client.me()).id).to.equal(user.id);

    expect(lost).to.equal(1);
    const refreshes = rec.sent.filter((s) => s.path === '/auth/refresh');
    expect(refreshes.map((s) => (s.body as { refreshToken: string }).refreshToken)).to.deep.equal([tokens.refreshToken, tokens.refreshToken]);
    const after = (await storage.get()) as StoredTokens;
    expect(after.refreshToken).to.not.equal(tokens.refreshToken);
    // The session lives on: the next expiry refreshes as usual (no reuse was detected).
    expireAccessToken();
    expect((await client.me()).id).to.equal(user.id);
    expect(rec.count('POST', '/auth/refresh')).to.equal(3);
    expect(await client.sessions()).to.have.length(1);
  });

  it('a refresh with no answer within refreshTimeoutMs counts as lost: aborted, and retried once with the same refresh token', async () => {
    let stalled = 0;
    // The first refresh reaches the service, whose answer then never arrives (until the client gives up on it).
    const stallsFirstRefresh = (inner: FetchLike): FetchLike => async (url, init) => {
      const res = await inner(url, init);
      if (new URL(url).pathname !== '/auth/refresh' || stalled++ > 0) return res;
      return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted: no answer'))));
    };
    const { client, rec, user, tokens } = await signedIn({ refreshTimeoutMs: 100 }, stallsFirstRefresh);
    expireAccessToken();

    expect((await client.me()).id).to.equal(user.id);
    const refreshes = rec.sent.filter((s) => s.path === '/auth/refresh');
    expect(refreshes.map((s) => (s.body as { refreshToken: string }).refreshToken)).to.deep.equal([tokens.refreshToken, tokens.refreshToken]);
    expect(await client.sessions()).to.have.length(1);
  });

  it('a refresh that answers 401 ends the session: every waiting call rejects with that ProblemError, the storage is cleared, onSessionEnd runs once', async () => {
    const ended: ProblemError[] = [];
    let sessionEnded = (): void => undefined;
    const afterTheEnd = new Promise<void>((resolve) => (sessionEnded = resolve));
    // One call's 401 is held back until the session has ended: a late arrival gets the same error.
    let calls = 0;
    const holdsOneAnswer = (inner: FetchLike): FetchLike => async (url, init) => {
      const res = await inner(url, init);
      if (new URL(url).pathname === '/auth/me' && ++calls === 20) await afterTheEnd;
      return res;
    };
    const onSessionEnd = (reason: ProblemError) => {
      ended.push(reason);
      sessionEnded();
    };
    const { client, storage, rec, tokens } = await signedIn({ onSessionEnd }, holdsOneAnswer);
    // Someone else spends the refresh token, and the grace passes: the client's refresh is reuse.
    const stolen = await call(service.app.url, 'POST', '/auth/refresh', { json: { refreshToken: tokens.refreshToken } });
    expect(stolen.status, stolen.text).to.equal(200);
    expireAccessToken();

    const results = await Promise.allSettled(Array.from({ length: 20 }, () => client.me()));

    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as unknown) : r.value));
    const first = reasons[0] as ProblemError;
    expect(first).to.be.instanceOf(ProblemError);
    expect(first.status).to.equal(401);
    expect(first.code).to.equal('INVALID_TOKEN');
    expect(new Set(reasons).size, 'every call rejected with the one refresh failure').to.equal(1);
    expect(rec.count('POST', '/auth/refresh')).to.equal(1);
    expect(rec.count('GET', '/auth/me'), 'none retried').to.equal(20);
    expect(await storage.get()).to.equal(null);
    expect(await client.hasSession()).to.equal(false);
    expect(ended).to.have.length(1);
    expect(ended[0]).to.equal(first);
    // Signed out now: a call is answered TOKEN_MISSING, and tries no refresh.
    const later = (await rejectionOf(client.me())) as ProblemError;
    expect(later.code).to.equal('TOKEN_MISSING');
    expect(rec.count('POST', '/auth/refresh')).to.equal(1);
  });

  it('INVALID_CREDENTIALS never triggers a refresh: a wrong current password is answered once, not retried', async () => {
    const { client, rec, email } = await signedIn();
    const wrong = (await rejectionOf(client.request('POST', '/auth/password', { currentPassword: 'not the password at all', newPassword: 'an entirely new passphrase 42' }))) as ProblemError;
    expect(wrong).to.be.instanceOf(ProblemError);
    expect([wrong.status, wrong.code]).to.deep.equal([401, 'INVALID_CREDENTIALS']);
    expect(rec.count('POST', '/auth/password'), 'sent once: a retry would count twice against the throttle').to.equal(1);

    const badLogin = (await rejectionOf(client.login({ email, password: 'not the password at all' }))) as ProblemError;
    expect(badLogin.code).to.equal('INVALID_CREDENTIALS');
    expect(rec.count('POST', '/auth/refresh')).to.equal(0);
    expect(rec.count('POST', '/auth/login')).to.equal(1);
  });

  it('a password change through request() keeps the new session it answers', async () => {
    const { client, storage, tokens, user } = await signedIn();
    await client.request('POST', '/auth/password', { currentPassword: GOOD_PASSWORD, newPassword: 'an entirely new passphrase 42' });
    const after = (await storage.get()) as StoredTokens;
    expect(after.refreshToken).to.not.equal(tokens.refreshToken);
    expect((await client.me()).id).to.equal(user.id);
  });

  it('logout ends the session on the service and forgets the tokens; logoutAll ends every session', async () => {
    const { client, storage, tokens, email } = await signedIn();
    await client.logout();
    expect(await storage.get()).to.equal(null);
    expect((await call(service.app.url, 'POST', '/auth/refresh', { json: { refreshToken: tokens.refreshToken } })).status).to.equal(401);

    const other = createAuthClient({ baseUrl: service.app.url, mode: 'bearer' });
    const signed = await client.login({ email, password: GOOD_PASSWORD });
    expect(signed.kind).to.equal('signed_in');
    expect((await other.login({ email, password: GOOD_PASSWORD })).kind).to.equal('signed_in');
    await client.logoutAll();
    expect(await client.hasSession()).to.equal(false);
    const ended = (await rejectionOf(other.me())) as ProblemError;
    expect([ended.status, ended.code]).to.deep.equal([401, 'INVALID_TOKEN']);
  });
});

describe('@auth-api/client: ProblemError', function () {
  this.timeout(20_000);
  const service = serviceOnFixedClock({ LOGIN_MAX_FAILURES: '2' });

  it('carries the problem+json: status, code, detail and every failing field', async () => {
    const client = createAuthClient({ baseUrl: service.app.url });
    const err = (await rejectionOf(client.register({ email: 'not an email', password: 'short' }))) as ProblemError;
    expect(err).to.be.instanceOf(ProblemError).and.instanceOf(Error);
    expect(err.status).to.equal(400);
    expect(err.code).to.equal('VALIDATION_FAILED');
    expect(err.detail).to.be.a('string').and.not.equal('');
    expect(err.message).to.equal(err.detail);
    expect(err.errors.map((e) => e.field).sort()).to.deep.equal(['email', 'password']);
    expect(err.retryAfter).to.equal(null);
  });

  it('carries Retry-After as retryAfter (429 TOO_MANY_ATTEMPTS)', async () => {
    const client = createAuthClient({ baseUrl: service.app.url });
    const email = uniqueEmail('throttled');
    for (let i = 0; i < 2; i++) await rejectionOf(client.login({ email, password: 'wrong password here' }));
    const err = (await rejectionOf(client.login({ email, password: 'wrong password here' }))) as ProblemError;
    expect([err.status, err.code]).to.deep.equal([429, 'TOO_MANY_ATTEMPTS']);
    expect(err.retryAfter).to.be.a('number').and.greaterThan(0);
  });
});
