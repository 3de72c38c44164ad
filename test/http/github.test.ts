import { expect } from 'chai';
import { generate } from 'otplib';
import jwt from 'jsonwebtoken';
import { InMemoryTokenStore } from '../../src/adapters/persistence/memory/in-memory-token-store.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { ServiceUnavailableError } from '../../src/domain/errors.js';
import type { TokenStore } from '../../src/domain/ports/token-store.js';
import type { JwtSettings } from '../../src/config/jwt-settings.js';
import { aGithubAccount, GithubStandIn, startGithubTestApp, WEB_APP_URL, type GithubAccount, type GithubTestApp } from '../support/github-stand-in.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail } from '../support/http.js';
import {
  Browser,
  callbackOutcome,
  consentAtGithub,
  expectFlowError,
  expectSignedIn,
  expiryOf,
  githubFlow,
  isExpiring,
  returnToService,
  setCookieNamed,
  startFlow,
  type ParsedSetCookie,
} from './github-browser.js';
import { basic, expectProblem, expectRequestId, expectUser, login, type TokenAnswer } from './helpers.js';

type PublicUser = TokenAnswer['user'];

const STATE_COOKIE = 'oauth_state';
const LINK_COOKIE = 'link_nonce';

const verified = (email: string) => [{ email, primary: true, verified: true, visibility: 'private' as const }];

/** GET /auth/me with the browser's cookies (cookie mode): the signed-in user. */
async function meByCookie(browser: Browser): Promise<PublicUser> {
  const res = await browser.call('GET', '/auth/me');
  expect(res.status, `GET /auth/me by cookie (${res.text})`).to.equal(200);
  expectUser(res.body);
  return res.body;
}

async function meByBearer(app: GithubTestApp, accessToken: string): Promise<PublicUser> {
  const res = await call(app.url, 'GET', '/auth/me', { headers: bearer(accessToken) });
  expect(res.status, `GET /auth/me (${res.text})`).to.equal(200);
  expectUser(res.body);
  return res.body;
}

/** The state cookie the flow's start set, with its attributes. */
function stateCookieOf(res: { headers: Headers }): ParsedSetCookie {
  const c = setCookieNamed(res, STATE_COOKIE);
  expect(c, `Set-Cookie ${STATE_COOKIE}`).to.not.equal(undefined);
  return c as ParsedSetCookie;
}

