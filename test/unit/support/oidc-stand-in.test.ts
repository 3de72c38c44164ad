import { expect } from 'chai';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { anOidcAccount, googleEnv, OidcStandIn, oidcEnv, type IdTokenMode } from '../../support/oidc-stand-in.js';

/**
 * The stand-in issuer, driven by the real openid-client 6 as the service's adapter will drive it:
 * discovery, the authorization code flow with PKCE, nonce and state, and every failure mode. Each
 * failure is shown to make openid-client reject, and how it rejects (class and code) is pinned here,
 * since the service maps those to `?error=invalid_id_token` and `?error=provider_unavailable`.
 */

const REDIRECT_URI = 'http://app.example.test/auth/acme/callback';

type Auth = 'post' | 'basic';

/** What the service's adapter must do: discovery over http (tests only) and the signature check turned on. */
async function configure(standIn: OidcStandIn, { auth = 'post', nonRepudiation = true }: { auth?: Auth; nonRepudiation?: boolean } = {}) {
  const config = await client.discovery(
    new URL(standIn.issuer),
    standIn.clientId,
    standIn.clientSecret,
    auth === 'basic' ? client.ClientSecretBasic(standIn.clientSecret) : undefined,
    { execute: [client.allowInsecureRequests] },
  );
  if (nonRepudiation) client.enableNonRepudiationChecks(config);
  return config;
}

interface Flow {
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly state: string;
  readonly callbackUrl: URL;
}

/** The browser's part: to the authorize endpoint and back, the redirect caught rather than followed. */
async function authorize(config: client.Configuration, extra: Record<string, string> = {}): Promise<Flow> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  });
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status, await res.clone().text()).to.equal(302);
  const location = res.headers.get('location');
  expect(location).to.be.a('string');
  return { codeVerifier, nonce, state, callbackUrl: new URL(location as string) };
}

const grant = (config: client.Configuration, flow: Flow, checks: Partial<client.AuthorizationCodeGrantChecks> = {}) =>
  client.authorizationCodeGrant(config, flow.callbackUrl, {
    pkceCodeVerifier: flow.codeVerifier,
    expectedNonce: flow.nonce,
    expectedState: flow.state,
    ...checks,
  });

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; cause?: unknown }> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(Error);
    return err as Error & { code?: string };
  }
  expect.fail('expected a rejection, got a result');
}

/** The OperationProcessingError inside a ClientError (openid-client wraps oauth4webapi's). */
const inner = (err: { cause?: unknown }) => err.cause as (Error & { code?: string; cause?: { claim?: string } }) | undefined;

