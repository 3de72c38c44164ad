import { createHmac, sign as signWith, type KeyObject } from 'node:crypto';
import { expect } from 'chai';
import { calculateJwkThumbprint } from 'jose';
import { startTestApp, type TestApp } from '../support/app.js';
import { register } from '../support/http.js';
import { p256, pemFiles, pkcs8 } from '../support/key-files.js';
import {
  ACCESS_TYP,
  claims,
  decodeJwt,
  expectInvalidToken,
  me,
  refresh,
  REFRESH_TYP,
  TEST_ACCESS_SECRET,
  TEST_REFRESH_SECRET,
} from './helpers.js';

/**
 * docs/tokens-and-modes.md "Access and refresh tokens": a token that lacks any of `exp`, `sub`, `sid`, `jti`, or whose header has
 * `crit` (no extension is understood, RFC 7515 §4.1.11), is 401 INVALID_TOKEN — access and
 * refresh tokens, under HS256 and ES256. Each token here is signed with the right key, the right
 * typ, iss and aud, for a live session: only the one thing it attacks is wrong, and a control
 * signed the same way without that change is accepted.
 */

type Header = Record<string, unknown>;
type Payload = Record<string, unknown>;

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** An HS256 JWT over exactly this header and payload. */
const hs256 = (header: Header, payload: Payload, secret: string): string => {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

/** An ES256 JWT over exactly this header and payload (JWS signatures are r || s, RFC 7518 §3.4). */
const es256 = (header: Header, payload: Payload, key: KeyObject): string => {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${signWith('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
};

interface Variant {
  readonly name: string;
  readonly change: (header: Header, payload: Payload) => void;
}

const without = (claim: string): Variant => ({ name: `without ${claim}`, change: (_h, p) => delete p[claim] });

const VARIANTS: readonly Variant[] = [
  without('exp'),
  without('sub'),
  without('sid'),
  without('jti'),
  { name: 'with crit naming a header parameter it carries', change: (h) => Object.assign(h, { crit: ['x-extension'], 'x-extension': true }) },
  { name: 'with crit naming a registered claim', change: (h) => Object.assign(h, { crit: ['exp'] }) },
  { name: 'with an empty crit', change: (h) => Object.assign(h, { crit: [] }) },
  { name: 'with crit that is not a list', change: (h) => Object.assign(h, { crit: 'x-extension' }) },
];

interface AccessSigner {
  readonly header: Header;
  sign(header: Header, payload: Payload): string;
}

describe('token claims the contract requires (exp, sub, sid, jti; no crit)', () => {
  const files = pemFiles('auth-api-claims-');
  const signingKey = p256();

  const configs: ReadonlyArray<{ name: string; env: () => Record<string, string>; access: () => Promise<AccessSigner> }> = [
    {
      name: 'HS256 access tokens',
      env: () => ({}),
      access: () => Promise.resolve({ header: { alg: 'HS256', typ: ACCESS_TYP }, sign: (h, p) => hs256(h, p, TEST_ACCESS_SECRET) }),
    },
    {
      name: 'ES256 access tokens',
      env: () => ({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: files.write(pkcs8(signingKey.privateKey)) }),
      access: async () => ({
        header: { alg: 'ES256', typ: ACCESS_TYP, kid: await calculateJwkThumbprint(signingKey.publicKey.export({ format: 'jwk' }), 'sha256') },
        sign: (h, p) => es256(h, p, signingKey.privateKey),
      }),
    },
  ];

  for (const config of configs) {
    describe(`under ${config.name}`, () => {
      let app: TestApp;
      let access: AccessSigner;
      before(async () => {
        app = await startTestApp({ env: config.env() });
        access = await config.access();
      });
      after(() => app.close());

      /** A fresh signed-in user; the claims of both its tokens. */
      const signedIn = async () => {
        const r = await register(app.url);
        return { ...r, access: decodeJwt(r.accessToken).payload, refresh: decodeJwt(r.refreshToken).payload };
      };

      describe('access tokens at GET /auth/me', () => {
        const forged = (user: Awaited<ReturnType<typeof signedIn>>, variant?: Variant): string => {
          const header = { ...access.header };
          const payload = claims({ sub: user.access.sub, sid: user.access.sid });
          variant?.change(header, payload);
          return access.sign(header, payload);
        };

        it('control: the forged token with every claim and no crit IS accepted', async () => {
          const user = await signedIn();
          expect((await me(app.url, forged(user))).status).to.equal(200);
        });

        for (const variant of VARIANTS) {
          it(`refuses one ${variant.name} (401 INVALID_TOKEN), and again when presented a second time`, async () => {
            const user = await signedIn();
            const token = forged(user, variant);
            expectInvalidToken(await me(app.url, token));
            // The strategy remembers verified tokens: a refused one must never be among them.
            expectInvalidToken(await me(app.url, token));
            expect((await me(app.url, user.accessToken)).status, 'the session is untouched').to.equal(200);
          });
        }
      });

      describe('refresh tokens at POST /auth/refresh (always HS256)', () => {
        const forged = (user: Awaited<ReturnType<typeof signedIn>>, variant?: Variant): string => {
          const header: Header = { alg: 'HS256', typ: REFRESH_TYP };
          const payload = claims({ sub: user.refresh.sub, sid: user.refresh.sid, jti: user.refresh.jti });
          variant?.change(header, payload);
          return hs256(header, payload, TEST_REFRESH_SECRET);
        };

        it('control: the forged token with every claim and no crit IS accepted', async () => {
          const user = await signedIn();
          expect((await refresh(app.url, forged(user))).status).to.equal(200);
        });

        for (const variant of VARIANTS) {
          it(`refuses one ${variant.name} (401 INVALID_TOKEN) and rotates nothing`, async () => {
            const user = await signedIn();
            expectInvalidToken(await refresh(app.url, forged(user, variant)));
            expectInvalidToken(await refresh(app.url, forged(user, variant)));
            expect((await refresh(app.url, user.refreshToken)).status, 'the real refresh token is still the newest').to.equal(200);
          });
        }
      });
    });
  }
});
