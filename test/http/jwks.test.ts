import { createHmac, type KeyObject } from 'node:crypto';
import { expect } from 'chai';
import { calculateJwkThumbprint, createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { DependencyContainer } from 'tsyringe';
import { InMemoryAccounts } from '../../src/adapters/persistence/memory/in-memory-accounts.js';
import { InMemoryIdentityRepository } from '../../src/adapters/persistence/memory/in-memory-identity-repository.js';
import { InMemoryTokenStore } from '../../src/adapters/persistence/memory/in-memory-token-store.js';
import { InMemoryUserRepository } from '../../src/adapters/persistence/memory/in-memory-user-repository.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { p256, pemFiles, pkcs8, spki } from '../support/key-files.js';
import { call, register } from '../support/http.js';
import {
  ACCESS_TYP,
  AUDIENCE,
  claims,
  decodeJwt,
  expectInvalidToken,
  expectRequestId,
  expectTokenAnswer,
  forgeJwt,
  ISSUER,
  login,
  me,
  refresh,
  REFRESH_TYP,
  TEST_ACCESS_SECRET,
} from './helpers.js';

/**
 * ES256 access tokens, seen as another service sees them: it knows only the issuer, the audience
 * and the URL of the key set, and verifies with jose. The service's own checks are proved too:
 * key choice by `kid`, pinned algorithm, rotation through JWT_VERIFY_KEYS_FILE.
 */

interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const thumbprint = (k: KeyPair) => {
  const { kty, crv, x, y } = k.publicKey.export({ format: 'jwk' });
  return calculateJwkThumbprint({ kty: kty as string, crv, x, y }, 'sha256');
};
const JWKS_PATH = '/.well-known/jwks.json';

/** What a service that verifies on its own does with an access token. */
const verifyElsewhere = (app: TestApp, token: string) =>
  jwtVerify(token, createRemoteJWKSet(new URL(app.url + JWKS_PATH)), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], typ: ACCESS_TYP });

/** A JWT signed with HMAC-SHA256 under any bytes (a string secret alone cannot say "these DER bytes"). */
const hmacJwt = (header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | Buffer): string => {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

/** An ES256 token signed by `key`, with any header fields on top of the service's own. */
const signEs256 = (key: KeyObject, payload: JWTPayload, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: ACCESS_TYP, ...header }).sign(key);

interface SharedStores {
  readonly override: (c: DependencyContainer) => void;
}

/** One set of in-memory tables for several app instances: the same "database" across restarts. */
function sharedStores(): SharedStores {
  const accounts = new InMemoryAccounts();
  const users = new InMemoryUserRepository(accounts);
  const identities = new InMemoryIdentityRepository(accounts);
  const tokens = new InMemoryTokenStore();
  return {
    override: (c) => {
      c.register(TOKENS.UserRepository, { useValue: users });
      c.register(TOKENS.IdentityRepository, { useValue: identities });
      c.register(TOKENS.TokenStore, { useValue: tokens });
    },
  };
}