describe('OidcStandIn (test support), driven by openid-client 6', function () {
  this.timeout(20_000);
  let standIn: OidcStandIn;

  before(async () => {
    standIn = await OidcStandIn.start();
  });
  after(() => standIn.close());
  beforeEach(() => standIn.reset());

  describe('discovery and keys', () => {
    it('publishes metadata whose issuer is its url exactly, and a JWKS holding the kid it signs with', async () => {
      const res = await fetch(standIn.discoveryUrl);
      expect(res.status).to.equal(200);
      const meta = (await res.json()) as Record<string, unknown>;
      expect(meta).to.include({ issuer: standIn.url, jwks_uri: `${standIn.url}/jwks`, token_endpoint: `${standIn.url}/token` });
      expect(meta.response_types_supported).to.deep.equal(['code']);
      expect(meta.id_token_signing_alg_values_supported).to.deep.equal(['RS256']);
      expect(meta.code_challenge_methods_supported).to.deep.equal(['S256']);
      expect(meta.token_endpoint_auth_methods_supported).to.deep.equal(['client_secret_basic', 'client_secret_post']);

      const jwks = (await (await fetch(standIn.jwksUri)).json()) as { keys: Array<Record<string, unknown>> };
      expect(jwks.keys).to.have.length(1);
      expect(jwks.keys[0]).to.include({ kty: 'RSA', kid: standIn.kid, alg: 'RS256', use: 'sig' });
      expect(jwks.keys[0]).not.to.have.property('d'); // public only
    });

    it('is accepted by openid-client discovery, also with an issuer that has a path', async () => {
      const withPath = await OidcStandIn.start({ issuerPath: '/realms/acme', redirectUris: [REDIRECT_URI] });
      try {
        expect(withPath.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/realms\/acme$/);
        const config = await configure(withPath);
        expect(withPath.discoveryFetches).to.equal(1);
        expect(config.serverMetadata().issuer).to.equal(withPath.url);
        expect(config.serverMetadata().token_endpoint).to.equal(`${withPath.url}/token`);
        const flow = await authorize(config);
        const tokens = await grant(config, flow);
        expect(tokens.claims()?.iss).to.equal(withPath.url);

        // a redirect URI it was not told about: a 400 page, not a redirect
        const elsewhere = client.buildAuthorizationUrl(config, {
          redirect_uri: 'http://evil.example.test/cb',
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        });
        expect((await fetch(elsewhere, { redirect: 'manual' })).status).to.equal(400);
        expect(withPath.lastAuthorizeRequest().refusal).to.equal('redirect_uri not registered');
      } finally {
        await withPath.close();
      }
    });

    it('answers 500 for discovery in discoveryMode server_error', async () => {
      standIn.discoveryMode = 'server_error';
      const err = await rejection(configure(standIn));
      expect(err).to.be.instanceOf(client.ClientError);
      expect(err.code).to.equal('OAUTH_RESPONSE_IS_NOT_CONFORM');
    });
  });

  describe('the code flow', () => {
    it('signs the account in: PKCE, nonce and state checked, id_token verified against the JWKS, userinfo answers for the access token', async () => {
      const account = anOidcAccount({ name: 'Ada Lovelace' });
      standIn.reset(account);
      const jwksBefore = standIn.jwksFetches;
      const config = await configure(standIn);
      const flow = await authorize(config);

      const asked = standIn.lastAuthorizeRequest();
      expect(asked).to.deep.include({
        clientId: standIn.clientId,
        redirectUri: REDIRECT_URI,
        scope: 'openid email profile',
        state: flow.state,
        nonce: flow.nonce,
        codeChallenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        codeChallengeMethod: 'S256',
        responseType: 'code',
        refusal: null,
      });
      expect(flow.callbackUrl.origin + flow.callbackUrl.pathname).to.equal(REDIRECT_URI);
      expect(flow.callbackUrl.searchParams.get('state')).to.equal(flow.state);
      expect(flow.callbackUrl.searchParams.get('code')).to.be.a('string').and.not.empty;

      const tokens = await grant(config, flow);
      expect(tokens.token_type).to.equal('bearer'); // openid-client lower-cases it
      expect(tokens.scope).to.equal('openid email profile');
      expect(tokens.expires_in).to.equal(3600);
      const claims = tokens.claims();
      expect(claims).to.include({
        iss: standIn.url,
        aud: standIn.clientId,
        sub: account.sub,
        nonce: flow.nonce,
        email: account.email,
        email_verified: true,
        name: 'Ada Lovelace',
        preferred_username: account.preferredUsername,
      });
      const nowSeconds = Date.now() / 1000;
      expect(claims?.iat).to.be.closeTo(nowSeconds, 5);
      expect(claims?.exp).to.be.closeTo(nowSeconds + 3600, 5);
      expect(decodeProtectedHeader(tokens.id_token as string)).to.include({ alg: 'RS256', kid: standIn.kid });
      expect(standIn.jwksFetches).to.equal(jwksBefore + 1); // the signature check fetched the keys

      const token = standIn.lastTokenRequest();
      expect(token).to.include({ clientAuthentication: 'client_secret_post', clientId: standIn.clientId, refusal: null });
      expect(token.params).to.include({ grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code_verifier: flow.codeVerifier });
      expect(standIn.issuedIdTokens.at(-1)).to.equal(tokens.id_token);
      expect(standIn.issuedAccessTokens.at(-1)).to.equal(tokens.access_token);

      const userinfo = await client.fetchUserInfo(config, tokens.access_token, account.sub);
      expect(userinfo).to.deep.equal({
        sub: account.sub,
        email: account.email,
        email_verified: true,
        name: 'Ada Lovelace',
        preferred_username: account.preferredUsername,
      });
      expect(standIn.userinfoRequests.at(-1)).to.deep.equal({ method: 'GET', authorization: `Bearer ${tokens.access_token}`, refusal: null });
    });

    it('authenticates a client_secret_basic client too, and refuses a wrong secret with 401 invalid_client', async () => {
      const config = await configure(standIn, { auth: 'basic' });
      const tokens = await grant(config, await authorize(config));
      expect(tokens.claims()?.sub).to.equal(standIn.account.sub);
      expect(standIn.lastTokenRequest()).to.include({ clientAuthentication: 'client_secret_basic', refusal: null });
      expect(standIn.lastTokenRequest().params).not.to.have.property('client_secret');

      const wrong = await client.discovery(new URL(standIn.issuer), standIn.clientId, 'not-the-secret', undefined, { execute: [client.allowInsecureRequests] });
      const err = await rejection(grant(wrong, await authorize(wrong)));
      expect(err).to.be.instanceOf(client.ResponseBodyError);
      expect(err).to.include({ error: 'invalid_client', status: 401 });
      expect(standIn.lastTokenRequest()).to.include({ clientAuthentication: 'client_secret_post', refusal: 'invalid_client' });
    });

    it('carries email_verified false when the account says so', async () => {
      standIn.reset(anOidcAccount({ emailVerified: false }));
      const config = await configure(standIn);
      const tokens = await grant(config, await authorize(config));
      expect(tokens.claims()?.email_verified).to.equal(false);
      expect((await client.fetchUserInfo(config, tokens.access_token, standIn.account.sub)).email_verified).to.equal(false);
    });

    it('takes iat and exp from the injected clock', async () => {
      const at = Date.parse('2030-05-01T12:00:00Z');
      const clocked = await OidcStandIn.start({ now: () => at, tokenTtlSeconds: 600 });
      try {
        const config = await configure(clocked);
        const flow = await authorize(config);
        // openid-client checks exp against its own clock: a token from 2030 passes now, so read it raw
        await grant(config, flow);
        const claims = decodeJwt(clocked.issuedIdTokens.at(-1) as string);
        expect(claims).to.include({ iat: at / 1000, exp: at / 1000 + 600 });
      } finally {
        await clocked.close();
      }
    });

    it('redirects back with error=access_denied and the state when consent is denied', async () => {
      standIn.denyConsent = true;
      const config = await configure(standIn);
      const flow = await authorize(config);
      expect(flow.callbackUrl.searchParams.get('error')).to.equal('access_denied');
      expect(flow.callbackUrl.searchParams.get('state')).to.equal(flow.state);
      expect(flow.callbackUrl.searchParams.has('code')).to.equal(false);
      const err = await rejection(grant(config, flow));
      expect(err).to.be.instanceOf(client.AuthorizationResponseError);
      expect(err).to.include({ error: 'access_denied' });
    });

    it('refuses with a 400 page an unknown client_id, or no S256 code_challenge, and redirects nowhere', async () => {
      const base = new URL(standIn.authorizationEndpoint);
      const ask = async (params: Record<string, string>) => {
        const url = new URL(base);
        for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
        return fetch(url, { redirect: 'manual' });
      };
      const good = { client_id: standIn.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid', state: 's', nonce: 'n', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' };
      expect((await ask(good)).status).to.equal(302);

      const unknown = await ask({ ...good, client_id: 'someone-else' });
      expect(unknown.status).to.equal(400);
      expect(unknown.headers.get('location')).to.equal(null);
      expect(standIn.lastAuthorizeRequest().refusal).to.equal('unknown client_id');

      const noChallenge: Record<string, string> = { ...good };
      delete noChallenge.code_challenge;
      expect((await ask(noChallenge)).status).to.equal(400);
      expect(standIn.lastAuthorizeRequest().refusal).to.match(/PKCE/);
      expect((await ask({ ...good, code_challenge_method: 'plain' })).status).to.equal(400);
      expect(standIn.lastAuthorizeRequest().refusal).to.match(/PKCE/);
    });

    it('refuses a replayed code with invalid_grant, unless acceptCodeTwice', async () => {
      const config = await configure(standIn);
      const flow = await authorize(config);
      await grant(config, flow);
      const err = await rejection(grant(config, flow));
      expect(err).to.be.instanceOf(client.ResponseBodyError);
      expect(err).to.include({ code: 'OAUTH_RESPONSE_BODY_ERROR', error: 'invalid_grant', status: 400 });
      expect(standIn.lastTokenRequest().refusal).to.equal('invalid_grant');

      standIn.acceptCodeTwice = true;
      const again = await authorize(config);
      const first = await grant(config, again);
      const second = await grant(config, again);
      expect(second.claims()?.sub).to.equal(first.claims()?.sub);
      expect(second.access_token).not.to.equal(first.access_token);
    });

    it('refuses a wrong PKCE verifier with invalid_grant, and spends the code doing so', async () => {
      const config = await configure(standIn);
      const flow = await authorize(config);
      const err = await rejection(grant(config, flow, { pkceCodeVerifier: client.randomPKCECodeVerifier() }));
      expect(err).to.be.instanceOf(client.ResponseBodyError);
      expect(err).to.include({ error: 'invalid_grant', status: 400 });
      expect(standIn.lastTokenRequest().refusal).to.equal('invalid_grant');
      expect(await rejection(grant(config, flow))).to.include({ error: 'invalid_grant' });
    });

    it('refuses a redirect_uri other than the authorize request\'s', async () => {
      const config = await configure(standIn);
      const flow = await authorize(config);
      const elsewhere = new URL(flow.callbackUrl);
      elsewhere.pathname = '/auth/other/callback';
      const err = await rejection(grant(config, { ...flow, callbackUrl: elsewhere }));
      expect(err).to.include({ error: 'invalid_grant', status: 400 });
    });

    it('refuses an access token it did not issue at userinfo', async () => {
      const config = await configure(standIn);
      const err = await rejection(client.fetchUserInfo(config, 'sta_not-issued', client.skipSubjectCheck));
      expect(err).to.be.instanceOf(client.WWWAuthenticateChallengeError);
      expect(standIn.userinfoRequests.at(-1)?.refusal).to.equal('invalid_token');
    });
  });

  describe('id_token failure modes: each makes authorizationCodeGrant reject', () => {
    // How openid-client 6 reports each (ClientError, code; the oauth4webapi error is its cause).
    const expected: Record<Exclude<IdTokenMode, 'ok'>, { code: string; message: RegExp }> = {
      foreign_key: { code: 'OAUTH_INVALID_RESPONSE', message: /signature verification failed/ },
      wrong_aud: { code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', message: /"aud"/ },
      wrong_iss: { code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', message: /"iss"/ },
      no_nonce: { code: 'OAUTH_INVALID_RESPONSE', message: /"nonce".*missing/ },
      wrong_nonce: { code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', message: /"nonce"/ },
      expired: { code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', message: /"exp"/ },
      alg_none: { code: 'OAUTH_INVALID_RESPONSE', message: /"alg"/ },
    };

    for (const [mode, { code, message }] of Object.entries(expected) as Array<[IdTokenMode, { code: string; message: RegExp }]>) {
      it(`${mode}: ClientError ${code}`, async () => {
        const config = await configure(standIn);
        const flow = await authorize(config);
        standIn.idTokenMode = mode;
        const err = await rejection(grant(config, flow));
        expect(err).to.be.instanceOf(client.ClientError);
        expect(err.code).to.equal(code);
        expect(inner(err)?.message).to.match(message);
        expect(standIn.lastTokenRequest().refusal).to.equal(null); // the issuer answered 200: the client refused
      });
    }

    it('foreign_key passes when non-repudiation checks are off: the signature is only checked with enableNonRepudiationChecks', async () => {
      const config = await configure(standIn, { nonRepudiation: false });
      const flow = await authorize(config);
      standIn.idTokenMode = 'foreign_key';
      const jwksBefore = standIn.jwksFetches;
      const tokens = await grant(config, flow);
      expect(tokens.claims()?.sub).to.equal(standIn.account.sub);
      expect(standIn.jwksFetches).to.equal(jwksBefore); // the keys were never even fetched
    });

    it('the foreign key really has the published kid (so only the signature tells them apart)', async () => {
      const config = await configure(standIn, { nonRepudiation: false });
      const flow = await authorize(config);
      standIn.idTokenMode = 'foreign_key';
      const tokens = await grant(config, flow);
      expect(decodeProtectedHeader(tokens.id_token as string)).to.include({ alg: 'RS256', kid: standIn.kid });
    });

    it('alg_none is an unsecured JWT, refused even without non-repudiation checks', async () => {
      const config = await configure(standIn, { nonRepudiation: false });
      const flow = await authorize(config);
      standIn.idTokenMode = 'alg_none';
      const err = await rejection(grant(config, flow));
      expect(err).to.be.instanceOf(client.ClientError);
      const idToken = standIn.issuedIdTokens.at(-1) as string;
      expect(decodeProtectedHeader(idToken)).to.include({ alg: 'none' });
      expect(idToken.endsWith('.')).to.equal(true);
    });
  });

  describe('outages', () => {
    it('tokenMode server_error: 500, ClientError OAUTH_RESPONSE_IS_NOT_CONFORM', async () => {
      const config = await configure(standIn);
      const flow = await authorize(config);
      standIn.tokenMode = 'server_error';
      const err = await rejection(grant(config, flow));
      expect(err).to.be.instanceOf(client.ClientError);
      expect(err.code).to.equal('OAUTH_RESPONSE_IS_NOT_CONFORM');
      expect(standIn.lastTokenRequest().refusal).to.equal('server_error');
    });

    it('jwksMode server_error: the signature check cannot fetch keys, ClientError OAUTH_RESPONSE_IS_NOT_CONFORM', async () => {
      const config = await configure(standIn);
      const flow = await authorize(config);
      standIn.jwksMode = 'server_error';
      const before = standIn.jwksFetches;
      const err = await rejection(grant(config, flow));
      expect(err).to.be.instanceOf(client.ClientError);
      expect(err.code).to.equal('OAUTH_RESPONSE_IS_NOT_CONFORM');
      expect(standIn.jwksFetches).to.equal(before + 1);
    });

    it('userinfoMode server_error: ClientError OAUTH_RESPONSE_IS_NOT_CONFORM', async () => {
      const config = await configure(standIn);
      const tokens = await grant(config, await authorize(config));
      standIn.userinfoMode = 'server_error';
      const err = await rejection(client.fetchUserInfo(config, tokens.access_token, standIn.account.sub));
      expect(err).to.be.instanceOf(client.ClientError);
      expect(err.code).to.equal('OAUTH_RESPONSE_IS_NOT_CONFORM');
      expect(standIn.userinfoRequests.at(-1)?.refusal).to.equal('server_error');
    });

    it('an issuer that is gone: a plain TypeError (fetch failed), not a ClientError', async () => {
      const gone = await OidcStandIn.start();
      const config = await configure(gone);
      const flow = await authorize(config);
      await gone.close();
      const err = await rejection(grant(config, flow));
      expect(err).to.be.instanceOf(TypeError);
      expect(err).not.to.be.instanceOf(client.ClientError);
    });
  });

  describe('reset and the environment helpers', () => {
    it('reset restores every mode and takes a fresh account, keeping the logs', async () => {
      const before = standIn.account;
      standIn.idTokenMode = 'expired';
      standIn.tokenMode = 'server_error';
      standIn.jwksMode = 'server_error';
      standIn.userinfoMode = 'server_error';
      standIn.discoveryMode = 'server_error';
      standIn.denyConsent = true;
      standIn.acceptCodeTwice = true;
      const logged = standIn.authorizeRequests.length;
      standIn.reset();
      expect(standIn).to.include({ idTokenMode: 'ok', tokenMode: 'ok', jwksMode: 'ok', userinfoMode: 'ok', discoveryMode: 'ok', denyConsent: false, acceptCodeTwice: false });
      expect(standIn.account.sub).not.to.equal(before.sub);
      expect(standIn.account.email).not.to.equal(before.email);
      expect(standIn.authorizeRequests).to.have.length(logged);
    });

    it('googleEnv and oidcEnv name the stand-in as the issuer', () => {
      const app = 'http://127.0.0.1:9999';
      expect(googleEnv(standIn, app)).to.deep.equal({
        GOOGLE_ISSUER: standIn.url,
        GOOGLE_CLIENT_ID: standIn.clientId,
        GOOGLE_CLIENT_SECRET: standIn.clientSecret,
        GOOGLE_CALLBACK_URL: `${app}/auth/google/callback`,
      });
      expect(oidcEnv('Acme', standIn, app)).to.deep.equal({
        OIDC_ACME_ISSUER: standIn.url,
        OIDC_ACME_CLIENT_ID: standIn.clientId,
        OIDC_ACME_CLIENT_SECRET: standIn.clientSecret,
        OIDC_ACME_CALLBACK_URL: `${app}/auth/acme/callback`,
      });
      expect(() => oidcEnv('no spaces', standIn, app)).to.throw(/provider name/);
    });
  });
});
