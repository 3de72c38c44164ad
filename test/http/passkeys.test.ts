import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_BACKENDS, MEMORY_BACKEND } from '../support/backends.js';
import { FixedClock } from '../support/fixed-clock.js';
import { bearer, call, register, type ApiResponse } from '../support/http.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import { decodeJwt, expectProblem, expectTokenAnswer, expectValidationFailed, me } from './helpers.js';
import { COOKIE_MODE, CookieJar, cookieLogin, expectCookieModeAnswer, expectSessionCookies } from './web-client.js';

/** The default configuration: PUBLIC_URL http://localhost:3000, so RP ID localhost and that origin. */
const ORIGIN = 'http://localhost:3000';
const PASSKEY_KEYS = ['createdAt', 'id', 'lastUsedAt', 'name'];

const MEMORY = MEMORY_BACKEND;

/** 401 PASSKEY_INVALID: one answer for every failed ceremony. */
const expectPasskeyInvalid = (res: ApiResponse) => expectProblem(res, 401, 'PASSKEY_INVALID');

for (const backend of [MEMORY, ...DATABASE_BACKENDS]) {
  describe(`passkeys over HTTP on ${backend.name}`, function () {
    this.timeout(20_000);
    let app: TestApp;
    let clock: FixedClock;
    let stop: (() => Promise<void>) | undefined;

    before(async function () {
      if (!(await backend.available())) this.skip();
      clock = new FixedClock(new Date());
      ({ app, stop } = await backend.start({ clock }));
    });
    after(async () => {
      if (stop) await stop();
    });

    const post = (path: string, json?: unknown, headers: Record<string, string> = {}) => call(app.url, 'POST', path, { ...(json === undefined ? {} : { json }), headers });
    const registrationOptions = async (accessToken: string) => {
      const res = await post('/auth/passkeys/registration/options', undefined, bearer(accessToken));
      expect(res.status, res.text).to.equal(200);
      return res.body as Record<string, any>;
    };
    const signInOptions = async () => {
      const res = await post('/auth/passkeys/authentication/options');
      expect(res.status, res.text).to.equal(200);
      return res.body as Record<string, any>;
    };

    /** A new account with one passkey on a new software authenticator. */
    async function userWithPasskey(name?: string, keepsCounter = true) {
      const account = await register(app.url);
      const device = new SoftwareAuthenticator(ORIGIN, keepsCounter);
      const res = await post(`/auth/passkeys/registration${name ? `?name=${encodeURIComponent(name)}` : ''}`, device.register(await registrationOptions(account.accessToken)), bearer(account.accessToken));
      expect(res.status, res.text).to.equal(201);
      return { account, device, passkey: res.body as { id: string; name: string; createdAt: string; lastUsedAt: string | null } };
    }

    describe('registration', () => {
      it('answers creation options for a discoverable credential, excluding the passkeys the user has', async () => {
        const { account, passkey } = await userWithPasskey();
        const options = await registrationOptions(account.accessToken);
        expect(options.rp).to.deep.include({ id: 'localhost' });
        expect(options.user.id).to.equal(Buffer.from(account.user.id, 'utf8').toString('base64url'));
        expect(options.challenge).to.be.a('string').and.match(/^[A-Za-z0-9_-]{43,}$/);
        expect(options.authenticatorSelection).to.deep.include({ residentKey: 'required', userVerification: 'preferred' });
        expect(options.excludeCredentials.map((c: { id: string }) => c.id)).to.deep.equal([passkey.id]);
      });

      it('stores the attested passkey: 201 { id, name, createdAt, lastUsedAt }, listed by GET /auth/passkeys', async () => {
        const { account, device, passkey } = await userWithPasskey('Work laptop');
        expect(Object.keys(passkey).sort()).to.deep.equal(PASSKEY_KEYS);
        expect(passkey).to.deep.equal({ id: device.credentials[0]?.id, name: 'Work laptop', createdAt: clock.now().toISOString(), lastUsedAt: null });
        const list = await call(app.url, 'GET', '/auth/passkeys', { headers: bearer(account.accessToken) });
        expect(list.status).to.equal(200);
        expect(list.body).to.deep.equal({ passkeys: [passkey] });
      });

      it('names a passkey "Passkey" when ?name= is not given', async () => {
        expect((await userWithPasskey()).passkey.name).to.equal('Passkey');
      });

      it('needs a signed-in user', async () => {
        expectProblem(await post('/auth/passkeys/registration/options'), 401, 'TOKEN_MISSING');
        expectProblem(await post('/auth/passkeys/registration', {}), 401, 'TOKEN_MISSING');
        expectProblem(await call(app.url, 'GET', '/auth/passkeys'), 401, 'TOKEN_MISSING');
      });

      it('refuses an attestation from another origin or for another RP ID with 401 PASSKEY_INVALID, storing nothing', async () => {
        const account = await register(app.url);
        const device = new SoftwareAuthenticator(ORIGIN);
        const auth = bearer(account.accessToken);
        expectPasskeyInvalid(await post('/auth/passkeys/registration', device.register(await registrationOptions(account.accessToken), { origin: 'https://evil.example' }), auth));
        expectPasskeyInvalid(await post('/auth/passkeys/registration', device.register(await registrationOptions(account.accessToken), { rpId: 'evil.example' }), auth));
        const list = await call(app.url, 'GET', '/auth/passkeys', { headers: auth });
        expect(list.body).to.deep.equal({ passkeys: [] });
      });

      it("refuses another user's registration challenge", async () => {
        const alice = await register(app.url);
        const mallory = await register(app.url);
        const response = new SoftwareAuthenticator(ORIGIN).register(await registrationOptions(alice.accessToken));
        expectPasskeyInvalid(await post('/auth/passkeys/registration', response, bearer(mallory.accessToken)));
      });

      it('answers 400 VALIDATION_FAILED for a body that is no RegistrationResponseJSON, and for a bad ?name=', async () => {
        const account = await register(app.url);
        const auth = bearer(account.accessToken);
        expectValidationFailed(await post('/auth/passkeys/registration', [], auth), ['body']);
        expectValidationFailed(await post('/auth/passkeys/registration', { id: 'abc', rawId: 'abc', type: 'public-key' }, auth), ['response']);
        expectValidationFailed(await post('/auth/passkeys/registration', { id: 'not base64url!', rawId: 7, type: 'password', response: { clientDataJSON: 1 } }, auth), [
          'id',
          'rawId',
          'type',
          'response.clientDataJSON',
          'response.attestationObject',
        ]);
        const valid = new SoftwareAuthenticator(ORIGIN).register(await registrationOptions(account.accessToken));
        expectValidationFailed(await post('/auth/passkeys/registration?name=%20', valid, auth), ['name']);
        expectValidationFailed(await post(`/auth/passkeys/registration?name=${'x'.repeat(65)}`, valid, auth), ['name']);
        expectValidationFailed(await post('/auth/passkeys/registration?name=a&name=b', valid, auth), ['name']);
      });

      it('answers 401 PASSKEY_INVALID (never 500) for well-shaped garbage', async () => {
        const account = await register(app.url);
        const garbage = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' }, clientExtensionResults: {} };
        expectPasskeyInvalid(await post('/auth/passkeys/registration', garbage, bearer(account.accessToken)));
      });

      it('answers 400 or 401, never 500, to responses well shaped outside and broken inside', async () => {
        const { account, passkey } = await userWithPasskey();
        const auth = bearer(account.accessToken);
        const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');
        for (const make of [
          (_challenge: string) => b64('null'),
          (_challenge: string) => b64('{"challenge":5}'),
          (_challenge: string) => b64('not json'),
          (challenge: string) => b64(JSON.stringify({ type: 'webauthn.create', challenge, origin: ORIGIN })),
          (challenge: string) => b64(JSON.stringify({ type: 'webauthn.get', challenge, origin: ORIGIN })),
        ]) {
          const options = await registrationOptions(account.accessToken);
          for (const attestationObject of ['AAAA', b64(Buffer.alloc(300, 0xa3)), b64('\u00bf')]) {
            const body = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: make(options.challenge), attestationObject }, clientExtensionResults: {} };
            const res = await post('/auth/passkeys/registration', body, auth);
            expect(res.status, res.text).to.be.oneOf([400, 401]);
          }
          const signIn = await signInOptions();
          // A known credential, so the assertion reaches the signature check.
          for (const authenticatorData of ['AAAA', b64(Buffer.alloc(37, 0x05)), b64(Buffer.alloc(300, 0xff))]) {
            const body = { id: passkey.id, rawId: passkey.id, type: 'public-key', response: { clientDataJSON: make(signIn.challenge), authenticatorData, signature: 'AAAA' } };
            const res = await post('/auth/passkeys/authentication', body);
            expect(res.status, res.text).to.be.oneOf([400, 401]);
          }
        }
      });

      it('asks for X-CSRF-Token when a cookie authenticates the request', async () => {
        const account = await register(app.url);
        const jar = await cookieLogin(app.url, account.email);
        expectProblem(await post('/auth/passkeys/registration/options', undefined, jar.header()), 403, 'CSRF_FAILED');
        expect((await post('/auth/passkeys/registration/options', undefined, jar.withCsrf())).status).to.equal(200);
      });
    });

    describe('sign-in with a discoverable passkey', () => {
      it('answers request options with no allowCredentials', async () => {
        const options = await signInOptions();
        expect(options.rpId).to.equal('localhost');
        expect(options.allowCredentials ?? []).to.deep.equal([]);
        expect(options.userVerification).to.equal('preferred');
      });

      it('signs in in Bearer mode, as login does, with amr ["hwk"], and records the use', async () => {
        const { account, device, passkey } = await userWithPasskey();
        clock.advance(30);
        const res = await post('/auth/passkeys/authentication', device.authenticate(await signInOptions()));
        const body = expectTokenAnswer(res, 200);
        expect(body.user.id).to.equal(account.user.id);
        expect(decodeJwt(body.accessToken).payload.amr).to.deep.equal(['hwk']);
        expect((await me(app.url, body.accessToken)).status).to.equal(200);
        const list = await call(app.url, 'GET', '/auth/passkeys', { headers: bearer(body.accessToken) });
        expect(list.body.passkeys).to.deep.equal([{ ...passkey, lastUsedAt: clock.now().toISOString() }]);
      });

      it('signs in in cookie mode with X-Auth-Mode: cookie: the tokens in cookies, none in the body', async () => {
        const { account, device } = await userWithPasskey();
        const res = await post('/auth/passkeys/authentication', device.authenticate(await signInOptions()), COOKIE_MODE);
        expect(expectCookieModeAnswer(res, 200).user.id).to.equal(account.user.id);
        expectSessionCookies(res);
        const jar = new CookieJar().take(res);
        expect((await call(app.url, 'GET', '/auth/me', { headers: jar.header() })).status).to.equal(200);
      });

      it('refuses an assertion from another origin', async () => {
        const { device } = await userWithPasskey();
        expectPasskeyInvalid(await post('/auth/passkeys/authentication', device.authenticate(await signInOptions(), undefined, { origin: 'https://localhost.evil.example' })));
      });

      it('refuses an assertion for another RP ID', async () => {
        const { device } = await userWithPasskey();
        expectPasskeyInvalid(await post('/auth/passkeys/authentication', device.authenticate(await signInOptions(), undefined, { rpId: 'evil.example' })));
      });

      it('refuses a replayed assertion: its challenge was spent by the first', async () => {
        // An authenticator that keeps no counter: only the spent challenge stops the replay.
        const { device } = await userWithPasskey(undefined, false);
        const response = device.authenticate(await signInOptions());
        expectTokenAnswer(await post('/auth/passkeys/authentication', response), 200);
        expectPasskeyInvalid(await post('/auth/passkeys/authentication', response));
      });

      it('refuses a challenge the server never issued', async () => {
        const { device } = await userWithPasskey();
        const options = await signInOptions();
        expectPasskeyInvalid(await post('/auth/passkeys/authentication', device.authenticate({ ...options, challenge: 'bm90LWlzc3VlZC1ieS10aGUtc2VydmVyLWF0LWFsbC0xMjM0NTY' })));
      });

      it('refuses a registration challenge used to sign in', async () => {
        const { account, device } = await userWithPasskey();
        const options = await registrationOptions(account.accessToken);
        expectPasskeyInvalid(await post('/auth/passkeys/authentication', device.authenticate({ rpId: 'localhost', challenge: options.challenge })));
      });

      it('refuses a challenge 5 minutes old, and takes one 4 min 59 s old', async () => {
        const { device } = await userWithPasskey();
        const fresh = await signInOptions();
        const stale = await signInOptions();
        clock.advance(299);
        expectTokenAnswer(await post('/auth/passkeys/authentication', device.authenticate(fresh)), 200);
        clock.advance(1);
        expectPasskeyInvalid(await post('/auth/passkeys/authentication', device.authenticate(stale)));
      });

      it('refuses a signature counter that does not grow', async () => {
        const { device } = await userWithPasskey();
        expectTokenAnswer(await post('/auth/passkeys/authentication', device.authenticate(await signInOptions(), undefined, { counter: 10 })), 200);
        expectPasskeyInvalid(await post('/auth/passkeys/authentication', device.authenticate(await signInOptions(), undefined, { counter: 10 })));
        expectPasskeyInvalid(await post('/auth/passkeys/authentication', device.authenticate(await signInOptions(), undefined, { counter: 9 })));
        expectTokenAnswer(await post('/auth/passkeys/authentication', device.authenticate(await signInOptions(), undefined, { counter: 11 })), 200);
      });

      it('takes 0 every time from an authenticator that keeps no counter', async () => {
        const account = await register(app.url);
        const device = new SoftwareAuthenticator(ORIGIN, false);
        expect((await post('/auth/passkeys/registration', device.register(await registrationOptions(account.accessToken)), bearer(account.accessToken))).status).to.equal(201);
        for (let i = 0; i < 2; i++) expectTokenAnswer(await post('/auth/passkeys/authentication', device.authenticate(await signInOptions())), 200);
      });

      it('refuses a credential it does not know', async () => {
        const stranger = new SoftwareAuthenticator(ORIGIN);
        stranger.register({ rp: { id: 'localhost' }, user: { id: 'eA' }, challenge: 'eA' });
        expectPasskeyInvalid(await post('/auth/passkeys/authentication', stranger.authenticate(await signInOptions())));
      });

      it('answers 400 VALIDATION_FAILED for a body that is no AuthenticationResponseJSON', async () => {
        expectValidationFailed(await post('/auth/passkeys/authentication', 'hello'), ['body']);
        expectValidationFailed(await post('/auth/passkeys/authentication', { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'AAAA' } }), [
          'response.authenticatorData',
          'response.signature',
        ]);
      });
    });

    describe('removal', () => {
      it('removes a passkey (204): it is listed no more and signs in no more', async () => {
        const { account, device, passkey } = await userWithPasskey();
        const res = await call(app.url, 'DELETE', `/auth/passkeys/${encodeURIComponent(passkey.id)}`, { headers: bearer(account.accessToken) });
        expect(res.status, res.text).to.equal(204);
        expect((await call(app.url, 'GET', '/auth/passkeys', { headers: bearer(account.accessToken) })).body).to.deep.equal({ passkeys: [] });
        expectPasskeyInvalid(await post('/auth/passkeys/authentication', device.authenticate(await signInOptions())));
      });

      it("answers 404 PASSKEY_NOT_FOUND for another user's passkey, and for an unknown one; the passkey stays", async () => {
        const { account, passkey } = await userWithPasskey();
        const other = await register(app.url);
        expectProblem(await call(app.url, 'DELETE', `/auth/passkeys/${encodeURIComponent(passkey.id)}`, { headers: bearer(other.accessToken) }), 404, 'PASSKEY_NOT_FOUND');
        expectProblem(await call(app.url, 'DELETE', '/auth/passkeys/no-such-passkey', { headers: bearer(account.accessToken) }), 404, 'PASSKEY_NOT_FOUND');
        expect((await call(app.url, 'GET', '/auth/passkeys', { headers: bearer(account.accessToken) })).body.passkeys).to.have.length(1);
      });
    });

    describe('security events', () => {
      it('records passkey.added, login.succeeded (method passkey), login.failed and passkey.removed', async () => {
        const { account, device, passkey } = await userWithPasskey();
        // A second apart each: events of one millisecond have no order between them.
        clock.advance(1);
        await post('/auth/passkeys/authentication', device.authenticate(await signInOptions()));
        clock.advance(1);
        await post('/auth/passkeys/authentication', device.authenticate(await signInOptions(), undefined, { counter: 0 }));
        clock.advance(1);
        await call(app.url, 'DELETE', `/auth/passkeys/${encodeURIComponent(passkey.id)}`, { headers: bearer(account.accessToken) });
        const events = (await call(app.url, 'GET', '/auth/events', { headers: bearer(account.accessToken) })).body.events as Array<{ type: string; detail: Record<string, unknown> }>;
        const passkeyEvents = events.filter((e) => e.type.startsWith('passkey.') || e.detail.method === 'passkey').map((e) => [e.type, e.detail.reason ?? null]);
        expect(passkeyEvents.reverse()).to.deep.equal([
          ['passkey.added', null],
          ['login.succeeded', null],
          ['login.failed', 'counter'],
          ['passkey.removed', null],
        ]);
      });
    });
  });
}

