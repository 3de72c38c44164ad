import { expect } from 'chai';
import type { TestApp } from '../support/app.js';
import { appDatabase, DATABASE_BACKENDS, MEMORY_BACKEND } from '../support/backends.js';
import { WEB_APP_URL, type GithubTestApp } from '../support/github-stand-in.js';
import { register, uniqueEmail } from '../support/http.js';
import { anOidcAccount, OidcStandIn, type IdTokenMode } from '../support/oidc-stand-in.js';
import { Browser, expectFlowError, expectSignedIn } from './github-browser.js';
import { decodeJwt, expectProblem } from './helpers.js';

/** The two OpenID Connect providers every test runs: Google (GOOGLE_ISSUER at a stand-in) and a generic issuer. */
const PROVIDERS = ['google', 'acme'] as const;
type Provider = (typeof PROVIDERS)[number];

const ID_TOKEN_FAILURES: readonly IdTokenMode[] = ['foreign_key', 'wrong_aud', 'wrong_iss', 'no_nonce', 'wrong_nonce', 'expired', 'alg_none'];

interface Started {
  readonly authorizeUrl: URL;
  readonly state: string;
  readonly nonce: string;
}

for (const backend of [MEMORY_BACKEND, ...DATABASE_BACKENDS]) {
  describe(`sign-in providers (OpenID Connect) on ${backend.name}`, function () {
    this.timeout(20_000);
    let app: TestApp;
    let stop: (() => Promise<void>) | undefined;
    const issuers = {} as Record<Provider, OidcStandIn>;

    before(async function () {
      if (!(await backend.available())) this.skip();
      issuers.google = await OidcStandIn.start();
      issuers.acme = await OidcStandIn.start({ issuerPath: '/realms/main' });
      ({ app, stop } = await backend.start({
        env: {
          WEB_APP_URL,
          GOOGLE_ISSUER: issuers.google.url,
          GOOGLE_CLIENT_ID: issuers.google.clientId,
          GOOGLE_CLIENT_SECRET: issuers.google.clientSecret,
          OIDC_ACME_ISSUER: issuers.acme.url,
          OIDC_ACME_CLIENT_ID: issuers.acme.clientId,
          OIDC_ACME_CLIENT_SECRET: issuers.acme.clientSecret,
        },
      }));
    });
    beforeEach(() => {
      for (const issuer of Object.values(issuers)) issuer.reset(anOidcAccount());
    });
    after(async () => {
      if (stop) await stop();
      await Promise.all(Object.values(issuers).map((i) => i.close()));
    });

    const browser = () => new Browser(app as unknown as GithubTestApp);
    const publicUrl = () => app.config.publicUrl.replace(/\/+$/, '');

    /** GET /auth/<provider> (or a link URL): a 302 to the issuer's authorize endpoint with state, nonce and PKCE S256. */
    async function start(b: Browser, provider: Provider, url = `${app.url}/auth/${provider}`): Promise<Started> {
      const res = await b.get(url);
      expect(res.status, `GET ${url} (${res.text})`).to.equal(302);
      const location = new URL(res.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`, 'to the issuer').to.equal(issuers[provider].authorizationEndpoint);
      const q = location.searchParams;
      expect(q.get('client_id')).to.equal(issuers[provider].clientId);
      expect(q.get('redirect_uri')).to.equal(`${publicUrl()}/auth/${provider}/callback`);
      expect(q.get('response_type')).to.equal('code');
      expect(q.get('scope')?.split(' ')).to.include.members(['openid', 'email']);
      expect(q.get('code_challenge_method')).to.equal('S256');
      expect(q.get('code_challenge')).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(q.get('state')).to.match(/^[A-Za-z0-9_-]{32,}$/);
      expect(q.get('nonce')).to.match(/^[A-Za-z0-9_-]{32,}$/);
      return { authorizeUrl: location, state: q.get('state') as string, nonce: q.get('nonce') as string };
    }

    /** The person at the issuer: its authorize endpoint sends the browser back to the callback, here on the app's real address. */
    async function consent(b: Browser, provider: Provider, started: Started): Promise<string> {
      const res = await b.get(started.authorizeUrl.toString());
      expect(res.status, `the issuer's authorize endpoint (${res.text})`).to.equal(302);
      const back = new URL(res.headers.get('location') ?? '');
      expect(`${back.origin}${back.pathname}`).to.equal(`${publicUrl()}/auth/${provider}/callback`);
      return `${app.url}${back.pathname}${back.search}`;
    }

    async function flow(b: Browser, provider: Provider, url?: string) {
      const started = await start(b, provider, url);
      const callbackUrl = await consent(b, provider, started);
      return { started, callbackUrl, callback: await b.get(callbackUrl) };
    }

    const me = async (b: Browser) => {
      const res = await b.call('GET', '/auth/me');
      expect(res.status, res.text).to.equal(200);
      return res.body as { id: string; email: string | null; emailVerified: boolean };
    };
    const identities = async (b: Browser) => {
      const res = await b.call('GET', '/auth/identities');
      expect(res.status, res.text).to.equal(200);
      return (res.body as { identities: { provider: string; login: string | null; email: string | null; linkedAt: string }[] }).identities;
    };
    const csrf = (b: Browser) => ({ 'X-CSRF-Token': b.cookie('csrf_token', '/') ?? '' });
    const accessClaims = (b: Browser) => decodeJwt(b.cookie('access_token', '/auth/me') ?? '').payload;
    async function userCount(): Promise<number> {
      if (backend === MEMORY_BACKEND) return (app.accounts?.users.size ?? 0);
      const row = (await appDatabase(app)('users').count({ n: '*' }).first()) as { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    }

    for (const provider of PROVIDERS) {
      describe(`${provider}`, () => {
        it('signs a new person in with a verified account, amr ["fed"], the identity listed; the token request proved PKCE', async () => {
          const b = browser();
          const person = issuers[provider].account;
          const { started, callback } = await flow(b, provider);
          expectSignedIn(callback);
          const user = await me(b);
          expect(user.email).to.equal(person.email);
          expect(user.emailVerified, 'the issuer vouched for the address').to.equal(true);
          expect(accessClaims(b).amr).to.deep.equal(['fed']);
          const [identity, ...more] = await identities(b);
          expect(more).to.deep.equal([]);
          expect(identity).to.include({ provider, login: person.preferredUsername, email: person.email });
          expect(Date.parse(identity?.linkedAt ?? '')).to.be.a('number').and.not.NaN;
          const token = issuers[provider].lastTokenRequest();
          expect(token?.refusal ?? null, 'the code exchange was accepted').to.equal(null);
          expect(token?.params.code_verifier).to.match(/^[A-Za-z0-9_-]{43,128}$/);
          expect(issuers[provider].lastAuthorizeRequest()?.nonce).to.equal(started.nonce);
          b.expectNoTokenInAnyUrl();
        });

        it('signs the same subject into the same account, even when its email changed at the issuer', async () => {
          const first = browser();
          expectSignedIn((await flow(first, provider)).callback);
          const { id } = await me(first);
          issuers[provider].account = { ...issuers[provider].account, email: uniqueEmail('moved') };
          const second = browser();
          expectSignedIn((await flow(second, provider)).callback);
          expect((await me(second)).id).to.equal(id);
        });

        it('answers ?error=invalid_id_token to each id_token that fails verification, and makes no account', async () => {
          for (const mode of ID_TOKEN_FAILURES) {
            issuers[provider].reset(anOidcAccount());
            issuers[provider].idTokenMode = mode;
            const before = await userCount();
            expectFlowError((await flow(browser(), provider)).callback, 'invalid_id_token');
            expect(await userCount(), `${mode}: no account`).to.equal(before);
          }
        });
      });
    }

    it('refuses a replayed callback with ?error=invalid_state even where the issuer accepts a code twice and the state cookie is kept', async () => {
      issuers.google.acceptCodeTwice = true;
      const b = browser();
      const started = await start(b, 'google');
      const callbackUrl = await consent(b, 'google', started);
      const stateCookie = b.cookie('oauth_state', '/auth/google/callback');
      expect(stateCookie, 'the flow is bound to this browser').to.be.a('string');
      expectSignedIn(await b.get(callbackUrl));
      // An attacker holding both the callback URL and the state cookie replays them: the server spent the state.
      const replay = browser().plant('oauth_state', stateCookie ?? '', '/auth/google');
      expectFlowError(await replay.get(callbackUrl), 'invalid_state');
      expect(issuers.google.tokenRequests.length, 'the replay never reached the issuer').to.equal(1);
    });

    it('refuses a callback from another browser (no state cookie) with ?error=invalid_state', async () => {
      const b = browser();
      const callbackUrl = await consent(b, 'acme', await start(b, 'acme'));
      expectFlowError(await browser().get(callbackUrl), 'invalid_state');
    });

    it('creates no verified address from email_verified: false: the account has no email, and the owner of that address is untouched', async () => {
      const owner = await register(app.url, uniqueEmail('owner'));
      issuers.google.account = anOidcAccount({ email: owner.email, emailVerified: false });
      const b = browser();
      expectSignedIn((await flow(b, 'google')).callback);
      const user = await me(b);
      expect(user.id).to.not.equal(owner.user.id);
      expect(user.email).to.equal(null);
      expect((await identities(b))[0]?.email).to.equal(null);
    });

    it('never takes over an account with the same verified email (account_exists); its owner links the identity, which then signs in to it', async () => {
      const owner = await register(app.url, uniqueEmail('takeover'));
      issuers.acme.account = anOidcAccount({ email: owner.email });
      const before = await userCount();
      expectFlowError((await flow(browser(), 'acme')).callback, 'account_exists');
      expect(await userCount()).to.equal(before);

      const b = browser();
      const signedIn = await b.call('POST', '/auth/login', { json: { email: owner.email, password: owner.password }, headers: { 'X-Auth-Mode': 'cookie' } });
      expect(signedIn.status, signedIn.text).to.equal(200);
      const link = await b.call('POST', '/auth/acme/link', { headers: csrf(b) });
      expect(link.status, link.text).to.equal(200);
      const url = (link.body as { url: string }).url;
      expect(url.startsWith(`${publicUrl()}/auth/acme?link=`)).to.equal(true);
      expectSignedIn((await flow(b, 'acme', url.replace(publicUrl(), app.url))).callback);
      expect((await identities(b)).map((i) => i.provider)).to.deep.equal(['acme']);

      const later = browser();
      expectSignedIn((await flow(later, 'acme')).callback);
      expect((await me(later)).id).to.equal(owner.user.id);
    });

    for (const [endpoint, set] of [
      ['token', (i: OidcStandIn) => (i.tokenMode = 'server_error')],
      ['userinfo', (i: OidcStandIn) => (i.userinfoMode = 'server_error')],
    ] as const) {
      it(`answers ?error=provider_unavailable when the issuer's ${endpoint} endpoint fails`, async () => {
        set(issuers.google);
        expectFlowError((await flow(browser(), 'google')).callback, 'provider_unavailable');
      });
    }

    it("signs nobody in when userinfo answers for another subject than the id_token's (?error=provider_unavailable)", async () => {
      issuers.acme.userinfoMode = 'wrong_sub';
      const before = await userCount();
      expectFlowError((await flow(browser(), 'acme')).callback, 'provider_unavailable');
      expect(await userCount()).to.equal(before);
    });

    it('answers ?error=access_denied when the person refuses at the issuer', async () => {
      issuers.acme.denyConsent = true;
      const b = browser();
      const started = await start(b, 'acme');
      const res = await b.get(started.authorizeUrl.toString());
      const back = new URL(res.headers.get('location') ?? '');
      expectFlowError(await b.get(`${app.url}${back.pathname}${back.search}`), 'access_denied');
    });

    it('answers 404 PROVIDER_NOT_CONFIGURED for a provider it does not have, and GITHUB_NOT_CONFIGURED for github when it is off', async () => {
      for (const [method, path] of [['GET', '/auth/okta'], ['GET', '/auth/Okta'], ['GET', '/auth/okta/callback?code=x&state=y'], ['POST', '/auth/okta/link'], ['GET', '/auth/my%20idp']] as const) {
        expectProblem(await browser().call(method, path), 404, 'PROVIDER_NOT_CONFIGURED');
      }
      expectProblem(await browser().call('GET', '/auth/github'), 404, 'GITHUB_NOT_CONFIGURED');
    });

    it('removes an identity unless it is the last way to sign in: 409 LAST_SIGN_IN_METHOD, then 204 once another is linked, then 404 IDENTITY_NOT_FOUND', async () => {
      const b = browser();
      expectSignedIn((await flow(b, 'google')).callback);
      expectProblem(await b.call('DELETE', '/auth/identities/google', { headers: csrf(b) }), 409, 'LAST_SIGN_IN_METHOD');
      expect((await identities(b)).map((i) => i.provider)).to.deep.equal(['google']);

      const link = await b.call('POST', '/auth/acme/link', { headers: csrf(b) });
      expectSignedIn((await flow(b, 'acme', (link.body as { url: string }).url.replace(publicUrl(), app.url))).callback);
      const removed = await b.call('DELETE', '/auth/identities/google', { headers: csrf(b) });
      expect(removed.status, removed.text).to.equal(204);
      expect((await identities(b)).map((i) => i.provider)).to.deep.equal(['acme']);
      expectProblem(await b.call('DELETE', '/auth/identities/google', { headers: csrf(b) }), 404, 'IDENTITY_NOT_FOUND');
      // The removed identity no longer opens the account; its email is the account's, so it is not taken over either.
      expectFlowError((await flow(browser(), 'google')).callback, 'account_exists');
    });
  });
}

/** Outages that matter only before the app has discovered the issuer and cached its keys: each test on an app of its own. */
describe('an OpenID Connect issuer before the app has discovered it', function () {
  this.timeout(20_000);
  let issuer: OidcStandIn;
  let app: TestApp;
  let stop: (() => Promise<void>) | undefined;

  beforeEach(async () => {
    issuer = await OidcStandIn.start();
    ({ app, stop } = await MEMORY_BACKEND.start({
      env: { WEB_APP_URL, OIDC_ACME_ISSUER: issuer.url, OIDC_ACME_CLIENT_ID: issuer.clientId, OIDC_ACME_CLIENT_SECRET: issuer.clientSecret },
    }));
  });
  afterEach(async () => {
    if (stop) await stop();
    await issuer?.close();
  });

  const browser = () => new Browser(app as unknown as GithubTestApp);
  /** Start, consent, back to the callback on the app's address. */
  async function signIn(b: Browser) {
    const start = await b.get(`${app.url}/auth/acme`);
    const consent = await b.get(start.headers.get('location') ?? '');
    const back = new URL(consent.headers.get('location') ?? '');
    return b.get(`${app.url}${back.pathname}${back.search}`);
  }

  it('sends the browser back with ?error=provider_unavailable when discovery fails, tries it again on the next sign-in, then keeps it', async () => {
    issuer.discoveryMode = 'server_error';
    const b = browser();
    const failed = await b.get(`${app.url}/auth/acme`);
    expect(failed.status).to.equal(302);
    expect(failed.headers.get('location')).to.equal(`${WEB_APP_URL}?error=provider_unavailable`);
    expect(b.cookie('oauth_state', '/auth/acme/callback'), 'no flow was started').to.equal(undefined);

    issuer.discoveryMode = 'ok';
    const started = await b.get(`${app.url}/auth/acme`);
    expect(started.status).to.equal(302);
    expect(new URL(started.headers.get('location') ?? '').origin).to.equal(new URL(issuer.url).origin);
    expect(issuer.discoveryFetches, 'one failed, one answered').to.equal(2);
    // Then it is kept: later sign-ins reuse it (and the JWKS it caches).
    expect((await b.get(`${app.url}/auth/acme`)).status).to.equal(302);
    expect(issuer.discoveryFetches, 'discovered once').to.equal(2);
  });

  it('answers ?error=provider_unavailable when the JWKS cannot be fetched before any key is cached, and signs in once it answers', async () => {
    issuer.jwksMode = 'server_error';
    expectFlowError(await signIn(browser()), 'provider_unavailable');
    issuer.jwksMode = 'ok';
    expectSignedIn(await signIn(browser()));
  });
});