describe('GitHub sign-in (docs/github-sign-in.md)', function () {
  let standIn: GithubStandIn;

  before(async () => {
    standIn = await GithubStandIn.start();
  });
  after(() => standIn.close());
  beforeEach(() => standIn.reset());

  describe('with GitHub off (no GITHUB_* settings)', () => {
    let app: GithubTestApp;
    before(async () => {
      app = await startGithubTestApp(null);
    });
    after(() => app.close());

    it('answers GET /auth/github with a 404 problem GITHUB_NOT_CONFIGURED', async () => {
      const res = await call(app.url, 'GET', '/auth/github');
      expectProblem(res, 404, 'GITHUB_NOT_CONFIGURED');
      expect(res.headers.get('location')).to.equal(null);
    });

    it('answers GET /auth/github/callback with a 404 problem GITHUB_NOT_CONFIGURED, whatever the query', async () => {
      for (const query of ['', '?code=abc&state=def', '?error=access_denied']) {
        const res = await call(app.url, 'GET', `/auth/github/callback${query}`);
        expectProblem(res, 404, 'GITHUB_NOT_CONFIGURED');
      }
    });

    it('answers POST /auth/github/link with a 404 problem GITHUB_NOT_CONFIGURED, signed in or not', async () => {
      const { accessToken } = await register(app.url);
      expectProblem(await call(app.url, 'POST', '/auth/github/link', { headers: bearer(accessToken) }), 404, 'GITHUB_NOT_CONFIGURED');
      expectProblem(await call(app.url, 'POST', '/auth/github/link'), 404, 'GITHUB_NOT_CONFIGURED');
    });
  });

  for (const persistence of ['memory', 'sqlite'] as const) {
    describe(`accounts (${persistence === 'memory' ? 'in-memory adapters' : 'knex adapters on SQLite'})`, () => {
      let app: GithubTestApp;
      before(async () => {
        app = await startGithubTestApp(standIn, { persistence });
      });
      after(() => app.close());

      const browser = () => new Browser(app, standIn);

      /** A full GitHub sign-in of `account` in a fresh browser, expected to succeed. */
      async function signInAs(account: GithubAccount): Promise<{ browser: Browser; user: PublicUser }> {
        standIn.account = account;
        const b = browser();
        const { callback } = await githubFlow(b, app, standIn);
        expectSignedIn(callback);
        return { browser: b, user: await meByCookie(b) };
      }

      /** A full GitHub flow of `account` in a fresh browser, expected to end with `?error=code`. */
      async function refusedAs(account: GithubAccount, code: string): Promise<Browser> {
        standIn.account = account;
        const b = browser();
        const { callback } = await githubFlow(b, app, standIn);
        expectFlowError(callback, code);
        expect((await b.call('GET', '/auth/me')).status, 'not signed in').to.equal(401);
        return b;
      }

      /** POST /auth/github/link from `b`, authenticated by `headers`: the link URL. */
      async function linkUrl(b: Browser, headers: Record<string, string>): Promise<string> {
        const res = await b.call('POST', '/auth/github/link', { headers });
        expect(res.status, `POST /auth/github/link (${res.text})`).to.equal(200);
        const url = (res.body as { url: unknown }).url;
        expect(url).to.be.a('string');
        return url as string;
      }

      describe('a new GitHub identity', () => {
        it('with a verified primary email creates a user with that email and signs them in (cookie mode)', async () => {
          const account = aGithubAccount({ name: 'Mona Lisa Octocat' });
          const before = await app.userCount();
          const { user } = await signInAs(account);
          expect(user.email).to.equal(account.emails[0]?.email);
          expect(user.githubLogin).to.equal(account.login);
          expect(user.name).to.equal('Mona Lisa Octocat');
          expect(await app.userCount()).to.equal(before + 1);
        });

        it('stores the verified email lower-cased and trimmed', async () => {
          const account = aGithubAccount();
          const { user } = await signInAs({ ...account, emails: verified(`  Mixed.Case.${account.id}@Example.COM `) });
          expect(user.email).to.equal(`mixed.case.${account.id}@example.com`);
        });

        it('uses the primary email only: a verified secondary email is not taken', async () => {
          const account = aGithubAccount();
          const { user } = await signInAs({
            ...account,
            emails: [
              { email: `secondary.${account.id}@example.com`, primary: false, verified: true, visibility: null },
              { email: `primary.${account.id}@example.com`, primary: true, verified: true, visibility: 'private' },
            ],
          });
          expect(user.email).to.equal(`primary.${account.id}@example.com`);
        });

        it('whose primary email is unverified creates a user without email (a verified secondary one is not used)', async () => {
          const account = aGithubAccount();
          const { user } = await signInAs({
            ...account,
            emails: [
              { email: `unverified.${account.id}@example.com`, primary: true, verified: false, visibility: 'public' },
              { email: `other.${account.id}@example.com`, primary: false, verified: true, visibility: null },
            ],
          });
          expect(user.email).to.equal(null);
          expect(user.githubLogin).to.equal(account.login);
        });

        it('with an empty email list creates a user without email', async () => {
          const account = aGithubAccount({ emails: [] });
          const { user } = await signInAs(account);
          expect(user.email).to.equal(null);
          expect(user.githubLogin).to.equal(account.login);
        });

        it('whose email list GitHub refuses (403: no email scope) creates a user without email', async () => {
          standIn.emailsMode = 'forbidden';
          const { user } = await signInAs(aGithubAccount());
          expect(user.email).to.equal(null);
        });

        it('without a name at GitHub creates a user whose name is null', async () => {
          const { user } = await signInAs(aGithubAccount({ name: null }));
          expect(user.name).to.equal(null);
        });

        it('whose unverified email equals an existing account\'s email creates a separate account without email', async () => {
          const existing = await register(app.url, uniqueEmail('unverified-clash'));
          const account = aGithubAccount();
          const { user } = await signInAs({ ...account, emails: [{ email: existing.email, primary: true, verified: false, visibility: null }] });
          expect(user.id).to.not.equal(existing.user.id);
          expect(user.email).to.equal(null);
          expect((await meByBearer(app, existing.accessToken)).githubLogin).to.equal(null);
        });

        it('exchanges the code with the client secret, the callback URL and a PKCE verifier matching the challenge', async () => {
          standIn.account = aGithubAccount();
          const b = browser();
          const { flow, callback } = await githubFlow(b, app, standIn);
          expectSignedIn(callback);
          const token = standIn.lastTokenRequest();
          expect(token.refusal, 'the stand-in accepted the exchange').to.equal(null);
          expect(token.params.client_id).to.equal(standIn.clientId);
          expect(token.params.client_secret).to.equal(standIn.clientSecret);
          expect(token.params.redirect_uri).to.equal(`${app.url}/auth/github/callback`);
          expect(token.params.grant_type).to.equal('authorization_code');
          expect(token.params.code_verifier).to.match(/^[A-Za-z0-9_-]{43,128}$/);
          expect(standIn.lastAuthorizeRequest().codeChallenge).to.equal(flow.codeChallenge);
        });

        it('is the same account for two concurrent first sign-ins of one identity', async () => {
          const account = aGithubAccount();
          standIn.account = account;
          const [a, b] = [browser(), browser()];
          const [flowA, flowB] = [await startFlow(a, app, standIn), await startFlow(b, app, standIn)];
          const [backA, backB] = [await consentAtGithub(a, app, flowA), await consentAtGithub(b, app, flowB)];
          const countBefore = await app.userCount();
          standIn.emailsBarrier = 2; // both profiles arrive together: the two sign-ins race in the use case
          const [resA, resB] = await Promise.all([returnToService(a, backA), returnToService(b, backB)]);
          expectSignedIn(resA);
          expectSignedIn(resB);
          const [userA, userB] = [await meByCookie(a), await meByCookie(b)];
          expect(userA.id).to.equal(userB.id);
          expect(await app.userCount()).to.equal(countBefore + 1);
        });
      });

      describe('a GitHub identity seen before', () => {
        it('signs the same user in again', async () => {
          const account = aGithubAccount();
          const first = await signInAs(account);
          const again = await signInAs(account);
          expect(again.user.id).to.equal(first.user.id);
        });

        it('is matched by the numeric id even when login and email changed at GitHub, and shows the new login', async () => {
          const account = aGithubAccount();
          const first = await signInAs(account);
          const countBefore = await app.userCount();
          const renamed = { ...account, login: `${account.login}-renamed`, emails: verified(`renamed.${account.id}@example.com`) };
          const again = await signInAs(renamed);
          expect(again.user.id).to.equal(first.user.id);
          expect(again.user.githubLogin).to.equal(renamed.login);
          expect(await app.userCount()).to.equal(countBefore);
          // The first browser's session sees the new login too.
          expect((await meByCookie(first.browser)).githubLogin).to.equal(renamed.login);
        });

        it('is never matched by login: another numeric id with a recycled login is another account', async () => {
          const original = aGithubAccount();
          const first = await signInAs(original);
          const recycled = aGithubAccount({ login: original.login, emails: verified(uniqueEmail('recycled')) });
          const second = await signInAs(recycled);
          expect(second.user.id).to.not.equal(first.user.id);
          expect(second.user.githubLogin).to.equal(original.login);
        });
      });

      describe('a new GitHub identity whose verified email belongs to an existing account', () => {
        it('ends with ?error=account_exists: no cookies, no new user, the account unchanged', async () => {
          const owner = await register(app.url, uniqueEmail('owner'));
          const countBefore = await app.userCount();
          const account = aGithubAccount({ emails: verified(owner.email.toUpperCase()) });
          await refusedAs(account, 'account_exists');
          expect(await app.userCount(), 'no user created').to.equal(countBefore);
          const mine = await meByBearer(app, owner.accessToken);
          expect(mine.githubLogin, 'GitHub is not linked to the account').to.equal(null);
          expect(mine.email).to.equal(owner.email);
          expect((await login(app.url, owner.email, GOOD_PASSWORD)).status, 'the password still logs in').to.equal(200);
        });

        it('ends with account_exists again on a second try: nothing was half-created', async () => {
          const owner = await register(app.url, uniqueEmail('owner-twice'));
          const account = aGithubAccount({ emails: verified(owner.email) });
          await refusedAs(account, 'account_exists');
          await refusedAs(account, 'account_exists');
        });

        it('can be linked by the owner from a signed-in session; GitHub then signs into that account', async () => {
          const owner = await register(app.url, uniqueEmail('owner-links'));
          const account = aGithubAccount({ emails: verified(owner.email) });
          await refusedAs(account, 'account_exists');

          standIn.account = account;
          const b = browser();
          const url = await linkUrl(b, bearer(owner.accessToken));
          expectSignedIn((await githubFlow(b, app, standIn, url)).callback);
          expect((await meByBearer(app, owner.accessToken)).githubLogin).to.equal(account.login);
          expect((await signInAs(account)).user.id).to.equal(owner.user.id);
        });
      });

      describe('the access token of a GitHub sign-in without TOTP', () => {
        it('carries amr exactly ["fed"], for a new identity and for one seen before', async () => {
          const account = aGithubAccount();
          for (const round of ['new', 'seen before']) {
            standIn.account = account;
            const { callback } = await githubFlow(browser(), app, standIn);
            expectSignedIn(callback);
            const access = setCookieNamed(callback, 'access_token');
            expect((jwt.decode(access?.value ?? '') as { amr?: string[] } | null)?.amr, round).to.deep.equal(['fed']);
          }
        });
      });

      describe('a GitHub sign-in of an account with TOTP on', () => {
        it('sets no session: 302 to WEB_APP_URL?mfa=required with an HttpOnly mfa_token cookie (Path=/auth/mfa, 5 minutes); a code completes it in cookie mode, amr fed+otp', async () => {
          const account = aGithubAccount();
          const { browser: first } = await signInAs(account);
          const csrf = { 'x-csrf-token': first.cookie('csrf_token', '/auth/me') ?? '' };
          const start = await first.call('POST', '/auth/mfa/totp', { headers: csrf, json: {} });
          expect(start.status, start.text).to.equal(200);
          const { secret } = start.body as { secret: string };
          const code = await generate({ secret, algorithm: 'sha1', digits: 6, period: 30 });
          const confirm = await first.call('POST', '/auth/mfa/totp/confirm', { headers: csrf, json: { code } });
          expect(confirm.status, confirm.text).to.equal(200);
          const [recovery] = (confirm.body as { recoveryCodes: string[] }).recoveryCodes;

          standIn.account = account;
          const b = browser();
          const { callback } = await githubFlow(b, app, standIn);
          expect(callback.status).to.equal(302);
          const back = new URL(WEB_APP_URL);
          back.searchParams.set('mfa', 'required');
          expect(callback.headers.get('location')).to.equal(back.toString());
          const mfaCookie = setCookieNamed(callback, 'mfa_token');
          expect(mfaCookie?.value).to.match(/^[A-Za-z0-9_-]{43}$/);
          expect(mfaCookie?.attributes.get('path')).to.equal('/auth/mfa');
          expect(mfaCookie?.attributes.get('httponly')).to.equal(true);
          expect(mfaCookie?.attributes.get('samesite')).to.match(/^lax$/i);
          const lifetime = (expiryOf(mfaCookie as ParsedSetCookie) ?? 0) - Date.now();
          expect(lifetime).to.be.within(290_000, 300_000);
          for (const name of ['access_token', 'refresh_token', 'csrf_token']) expect(setCookieNamed(callback, name), name).to.equal(undefined);
          expect((await b.call('GET', '/auth/me')).status, 'not signed in yet').to.equal(401);

          const verified = await b.call('POST', '/auth/mfa/verify', { json: { code: recovery } });
          expect(verified.status, verified.text).to.equal(200);
          expect(verified.text).to.not.match(/accessToken|refreshToken/);
          const access = setCookieNamed(verified, 'access_token');
          expect((jwt.decode(access?.value ?? '') as { amr?: string[] }).amr).to.deep.equal(['fed', 'otp']);
          expect(isExpiring(setCookieNamed(verified, 'mfa_token') as ParsedSetCookie), 'the mfa_token cookie is cleared').to.equal(true);
          expect((await meByCookie(b)).githubLogin).to.equal(account.login);
          // Spent: the same cookie does not complete a second sign-in.
          const again = await b.call('POST', '/auth/mfa/verify', { json: { code: recovery }, headers: { cookie: `mfa_token=${mfaCookie?.value ?? ''}` } });
          expectProblem(again, 401, 'MFA_TOKEN_INVALID');
        });
      });

      describe('a GitHub-only account', () => {
        it('has no password: password login with its email fails with 401 INVALID_CREDENTIALS, whatever the password', async () => {
          const account = aGithubAccount();
          const { user } = await signInAs(account);
          const email = user.email as string;
          expect(email).to.be.a('string');
          for (const password of [GOOD_PASSWORD, 'x'.repeat(8), 'password123']) {
            expectProblem(await login(app.url, email, password), 401, 'INVALID_CREDENTIALS');
          }
          expectProblem(await call(app.url, 'POST', '/auth/login', { headers: basic(email, GOOD_PASSWORD) }), 401, 'INVALID_CREDENTIALS');
        });

        it('keeps its email: registering it again is refused with 409 EMAIL_ALREADY_REGISTERED', async () => {
          const { user } = await signInAs(aGithubAccount());
          const res = await call(app.url, 'POST', '/auth/register', { json: { email: user.email, password: GOOD_PASSWORD } });
          expectProblem(res, 409, 'EMAIL_ALREADY_REGISTERED');
        });
      });

      describe('linking GitHub to a signed-in account (POST /auth/github/link)', () => {
        it('answers 200 { url } on PUBLIC_URL and sets the browser-binding link_nonce cookie', async () => {
          const owner = await register(app.url, uniqueEmail('link-shape'));
          const b = browser();
          const res = await b.call('POST', '/auth/github/link', { headers: bearer(owner.accessToken) });
          expect(res.status, res.text).to.equal(200);
          expect(res.headers.get('content-type') ?? '').to.match(/^application\/json\b/);
          expect(res.headers.get('cache-control') ?? '').to.match(/\bno-store\b/);
          expect(Object.keys(res.body as object)).to.deep.equal(['url']);
          const url = new URL((res.body as { url: string }).url);
          expect(url.origin).to.equal(app.config.publicUrl.replace(/\/$/, ''));
          expect(url.pathname).to.equal('/auth/github');
          expect(url.searchParams.get('link')).to.be.a('string').and.not.equal('');
          const cookie = setCookieNamed(res, LINK_COOKIE) as ParsedSetCookie;
          expect(cookie, 'link_nonce cookie').to.not.equal(undefined);
          expect(cookie.attributes.has('httponly')).to.equal(true);
          expect(String(cookie.attributes.get('samesite')).toLowerCase()).to.equal('lax');
          expect(cookie.attributes.get('path')).to.equal('/auth/github');
        });

        it('links GitHub through the URL in the same browser (Bearer): /auth/me shows the login, GitHub then signs into that user', async () => {
          const owner = await register(app.url, uniqueEmail('link-bearer'));
          const account = aGithubAccount();
          standIn.account = account;
          const b = browser();
          const url = await linkUrl(b, bearer(owner.accessToken));
          const countBefore = await app.userCount();
          const { callback } = await githubFlow(b, app, standIn, url);
          expectSignedIn(callback);
          const mine = await meByBearer(app, owner.accessToken);
          expect(mine.githubLogin).to.equal(account.login);
          expect(mine.email, 'the account keeps its own email').to.equal(owner.email);
          expect(await app.userCount(), 'no user created').to.equal(countBefore);
          expect((await meByCookie(b)).id, 'the link flow signs the browser into the owner').to.equal(owner.user.id);
          expect((await signInAs(account)).user.id).to.equal(owner.user.id);
        });

        it('links from a cookie session with the CSRF header', async () => {
          const b = browser();
          const email = uniqueEmail('link-cookie');
          const reg = await b.call('POST', '/auth/register', { json: { email, password: GOOD_PASSWORD }, headers: { 'x-auth-mode': 'cookie' } });
          expect(reg.status, reg.text).to.equal(201);
          const csrf = b.cookie('csrf_token', '/auth/github/link');
          expect(csrf, 'csrf_token cookie').to.be.a('string');
          const account = aGithubAccount();
          standIn.account = account;
          const url = await linkUrl(b, { 'x-csrf-token': csrf as string });
          expectSignedIn((await githubFlow(b, app, standIn, url)).callback);
          const mine = await meByCookie(b);
          expect(mine.email).to.equal(email);
          expect(mine.githubLogin).to.equal(account.login);
        });

        it('refuses a cookie session without the CSRF header (403 CSRF_FAILED) and sets no link cookie', async () => {
          const b = browser();
          const reg = await b.call('POST', '/auth/register', { json: { email: uniqueEmail('link-csrf'), password: GOOD_PASSWORD }, headers: { 'x-auth-mode': 'cookie' } });
          expect(reg.status).to.equal(201);
          const res = await b.call('POST', '/auth/github/link');
          expectProblem(res, 403, 'CSRF_FAILED');
          expect(setCookieNamed(res, LINK_COOKIE)).to.equal(undefined);
        });

        it('refuses a request without a token (401 TOKEN_MISSING)', async () => {
          const res = await browser().call('POST', '/auth/github/link');
          expectProblem(res, 401, 'TOKEN_MISSING');
          expect(setCookieNamed(res, LINK_COOKIE)).to.equal(undefined);
        });

        it('links nothing when the URL is opened in another browser (no link_nonce cookie): ?error=invalid_state before GitHub', async () => {
          const owner = await register(app.url, uniqueEmail('link-elsewhere'));
          const url = await linkUrl(browser(), bearer(owner.accessToken));
          const other = browser();
          const authorizeCount = standIn.authorizeRequests.length;
          const res = await other.get(url);
          expectFlowError(res, 'invalid_state');
          expect(standIn.authorizeRequests.length, 'the flow never reached GitHub').to.equal(authorizeCount);
          expect((await meByBearer(app, owner.accessToken)).githubLogin).to.equal(null);
        });

        it('links nothing when another browser holding a link_nonce cookie of its own opens the URL: ?error=invalid_state before GitHub', async () => {
          const owner = await register(app.url, uniqueEmail('link-victim'));
          const ownersUrl = await linkUrl(browser(), bearer(owner.accessToken));
          const intruder = await register(app.url, uniqueEmail('link-intruder'));
          const other = browser();
          await linkUrl(other, bearer(intruder.accessToken));
          expect(other.cookie(LINK_COOKIE, '/auth/github'), 'the other browser holds its own link cookie').to.be.a('string');
          standIn.account = aGithubAccount();
          const authorizeCount = standIn.authorizeRequests.length;

          expectFlowError(await other.get(ownersUrl), 'invalid_state');

          expect(standIn.authorizeRequests.length, 'the flow never reached GitHub').to.equal(authorizeCount);
          expect((await meByBearer(app, owner.accessToken)).githubLogin, 'the owner linked nothing').to.equal(null);
          expect((await meByBearer(app, intruder.accessToken)).githubLogin, 'the intruder linked nothing').to.equal(null);
        });

        it('links nothing with a tampered link token, even in the browser that holds the cookie', async () => {
          const owner = await register(app.url, uniqueEmail('link-tampered'));
          const b = browser();
          const url = new URL(await linkUrl(b, bearer(owner.accessToken)));
          const token = url.searchParams.get('link') as string;
          url.searchParams.set('link', `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`);
          expectFlowError(await b.get(url.toString()), 'invalid_state');
          expect((await meByBearer(app, owner.accessToken)).githubLogin).to.equal(null);
        });

        it('works once: the same link URL opened again in the same browser is invalid_state', async () => {
          const owner = await register(app.url, uniqueEmail('link-once'));
          const b = browser();
          const url = await linkUrl(b, bearer(owner.accessToken));
          await startFlow(b, app, standIn, url);
          expectFlowError(await b.get(url), 'invalid_state');
        });

        it('answers ?error=already_linked when the identity belongs to another account, which keeps it', async () => {
          const account = aGithubAccount();
          const holder = await signInAs(account);
          const other = await register(app.url, uniqueEmail('link-taken'));
          standIn.account = account;
          const b = browser();
          const url = await linkUrl(b, bearer(other.accessToken));
          expectFlowError((await githubFlow(b, app, standIn, url)).callback, 'already_linked');
          expect((await meByBearer(app, other.accessToken)).githubLogin).to.equal(null);
          expect((await signInAs(account)).user.id, 'the identity still signs into its holder').to.equal(holder.user.id);
        });

        it('answers ?error=already_linked when the account already has another GitHub identity, which stays linked', async () => {
          const owner = await register(app.url, uniqueEmail('link-second'));
          const first = aGithubAccount();
          standIn.account = first;
          const b1 = browser();
          expectSignedIn((await githubFlow(b1, app, standIn, await linkUrl(b1, bearer(owner.accessToken)))).callback);

          const second = aGithubAccount();
          standIn.account = second;
          const b2 = browser();
          expectFlowError((await githubFlow(b2, app, standIn, await linkUrl(b2, bearer(owner.accessToken)))).callback, 'already_linked');
          expect((await meByBearer(app, owner.accessToken)).githubLogin).to.equal(first.login);
          expect((await signInAs(second)).user.id, 'the second identity is a separate account').to.not.equal(owner.user.id);
        });

        it('succeeds again for an identity already linked to the same account', async () => {
          const owner = await register(app.url, uniqueEmail('link-again'));
          const account = aGithubAccount();
          standIn.account = account;
          for (let i = 0; i < 2; i++) {
            const b = browser();
            expectSignedIn((await githubFlow(b, app, standIn, await linkUrl(b, bearer(owner.accessToken)))).callback);
          }
          expect((await meByBearer(app, owner.accessToken)).githubLogin).to.equal(account.login);
        });

        it('ends with ?error=invalid_state when the account that started the link is gone, and links nothing', async () => {
          const owner = await register(app.url, uniqueEmail('link-gone'));
          const account = aGithubAccount();
          standIn.account = account;
          const b = browser();
          const url = await linkUrl(b, bearer(owner.accessToken));
          await app.deleteUser(owner.user.id);
          const countBefore = await app.userCount();
          expectFlowError((await githubFlow(b, app, standIn, url)).callback, 'invalid_state');
          expect(await app.userCount(), 'no user created').to.equal(countBefore);
          const later = await signInAs(account);
          expect(later.user.id, 'the identity was not attached to the deleted account').to.not.equal(owner.user.id);
        });
      });
    });
  }

  describe('the flow\'s state (CSRF protection of the callback)', () => {
    let app: GithubTestApp;
    before(async () => {
      app = await startGithubTestApp(standIn);
    });
    after(() => app.close());
    const browser = () => new Browser(app, standIn);

    it('starts with a state cookie that is HttpOnly, SameSite=Lax, Path=/auth/github, short-lived and not Secure on http', async () => {
      const b = browser();
      const res = await b.get(`${app.url}/auth/github`);
      expect(res.status).to.equal(302);
      const c = stateCookieOf(res);
      expect(c.value).to.not.equal('');
      expect(c.attributes.has('httponly'), c.raw).to.equal(true);
      expect(String(c.attributes.get('samesite')).toLowerCase(), c.raw).to.equal('lax');
      expect(c.attributes.get('path'), c.raw).to.equal('/auth/github');
      expect(c.attributes.has('secure'), c.raw).to.equal(false);
      const expiry = expiryOf(c) ?? Infinity;
      expect(expiry, `expires within about ten minutes (${c.raw})`).to.be.within(Date.now() + 60_000, Date.now() + 11 * 60_000);
      expect(c.value.includes(new URL(res.headers.get('location') ?? '').searchParams.get('state') as string), 'the cookie is not the state itself').to.equal(false);
    });

    it('gives each flow its own state and PKCE challenge', async () => {
      const flows = [await startFlow(browser(), app, standIn), await startFlow(browser(), app, standIn)];
      expect(flows[0]?.state).to.not.equal(flows[1]?.state);
      expect(flows[0]?.codeChallenge).to.not.equal(flows[1]?.codeChallenge);
    });

    it('consumes the state cookie at the callback (expired on the answer)', async () => {
      standIn.account = aGithubAccount();
      const b = browser();
      const { callback } = await githubFlow(b, app, standIn);
      expectSignedIn(callback);
      const cleared = stateCookieOf(callback);
      expect(isExpiring(cleared), cleared.raw).to.equal(true);
      expect(cleared.attributes.get('path')).to.equal('/auth/github');
      expect(b.cookie(STATE_COOKIE)).to.equal(undefined);
    });

    it('refuses a tampered state parameter with ?error=invalid_state and never redeems the code', async () => {
      const b = browser();
      const flow = await startFlow(b, app, standIn);
      const back = await consentAtGithub(b, app, flow);
      back.searchParams.set('state', `${flow.state}x`);
      const tokenCount = standIn.tokenRequests.length;
      expectFlowError(await returnToService(b, back), 'invalid_state');
      expect(standIn.tokenRequests.length, 'no code exchange').to.equal(tokenCount);
    });

    it('refuses a callback without a state parameter', async () => {
      const b = browser();
      const back = await consentAtGithub(b, app, await startFlow(b, app, standIn));
      back.searchParams.delete('state');
      expectFlowError(await returnToService(b, back), 'invalid_state');
    });

    it('refuses a callback whose browser has no state cookie (a callback URL sent to a victim)', async () => {
      const attacker = browser();
      const back = await consentAtGithub(attacker, app, await startFlow(attacker, app, standIn));
      const victim = browser();
      const tokenCount = standIn.tokenRequests.length;
      expectFlowError(await returnToService(victim, back), 'invalid_state');
      expect(standIn.tokenRequests.length).to.equal(tokenCount);
      expect((await victim.call('GET', '/auth/me')).status).to.equal(401);
    });

    it('refuses the same browser after its state cookie was lost', async () => {
      const b = browser();
      const back = await consentAtGithub(b, app, await startFlow(b, app, standIn));
      expectFlowError(await returnToService(b.drop(STATE_COOKIE), back), 'invalid_state');
    });

    it('refuses a state cookie from another flow', async () => {
      const a = browser();
      const backA = await consentAtGithub(a, app, await startFlow(a, app, standIn));
      const b = browser();
      await startFlow(b, app, standIn);
      expectFlowError(await returnToService(b, backA), 'invalid_state');
    });

    it('refuses the first flow once a second one started in the same browser (the cookie now belongs to the second)', async () => {
      const b = browser();
      const first = await startFlow(b, app, standIn);
      const second = await startFlow(b, app, standIn);
      const backFirst = await consentAtGithub(b, app, first);
      expectFlowError(await returnToService(b, backFirst), 'invalid_state');
      expect(second.state).to.not.equal(first.state);
    });

    it('refuses a state cookie the service did not sign, and an expired one it did', async () => {
      const settings = app.container.resolve<JwtSettings>(TOKENS.JwtSettings);
      for (const forge of [
        (claims: jwt.JwtPayload) => jwt.sign({ h: claims.h, v: claims.v, s: claims.s }, 'not-the-service-key-0123456789-abcdef', { algorithm: 'HS256', audience: 'github-oauth-state', expiresIn: 600 }),
        (claims: jwt.JwtPayload) => jwt.sign({ h: claims.h, v: claims.v, s: claims.s, exp: Math.floor(Date.now() / 1000) - 5 }, settings.flowKey, { algorithm: 'HS256', audience: 'github-oauth-state' }),
      ]) {
        const b = browser();
        const flow = await startFlow(b, app, standIn);
        const genuine = jwt.decode(b.cookie(STATE_COOKIE) as string) as jwt.JwtPayload;
        expect(genuine.h, 'the cookie carries the state handle').to.equal(flow.state);
        const back = await consentAtGithub(b, app, flow);
        b.drop(STATE_COOKIE).plant(STATE_COOKIE, forge(genuine), '/auth/github');
        expectFlowError(await returnToService(b, back), 'invalid_state');
      }
    });

    it('refuses a replayed callback after a sign-in: no new sign-in, no second code exchange', async () => {
      standIn.account = aGithubAccount();
      const b = browser();
      const { callbackUrl, callback } = await githubFlow(b, app, standIn);
      expectSignedIn(callback);
      const tokenCount = standIn.tokenRequests.length;
      const replay = await returnToService(b, callbackUrl);
      expectFlowError(replay, 'invalid_state');
      expect(standIn.tokenRequests.length).to.equal(tokenCount);
    });

    it('refuses a replayed callback carrying the consumed state cookie (cookie kept by hand)', async () => {
      standIn.account = aGithubAccount();
      const b = browser();
      const flow = await startFlow(b, app, standIn);
      const kept = b.clone();
      const back = await consentAtGithub(b, app, flow);
      expectSignedIn(await returnToService(b, back));
      const replay = await returnToService(kept, back);
      // The code is spent at GitHub: whatever the service makes of the cookie, nobody is signed in.
      expect(['invalid_state', 'github_unavailable']).to.include(callbackOutcome(replay));
      expectFlowError(replay, callbackOutcome(replay) as string);
      expect((await kept.call('GET', '/auth/me')).status).to.equal(401);
    });

    it('answers a callback with neither code nor error with ?error=invalid_state', async () => {
      const b = browser();
      await startFlow(b, app, standIn);
      expectFlowError(await b.get(`${app.url}/auth/github/callback`), 'invalid_state');
      expect(b.cookie(STATE_COOKIE), 'the state cookie is cleared').to.equal(undefined);
    });

    it('is Secure (state and link cookies) when PUBLIC_URL is https, and the link URL is on PUBLIC_URL', async () => {
      const https = await startGithubTestApp(standIn, { env: { PUBLIC_URL: 'https://auth.example.test' } });
      try {
        const b = new Browser(https, standIn);
        const start = await b.get(`${https.url}/auth/github`);
        expect(start.status).to.equal(302);
        expect(stateCookieOf(start).attributes.has('secure')).to.equal(true);
        const owner = await register(https.url, uniqueEmail('https'));
        const res = await b.call('POST', '/auth/github/link', { headers: bearer(owner.accessToken) });
        expect(res.status).to.equal(200);
        expect((res.body as { url: string }).url.startsWith('https://auth.example.test/auth/github?link=')).to.equal(true);
        expect(setCookieNamed(res, LINK_COOKIE)?.attributes.has('secure')).to.equal(true);
      } finally {
        await https.close();
      }
    });
  });

  describe('GitHub refusing or failing', () => {
    let app: GithubTestApp;
    before(async () => {
      app = await startGithubTestApp(standIn);
    });
    after(() => app.close());
    const browser = () => new Browser(app, standIn);

    /** The app is still serving: health and a good GitHub sign-in both work. */
    async function expectStillServing(): Promise<void> {
      expect((await call(app.url, 'GET', '/healthz')).status).to.equal(200);
      standIn.reset();
      const b = browser();
      expectSignedIn((await githubFlow(b, app, standIn)).callback);
    }

    it('answers ?error=access_denied when the user refuses consent, without asking GitHub for a token', async () => {
      standIn.denyConsent = true;
      const b = browser();
      const tokenCount = standIn.tokenRequests.length;
      const countBefore = await app.userCount();
      expectFlowError((await githubFlow(b, app, standIn)).callback, 'access_denied');
      expect(standIn.tokenRequests.length).to.equal(tokenCount);
      expect(await app.userCount()).to.equal(countBefore);
      expect(b.cookie(STATE_COOKIE), 'the state cookie is cleared').to.equal(undefined);
    });

    it('answers ?error=github_unavailable when GitHub sends back another error', async () => {
      const b = browser();
      const flow = await startFlow(b, app, standIn);
      const back = new URL(`${app.url}/auth/github/callback`);
      back.searchParams.set('error', 'temporarily_unavailable');
      back.searchParams.set('state', flow.state);
      expectFlowError(await returnToService(b, back), 'github_unavailable');
    });

    const failures: ReadonlyArray<readonly [string, (s: GithubStandIn) => void]> = [
      ['the token endpoint fails with 500', (s) => (s.tokenMode = 'server_error')],
      ['the token endpoint answers bad_verification_code', (s) => (s.tokenMode = 'bad_verification_code')],
      ['GET /user fails with 500', (s) => (s.userMode = 'server_error')],
      ['GET /user answers malformed JSON', (s) => (s.userMode = 'malformed')],
      ['GET /user/emails fails with 500', (s) => (s.emailsMode = 'server_error')],
      ['GET /user/emails answers malformed JSON', (s) => (s.emailsMode = 'malformed')],
    ];
    for (const [what, breakIt] of failures) {
      it(`answers ?error=github_unavailable when ${what}, creates nobody, and keeps serving`, async () => {
        breakIt(standIn);
        const countBefore = await app.userCount();
        expectFlowError((await githubFlow(browser(), app, standIn)).callback, 'github_unavailable');
        expect(await app.userCount()).to.equal(countBefore);
        await expectStillServing();
      });
    }

    it('answers ?error=server_error, signing nobody in, when this service cannot store the session (never a 503 page in the browser)', async () => {
      const sessions = new InMemoryTokenStore();
      let storeDown = false;
      const failing = Object.create(sessions) as TokenStore;
      failing.create = (session, maxLive) => (storeDown ? Promise.reject(new ServiceUnavailableError('session store')) : sessions.create(session, maxLive));
      const outageApp = await startGithubTestApp(standIn, { override: (c) => c.register(TOKENS.TokenStore, { useValue: failing }) });
      try {
        standIn.account = aGithubAccount();
        storeDown = true;
        const b = new Browser(outageApp, standIn);
        expectFlowError((await githubFlow(b, outageApp, standIn)).callback, 'server_error');
        storeDown = false;
        standIn.reset();
        expectSignedIn((await githubFlow(new Browser(outageApp, standIn), outageApp, standIn)).callback);
      } finally {
        await outageApp.close();
      }
    });

    it('never forwards the GitHub access token to the browser', async () => {
      standIn.account = aGithubAccount();
      const b = browser();
      const { callback } = await githubFlow(b, app, standIn);
      expectSignedIn(callback);
      const issued = standIn.issuedAccessTokens.at(-1) as string;
      expect(issued).to.be.a('string');
      expect(callback.text.includes(issued)).to.equal(false);
      expect(callback.headers.getSetCookie().some((c) => c.includes(issued))).to.equal(false);
      b.expectNoTokenInAnyUrl();
    });
  });

  describe('EMAIL_VERIFICATION=required', () => {
    let app: GithubTestApp;
    before(async () => {
      app = await startGithubTestApp(standIn, { persistence: 'sqlite', env: { EMAIL_VERIFICATION: 'required' } });
    });
    after(() => app.close());

    it("signs a new identity in with GitHub's verified email, the account verified", async () => {
      standIn.reset();
      standIn.account = aGithubAccount();
      const b = new Browser(app, standIn);
      expectSignedIn((await githubFlow(b, app, standIn)).callback);
      expect(((await b.call('GET', '/auth/me')).body as { emailVerified: boolean }).emailVerified).to.equal(true);
    });

    it('ends with ?error=email_not_verified, signed out and no account made, when GitHub vouches for no address', async () => {
      standIn.reset();
      standIn.account = aGithubAccount({ emails: [{ email: 'unverified@users.example.com', primary: true, verified: false, visibility: 'public' }] });
      const b = new Browser(app, standIn);
      expectFlowError((await githubFlow(b, app, standIn)).callback, 'email_not_verified');
      expect((await b.call('GET', '/auth/me')).status).to.equal(401);
    });
  });

  describe('conventions on the GitHub routes', () => {
    let app: GithubTestApp;
    before(async () => {
      app = await startGithubTestApp(standIn);
    });
    after(() => app.close());
    const browser = () => new Browser(app, standIn);

    it('puts X-Request-Id on every redirect and never a token in a Location, through sign-in, errors and linking', async () => {
      const b = browser();
      standIn.account = aGithubAccount();
      expectSignedIn((await githubFlow(b, app, standIn)).callback);
      standIn.denyConsent = true;
      expectFlowError((await githubFlow(b, app, standIn)).callback, 'access_denied');
      standIn.reset();
      const owner = await register(app.url, uniqueEmail('conventions'));
      const url = (await b.call('POST', '/auth/github/link', { headers: bearer(owner.accessToken) })).body as { url: string };
      expectSignedIn((await githubFlow(b, app, standIn, url.url)).callback);
      expectFlowError(await b.get(url.url), 'invalid_state');

      const redirects = b.visits.filter((v) => v.fromApp && v.status >= 300 && v.status < 400);
      expect(redirects.length).to.be.at.least(7);
      for (const v of redirects) expectRequestId(v.requestId, `X-Request-Id on ${v.url}`);
      b.expectNoTokenInAnyUrl();
    });

    it('echoes a well-formed X-Request-Id on the start and the callback redirects', async () => {
      const b = browser();
      const start = await b.get(`${app.url}/auth/github`, { 'x-request-id': 'gh-start.1' });
      expect(start.headers.get('x-request-id')).to.equal('gh-start.1');
      const back = await b.get(`${app.url}/auth/github/callback?code=abc&state=nope`, { 'x-request-id': 'gh-callback_2' });
      expect(back.headers.get('x-request-id')).to.equal('gh-callback_2');
      expectFlowError(back, 'invalid_state');
    });

    it('never answers the callback with a 5xx, whatever the query or the cookie', async () => {
      const queries = [
        '',
        '?code=',
        '?state=',
        '?code=abc',
        '?code=abc&state=',
        '?code=a&code=b&state=x',
        '?code=abc&state=a&state=b',
        `?code=abc&state=${'s'.repeat(4000)}`,
        '?error=',
        '?error=access_denied',
        '?error=a&error=b',
        '?error=server_error&error_description=%00%ff',
        '?code=%E0%A4%A&state=%',
      ];
      const cookies = [undefined, 'garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJoIjoieCJ9.'];
      for (const cookie of cookies) {
        for (const query of queries) {
          const b = browser();
          if (cookie !== undefined) b.plant(STATE_COOKIE, cookie, '/auth/github');
          const res = await b.get(`${app.url}/auth/github/callback${query}`);
          expect(res.status, `${query} with cookie ${cookie}`).to.equal(302);
          const error = callbackOutcome(res);
          expect(error, `${query} with cookie ${cookie}: never a sign-in`).to.be.a('string');
          expectFlowError(res, error as string);
        }
      }
    });

    it('never sends the browser anywhere but WEB_APP_URL from the callback, even when asked to', async () => {
      const b = browser();
      await startFlow(b, app, standIn);
      const res = await b.get(`${app.url}/auth/github/callback?error=access_denied&redirect_uri=https://evil.example&return_to=https://evil.example`);
      expectFlowError(res, 'access_denied');
      expect(res.headers.get('location')?.startsWith(WEB_APP_URL)).to.equal(true);
    });
  });
});