describe('passkeys off: PUBLIC_URL on an IP address and no WEBAUTHN_RP_ID', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { PUBLIC_URL: 'http://127.0.0.1:3000' } });
  });
  after(() => app.close());

  it('answers the ceremony routes with 404 PASSKEYS_NOT_CONFIGURED, and still lists passkeys', async () => {
    const account = await register(app.url);
    const auth = bearer(account.accessToken);
    expectProblem(await call(app.url, 'POST', '/auth/passkeys/registration/options', { headers: auth }), 404, 'PASSKEYS_NOT_CONFIGURED');
    expectProblem(await call(app.url, 'POST', '/auth/passkeys/registration', { headers: auth, json: {} }), 404, 'PASSKEYS_NOT_CONFIGURED');
    expectProblem(await call(app.url, 'POST', '/auth/passkeys/authentication/options'), 404, 'PASSKEYS_NOT_CONFIGURED');
    expectProblem(await call(app.url, 'POST', '/auth/passkeys/authentication', { json: {} }), 404, 'PASSKEYS_NOT_CONFIGURED');
    expect((await call(app.url, 'GET', '/auth/passkeys', { headers: auth })).body).to.deep.equal({ passkeys: [] });
  });
});

describe('passkeys with WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { PUBLIC_URL: 'http://127.0.0.1:3000', WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://app.example.com,https://example.com' } });
  });
  after(() => app.close());

  it('runs the ceremonies for that RP ID from each allowed origin, and refuses the web app origin left out', async () => {
    const account = await register(app.url);
    const auth = bearer(account.accessToken);
    const options = (await call(app.url, 'POST', '/auth/passkeys/registration/options', { headers: auth })).body;
    expect(options.rp.id).to.equal('example.com');
    const device = new SoftwareAuthenticator('https://app.example.com');
    expect((await call(app.url, 'POST', '/auth/passkeys/registration', { headers: auth, json: device.register(options) })).status).to.equal(201);
    const signIn = async (origin: string) =>
      call(app.url, 'POST', '/auth/passkeys/authentication', { json: device.authenticate((await call(app.url, 'POST', '/auth/passkeys/authentication/options')).body, undefined, { origin }) });
    expect((await signIn('https://example.com')).status).to.equal(200);
    expectProblem(await signIn('http://127.0.0.1:3000'), 401, 'PASSKEY_INVALID');
  });
});