describe('ES256 access tokens and GET /.well-known/jwks.json', () => {
  const files = pemFiles('auth-api-jwks-');
  const key1 = p256();
  const key2 = p256();
  const es256Env = (signing: KeyPair, earlier: readonly KeyPair[] = []): Record<string, string> => ({
    JWT_ALGORITHM: 'ES256',
    JWT_PRIVATE_KEY_FILE: files.write(pkcs8(signing.privateKey)),
    JWT_VERIFY_KEYS_FILE: files.write(earlier.map((k) => spki(k.publicKey)).join('')),
  });

  describe('under HS256 (the default)', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp();
    });
    after(() => app.close());

    it('publishes an empty key set: the HS256 secret is never published', async () => {
      const res = await call(app.url, 'GET', JWKS_PATH);

      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/json\b/);
      expect(res.body).to.deep.equal({ keys: [] });
      expect(res.text).not.to.include(TEST_ACCESS_SECRET);
    });

    it('issues access tokens without a kid', async () => {
      expect(decodeJwt((await register(app.url)).accessToken).header).to.deep.equal({ alg: 'HS256', typ: ACCESS_TYP });
    });

    it('refuses an ES256 token, even one whose kid and signature are a real key’s', async () => {
      const r = await register(app.url);
      const { sub, sid } = decodeJwt(r.accessToken).payload;
      expectInvalidToken(await me(app.url, await signEs256(key1.privateKey, claims({ sub, sid }), { kid: await thumbprint(key1) })));
    });
  });

  describe('under ES256', () => {
    let app: TestApp;
    let kid1: string;
    let victim: { sub: string; sid: string; accessToken: string; refreshToken: string };
    before(async () => {
      kid1 = await thumbprint(key1);
      app = await startTestApp({ env: es256Env(key1) });
      const r = await register(app.url);
      const { sub, sid } = decodeJwt(r.accessToken).payload;
      victim = { sub, sid, accessToken: r.accessToken, refreshToken: r.refreshToken };
    });
    after(() => app.close());

    const live = () => claims({ sub: victim.sub, sid: victim.sid });

    describe('the key set', () => {
      it('lists the signing key’s public JWK with its RFC 7638 thumbprint as kid, and nothing private', async () => {
        const res = await call(app.url, 'GET', JWKS_PATH);

        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.match(/^application\/json\b/);
        const { x, y } = key1.publicKey.export({ format: 'jwk' });
        expect(res.body).to.deep.equal({ keys: [{ kty: 'EC', crv: 'P-256', x, y, kid: kid1, alg: 'ES256', use: 'sig' }] });
      });

      it('may be cached a short while by anyone (it answers no token), and carries X-Request-Id', async () => {
        const res = await call(app.url, 'GET', JWKS_PATH);
        const cacheControl = res.headers.get('cache-control') ?? '';

        expect(cacheControl).to.match(/\bpublic\b/).and.not.match(/no-store/);
        const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1]);
        expect(maxAge).to.be.within(1, 3600);
        expectRequestId(res.headers.get('x-request-id'));
      });

      it('is documented in the OpenAPI document', async () => {
        const doc = (await call(app.url, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

        expect(doc.paths[JWKS_PATH]?.get?.responses).to.have.property('200');
      });
    });

    describe('tokens', () => {
      it('signs access tokens with ES256, typ at+jwt and the signing key’s kid', () => {
        expect(decodeJwt(victim.accessToken).header).to.deep.equal({ alg: 'ES256', typ: ACCESS_TYP, kid: kid1 });
      });

      it('another service verifies the access token with the published key set alone (jose)', async () => {
        const { payload, protectedHeader } = await verifyElsewhere(app, victim.accessToken);

        expect(payload).to.include({ sub: victim.sub, sid: victim.sid, iss: ISSUER, aud: AUDIENCE });
        expect(protectedHeader.kid).to.equal(kid1);
      });

      it('accepts its own access token at GET /auth/me', async () => {
        const res = await me(app.url, victim.accessToken);

        expect(res.status).to.equal(200);
        expect((res.body as { id: string }).id).to.equal(victim.sub);
      });

      it('still rotates refresh tokens (HS256 under JWT_REFRESH_SECRET), and the new access token is ES256', async () => {
        const r = await register(app.url);
        expect(decodeJwt(r.refreshToken).header).to.deep.equal({ alg: 'HS256', typ: REFRESH_TYP });
        const body = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);

        expect(decodeJwt(body.accessToken).header).to.deep.equal({ alg: 'ES256', typ: ACCESS_TYP, kid: kid1 });
        expect((await me(app.url, body.accessToken)).status).to.equal(200);
        expect((await verifyElsewhere(app, body.accessToken)).payload.sub).to.equal(r.user.id);
        expect(decodeJwt(expectTokenAnswer(await refresh(app.url, body.refreshToken), 200).refreshToken).header.alg).to.equal('HS256');
      });
    });

    describe('attacks (each token would pass every check but the one it attacks)', () => {
      it('control: a token signed with the signing key, its kid, typ, iss and aud for a live session IS accepted', async () => {
        expect((await me(app.url, await signEs256(key1.privateKey, live(), { kid: kid1 }))).status).to.equal(200);
      });

      it('refuses an HS256 token HMAC-signed with the public key (algorithm confusion), in every encoding of it', async () => {
        const secrets: ReadonlyArray<string | Buffer> = [
          spki(key1.publicKey),
          spki(key1.publicKey).trim(),
          key1.publicKey.export({ type: 'spki', format: 'der' }),
          JSON.stringify(key1.publicKey.export({ format: 'jwk' })),
          JSON.stringify((await call(app.url, 'GET', JWKS_PATH)).body.keys[0]),
        ];
        for (const secret of secrets) {
          for (const header of [{ alg: 'HS256', typ: ACCESS_TYP, kid: kid1 }, { alg: 'HS256', typ: ACCESS_TYP }]) {
            expectInvalidToken(await me(app.url, hmacJwt(header, live(), secret)));
          }
        }
      });

      it('refuses an HS256 token signed with JWT_ACCESS_SECRET (HS256 is not accepted under ES256)', async () => {
        expectInvalidToken(await me(app.url, forgeJwt({ alg: 'HS256', typ: ACCESS_TYP }, live(), { secret: TEST_ACCESS_SECRET, hmac: 'sha256' })));
        expectInvalidToken(await me(app.url, forgeJwt({ alg: 'HS256', typ: ACCESS_TYP, kid: kid1 }, live(), { secret: TEST_ACCESS_SECRET, hmac: 'sha256' })));
      });

      it('refuses alg "none", with or without the kid and the original signature', async () => {
        expectInvalidToken(await me(app.url, forgeJwt({ alg: 'none', typ: ACCESS_TYP, kid: kid1 }, live(), null)));
        expectInvalidToken(await me(app.url, forgeJwt({ alg: 'none', typ: ACCESS_TYP }, live(), null)));
        const [, , signature] = victim.accessToken.split('.');
        expectInvalidToken(await me(app.url, forgeJwt({ alg: 'none', typ: ACCESS_TYP, kid: kid1 }, decodeJwt(victim.accessToken).payload, null) + signature));
      });

      it('refuses a token whose kid names no key it knows (an attacker’s own key, correctly signed)', async () => {
        const attacker = p256();
        expectInvalidToken(await me(app.url, await signEs256(attacker.privateKey, live(), { kid: await thumbprint(attacker) })));
      });

      it('refuses a token signed by another key under the real kid', async () => {
        expectInvalidToken(await me(app.url, await signEs256(p256().privateKey, live(), { kid: kid1 })));
      });

      it('refuses a token signed with the real key but an unknown, missing or ill-typed kid', async () => {
        for (const header of [{ kid: 'unknown-kid' }, { kid: `${kid1}x` }, { kid: 42 }, { kid: [kid1] }, {}]) {
          expectInvalidToken(await me(app.url, await signEs256(key1.privateKey, live(), header)));
        }
      });

      it('refuses an ES256 token with a wrong typ, issuer or audience, and tells an expired one (TOKEN_EXPIRED)', async () => {
        expectInvalidToken(await me(app.url, await signEs256(key1.privateKey, live(), { kid: kid1, typ: REFRESH_TYP })));
        expectInvalidToken(await me(app.url, await signEs256(key1.privateKey, claims({ ...live(), iss: 'evil' }), { kid: kid1 })));
        expectInvalidToken(await me(app.url, await signEs256(key1.privateKey, claims({ ...live(), aud: 'another-api' }), { kid: kid1 })));
        const past = Math.floor(Date.now() / 1000) - 3600;
        expectInvalidToken(await me(app.url, await signEs256(key1.privateKey, claims({ ...live(), iat: past, exp: past + 60 }), { kid: kid1 })), 'TOKEN_EXPIRED');
      });

      it('refuses another algorithm in the header over the real token (ES384, ES512, RS256, PS256, EdDSA)', async () => {
        for (const alg of ['ES384', 'ES512', 'RS256', 'PS256', 'EdDSA']) {
          const [, payload, signature] = victim.accessToken.split('.');
          const header = Buffer.from(JSON.stringify({ alg, typ: ACCESS_TYP, kid: kid1 })).toString('base64url');
          expectInvalidToken(await me(app.url, `${header}.${payload}.${signature}`));
        }
      });

      it('refuses a refresh token as an access token, and an access token as a refresh token', async () => {
        expectInvalidToken(await me(app.url, victim.refreshToken));
        expectInvalidToken(await refresh(app.url, victim.accessToken));
      });

      it('the victim’s real tokens survived every attack above', async () => {
        expect((await me(app.url, victim.accessToken)).status).to.equal(200);
        expect((await refresh(app.url, victim.refreshToken)).status).to.equal(200);
      });
    });
  });

  describe('key rotation', () => {
    const stores = sharedStores();
    let kid1: string;
    let kid2: string;
    let user: { email: string; password: string; id: string };
    let oldToken: string;
    let oldRefreshToken: string;
    let newToken: string;

    before(async () => {
      kid1 = await thumbprint(key1);
      kid2 = await thumbprint(key2);
      const first = await startTestApp({ env: es256Env(key1), override: stores.override });
      try {
        const r = await register(first.url);
        user = { email: r.email, password: r.password, id: r.user.id };
        oldToken = r.accessToken;
        oldRefreshToken = r.refreshToken;
        expect(decodeJwt(oldToken).header.kid).to.equal(kid1);
      } finally {
        await first.close();
      }
    });

    describe('restarted with key 2 signing and key 1 in the verify file', () => {
      let app: TestApp;
      before(async () => {
        app = await startTestApp({ env: es256Env(key2, [key1]), override: stores.override });
      });
      after(() => app.close());

      it('lists the new key first, then the old one', async () => {
        const keys = (await call(app.url, 'GET', JWKS_PATH)).body.keys as Array<{ kid: string }>;

        expect(keys.map((k) => k.kid)).to.deep.equal([kid2, kid1]);
      });

      it('still accepts the token signed with key 1, at GET /auth/me and elsewhere (jose)', async () => {
        expect((await me(app.url, oldToken)).status).to.equal(200);
        expect((await verifyElsewhere(app, oldToken)).payload.sub).to.equal(user.id);
      });

      it('signs new tokens with key 2, under its kid', async () => {
        newToken = expectTokenAnswer(await login(app.url, user.email, user.password), 200).accessToken;

        expect(decodeJwt(newToken).header).to.deep.equal({ alg: 'ES256', typ: ACCESS_TYP, kid: kid2 });
        expect((await me(app.url, newToken)).status).to.equal(200);
        expect((await verifyElsewhere(app, newToken)).protectedHeader.kid).to.equal(kid2);
      });

      it('refreshes a refresh token issued before the restart into a key-2 access token', async () => {
        const body = expectTokenAnswer(await refresh(app.url, oldRefreshToken), 200);

        expect(decodeJwt(body.accessToken).header.kid).to.equal(kid2);
      });
    });

    describe('restarted again without key 1 in the verify file', () => {
      let app: TestApp;
      before(async () => {
        app = await startTestApp({ env: es256Env(key2), override: stores.override });
      });
      after(() => app.close());

      it('lists key 2 only', async () => {
        const keys = (await call(app.url, 'GET', JWKS_PATH)).body.keys as Array<{ kid: string }>;

        expect(keys.map((k) => k.kid)).to.deep.equal([kid2]);
      });

      it('refuses the token signed with key 1 (401 INVALID_TOKEN), and so does another service', async () => {
        expectInvalidToken(await me(app.url, oldToken));
        let refused: unknown;
        try {
          await verifyElsewhere(app, oldToken);
        } catch (err) {
          refused = err;
        }
        expect(refused).to.be.instanceOf(joseErrors.JWKSNoMatchingKey);
      });

      it('still accepts the token signed with key 2', async () => {
        expect((await me(app.url, newToken)).status).to.equal(200);
      });
    });
  });
});
