import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { call, register } from '../support/http.js';
import {
  ACCESS_TYP,
  asApiResponse,
  claims,
  decodeJwt,
  expectInvalidToken,
  expectProblem,
  expectRequestId,
  forgeJwt,
  me,
  rawRequest,
  refresh,
  REFRESH_TYP,
  signAccess,
  signRefresh,
  TEST_ACCESS_SECRET,
  TEST_REFRESH_SECRET,
} from './helpers.js';

/**
 * Security regressions, named so a reviewer finds them. Each forged token would pass every
 * check but the one it attacks: right secret where it matters, right typ, iss, aud, a live session.
 */
describe('token attacks', () => {
  let app: TestApp;
  let victim: { userId: string; sessionId: string; accessToken: string; refreshToken: string };
  let other: { userId: string };
  before(async () => {
    app = await startTestApp();
    const r = await register(app.url);
    victim = { userId: r.user.id, sessionId: decodeJwt(r.accessToken).payload.sid, accessToken: r.accessToken, refreshToken: r.refreshToken };
    other = { userId: (await register(app.url)).user.id };
  });
  after(() => app.close());

  const live = () => ({ sub: victim.userId, sid: victim.sessionId });

  it('control: a token forged with the right key, typ, iss and aud for a live session IS accepted', async () => {
    expect((await me(app.url, signAccess(live()))).status).to.equal(200);
  });

  describe('access tokens at GET /auth/me', () => {
    it('refuses alg "none" (unsigned token)', async () => {
      expectInvalidToken(await me(app.url, forgeJwt({ alg: 'none', typ: ACCESS_TYP }, claims(live()), null)));
      expectInvalidToken(await me(app.url, forgeJwt({ alg: 'None', typ: ACCESS_TYP }, claims(live()), null)));
      expectInvalidToken(await me(app.url, forgeJwt({ alg: 'none', typ: ACCESS_TYP }, claims(live()), null).slice(0, -1)));
    });

    it('refuses alg "none" carrying the original signature', async () => {
      const [, , signature] = victim.accessToken.split('.');
      const token = `${forgeJwt({ alg: 'none', typ: ACCESS_TYP }, decodeJwt(victim.accessToken).payload, null)}${signature}`;
      expectInvalidToken(await me(app.url, token));
    });

    it('refuses an algorithm swap to HS384 or HS512 signed with the right secret', async () => {
      expectInvalidToken(await me(app.url, signAccess(live(), { alg: 'HS384' })));
      expectInvalidToken(await me(app.url, signAccess(live(), { alg: 'HS512' })));
    });

    it('refuses an RS256 header whose token is HMAC-signed with the HS secret as if it were a public key', async () => {
      for (const alg of ['RS256', 'ES256', 'PS256']) {
        const token = forgeJwt({ alg, typ: ACCESS_TYP }, claims(live()), { secret: TEST_ACCESS_SECRET, hmac: 'sha256' });
        expectInvalidToken(await me(app.url, token));
      }
    });

    it('refuses a tampered payload (sub changed to another user) with the original signature', async () => {
      const [header, , signature] = victim.accessToken.split('.');
      const payload = { ...decodeJwt(victim.accessToken).payload, sub: other.userId };
      const tampered = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
      expectInvalidToken(await me(app.url, tampered));
    });

    it('refuses a tampered payload (exp pushed into the future) with the original signature', async () => {
      const [header, , signature] = victim.accessToken.split('.');
      const payload = { ...decodeJwt(victim.accessToken).payload, exp: 4_102_444_800 };
      expectInvalidToken(await me(app.url, `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`));
    });

    it('refuses a tampered signature', async () => {
      const last = victim.accessToken.at(-2) === 'A' ? 'B' : 'A';
      const token = `${victim.accessToken.slice(0, -2)}${last}${victim.accessToken.at(-1) ?? ''}`;
      expectInvalidToken(await me(app.url, token));
    });

    it('refuses a wrong issuer', async () => {
      expectInvalidToken(await me(app.url, signAccess({ ...live(), iss: 'evil-issuer' })));
      const noIss = claims(live());
      delete noIss.iss;
      expectInvalidToken(await me(app.url, forgeJwt({ alg: 'HS256', typ: ACCESS_TYP }, noIss, { secret: TEST_ACCESS_SECRET, hmac: 'sha256' })));
    });

    it('refuses a wrong audience', async () => {
      expectInvalidToken(await me(app.url, signAccess({ ...live(), aud: 'another-api' })));
      expectInvalidToken(await me(app.url, signAccess({ ...live(), aud: ['another-api'] })));
    });

    it('refuses a token missing sub, sid or jti', async () => {
      for (const drop of ['sub', 'sid', 'jti'] as const) {
        const payload: Record<string, unknown> = claims(live());
        delete payload[drop];
        expectInvalidToken(await me(app.url, forgeJwt({ alg: 'HS256', typ: ACCESS_TYP }, payload, { secret: TEST_ACCESS_SECRET, hmac: 'sha256' })));
      }
    });

    it('refuses a token signed with another secret', async () => {
      expectInvalidToken(await me(app.url, signAccess(live(), { secret: 'an attacker secret of 32 bytes or more' })));
    });

    it('refuses a refresh token used as an access token (token-type swap)', async () => {
      expectInvalidToken(await me(app.url, victim.refreshToken));
    });

    it('refuses a token signed with the refresh secret but typed at+jwt (key swap)', async () => {
      expectInvalidToken(await me(app.url, signAccess(live(), { secret: TEST_REFRESH_SECRET })));
    });

    it('refuses a token signed with the access secret but typed rt+jwt (type swap)', async () => {
      expectInvalidToken(await me(app.url, signAccess(live(), { typ: REFRESH_TYP })));
    });

    it('refuses garbage strings', async () => {
      for (const token of ['garbage', 'a.b.c', 'a.b', '...', 'eyJ.eyJ.eyJ', 'x'.repeat(2000), `${victim.accessToken}x`, `${victim.accessToken}.extra`]) {
        expectInvalidToken(await me(app.url, token));
      }
    });

    it('refuses a malformed (non-token68) value after Bearer as INVALID_TOKEN: a token was sent, so it is not TOKEN_MISSING', async () => {
      for (const authorization of ['Bearer a b', 'Bearer {"alg":"none"}', 'Bearer <script>', `Bearer ${victim.accessToken} ${victim.accessToken}`]) {
        const res = await call(app.url, 'GET', '/auth/me', { headers: { authorization } });
        expect(res.status, authorization).to.equal(401);
        expectInvalidToken(res);
      }
    });

    it('refuses "Bearer" with an empty token with 401', async () => {
      for (const authorization of ['Bearer', 'Bearer ', 'Bearer  \t']) {
        const res = await call(app.url, 'GET', '/auth/me', { headers: { authorization } });
        expectProblem(res, 401, ['TOKEN_MISSING', 'INVALID_TOKEN']);
        expect(res.headers.get('www-authenticate') ?? '').to.match(/^Bearer\b/);
      }
    });

    it('refuses a huge Authorization header (8 KB) with 401 INVALID_TOKEN, not 500', async () => {
      expectInvalidToken(await me(app.url, `eyJ${'A'.repeat(8_000)}.eyJ${'B'.repeat(100)}.sig`));
    });

    it('refuses an Authorization header over the server limit (64 KB) with a 4xx problem carrying X-Request-Id', async () => {
      const raw = await rawRequest(app.url, { method: 'GET', path: '/auth/me', headers: { authorization: `Bearer ${'A'.repeat(65_536)}` } });
      expect(raw.status).to.be.within(400, 499);
      const res = asApiResponse(raw);
      expectRequestId(res.headers.get('x-request-id'), 'X-Request-Id on every response');
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expectProblem(res, raw.status);
    });
  });

  describe('refresh tokens at POST /auth/refresh', () => {
    it('refuses alg "none"', async () => {
      const { sid, sub, jti } = decodeJwt(victim.refreshToken).payload;
      expectInvalidToken(await refresh(app.url, forgeJwt({ alg: 'none', typ: REFRESH_TYP }, claims({ sid, sub, jti }), null)));
    });

    it('refuses an algorithm swap to HS512 signed with the right refresh secret', async () => {
      const { sid, sub, jti } = decodeJwt(victim.refreshToken).payload;
      const token = forgeJwt({ alg: 'HS512', typ: REFRESH_TYP }, claims({ sid, sub, jti }), { secret: TEST_REFRESH_SECRET, hmac: 'sha512' });
      expectInvalidToken(await refresh(app.url, token));
    });

    it('refuses wrong iss and wrong aud', async () => {
      const { sid, sub, jti } = decodeJwt(victim.refreshToken).payload;
      expectInvalidToken(await refresh(app.url, signRefresh({ sid, sub, jti, iss: 'evil' })));
      expectInvalidToken(await refresh(app.url, signRefresh({ sid, sub, jti, aud: 'evil' })));
    });

    it('refuses an access token used as a refresh token (token-type swap)', async () => {
      expectInvalidToken(await refresh(app.url, victim.accessToken));
    });

    it('the victim’s real refresh token survived every attack above', async () => {
      expect((await refresh(app.url, victim.refreshToken)).status).to.equal(200);
    });
  });
});
