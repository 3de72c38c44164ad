import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { Strategy as JwtStrategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { jwtSettings, publicJwk, type JwtKindSettings, type JwtSettings } from '../../../../src/config/jwt-settings.js';
import { readClaims } from '../../../../src/adapters/http/strategies/jwt-claims.js';
import { headerKid, tokenStrategy, verifyOptions } from '../../../../src/adapters/http/strategies/jwt.js';
import { extractor, presentedAccessToken } from '../../../../src/adapters/http/strategies/token-extractors.js';
import { InvalidTokenError } from '../../../../src/domain/errors.js';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from '../../../support/config.js';
import { FixedClock } from '../../../support/fixed-clock.js';

/**
 * The JWT layers one by one, each without the others behind it: the options passport-jwt hands
 * jsonwebtoken (the algorithm pin, the key chosen by the header's `kid`), the header read that
 * chooses the key, and readClaims' own checks. At HTTP level one layer hides another's fault (a
 * token the pin would refuse is refused by readClaims anyway), so each is proved here alone.
 */

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ISSUER = 'auth-api';
const AUDIENCE = 'auth-api';
const current = p256();
const earlier = p256();
const stranger = p256();
const kidOf = (key: KeyObject) => publicJwk(key).kid;

const hs256Settings = jwtSettings({ issuer: ISSUER, audience: AUDIENCE, accessSecret: TEST_ACCESS_SECRET, refreshSecret: TEST_REFRESH_SECRET });
const es256Settings = jwtSettings({
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithm: 'ES256',
  accessSecret: TEST_ACCESS_SECRET,
  refreshSecret: TEST_REFRESH_SECRET,
  accessKeys: { signingKey: current.privateKey, verifyKeys: [earlier.publicKey] },
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const CLAIMS = () => ({ sub: 'user-1', sid: 'session-1', jti: 'token-1', iat: nowSeconds(), exp: nowSeconds() + 600 });

/** A token signed with `key` under `alg`, with any header on top of `{ alg, typ }`. */
const signed = (key: KeyObject, alg: jwt.Algorithm, header: Record<string, unknown> = {}, payload: object = CLAIMS(), typ = 'at+jwt') =>
  jwt.sign(payload, key, { algorithm: alg, header: { alg, typ, ...header } as jwt.JwtHeader, issuer: ISSUER, audience: AUDIENCE });

const extract = extractor(presentedAccessToken);
const requestWith = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

interface Outcome {
  readonly accepted: boolean;
  readonly user?: unknown;
  readonly info?: unknown;
}

/** Runs a strategy on one request as passport does (a fresh object with success/fail/error bound). */
function judge(strategy: JwtStrategy, token: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const run = Object.create(strategy) as JwtStrategy & { success(u: unknown): void; fail(i: unknown): void; error(e: unknown): void };
    run.success = (user) => resolve({ accepted: true, user });
    run.fail = (info) => resolve({ accepted: false, info });
    run.error = (err) => resolve({ accepted: false, info: err });
    run.authenticate(requestWith(token) as never);
  });
}

/** passport-jwt with exactly these options and a verify callback that accepts any payload: only the options judge. */
const optionsAlone = (settings: JwtSettings, kind: JwtKindSettings) =>
  new JwtStrategy(verifyOptions(settings, kind, extract), (payload: unknown, done: (err: unknown, user?: unknown) => void) => done(null, payload));

/** What secretOrKeyProvider hands passport-jwt for a token. */
function providedKey(options: StrategyOptionsWithoutRequest, token: string): Promise<{ err: unknown; key: unknown }> {
  return new Promise((resolve) => {
    const provider = (options as { secretOrKeyProvider?: unknown }).secretOrKeyProvider as (req: unknown, token: string, done: (err: unknown, key?: unknown) => void) => void;
    provider(requestWith(token), token, (err, key) => resolve({ err, key }));
  });
}

describe('headerKid', () => {
  it('reads the kid of the JOSE header (the first part), not of the payload', () => {
    const token = signed(current.privateKey, 'ES256', { kid: 'the-header-kid' }, { ...CLAIMS(), kid: 'a-payload-kid' });

    expect(headerKid(token)).to.equal('the-header-kid');
  });

  it('hands back a kid that is not a string as it is (verificationKey refuses it)', () => {
    expect(headerKid(signed(current.privateKey, 'ES256', { kid: 42 }))).to.equal(42);
  });

  it('is undefined without a kid, and for a header that is not a JSON object', () => {
    expect(headerKid(signed(current.privateKey, 'ES256'))).to.equal(undefined);
    for (const token of ['garbage', '', '.', 'bnVsbA.e30.x', 'WzFd.e30.x', `${Buffer.from('{').toString('base64url')}.e30.x`]) {
      expect(headerKid(token), token).to.equal(undefined);
    }
  });
});

describe('verifyOptions (what passport-jwt hands jsonwebtoken)', () => {
  it('pins each kind to its one algorithm and checks iss and aud', () => {
    for (const [settings, kind, alg] of [
      [hs256Settings, hs256Settings.access, 'HS256'],
      [hs256Settings, hs256Settings.refresh, 'HS256'],
      [es256Settings, es256Settings.access, 'ES256'],
      [es256Settings, es256Settings.refresh, 'HS256'],
    ] as const) {
      expect(verifyOptions(settings, kind, extract)).to.include({ issuer: ISSUER, audience: AUDIENCE }).and.have.deep.property('algorithms', [alg]);
    }
  });

  describe('the algorithm pin, alone', () => {
    it('control: accepts an HS256 token signed with the secret', async () => {
      expect((await judge(optionsAlone(hs256Settings, hs256Settings.access), signed(hs256Settings.access.key, 'HS256'))).accepted).to.equal(true);
    });

    it('refuses HS384 and HS512 signed with the right secret', async () => {
      for (const alg of ['HS384', 'HS512'] as const) {
        const outcome = await judge(optionsAlone(hs256Settings, hs256Settings.access), signed(hs256Settings.access.key, alg));
        expect(outcome.accepted, alg).to.equal(false);
        expect(outcome.info).to.be.instanceOf(jwt.JsonWebTokenError);
      }
    });

    it('refuses ES384 over ES256 keys, and HS256 signed with the ES256 public key', async () => {
      const strategy = optionsAlone(es256Settings, es256Settings.access);
      const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
      expect((await judge(strategy, signed(p384.privateKey, 'ES384', { kid: kidOf(current.publicKey) }))).accepted).to.equal(false);
      const der = current.publicKey.export({ type: 'spki', format: 'der' });
      expect((await judge(strategy, jwt.sign(CLAIMS(), der, { algorithm: 'HS256', header: { alg: 'HS256', kid: kidOf(current.publicKey) } as jwt.JwtHeader, issuer: ISSUER, audience: AUDIENCE }))).accepted).to.equal(false);
    });
  });

  describe('the key, chosen by the header’s kid (ES256)', () => {
    const options = verifyOptions(es256Settings, es256Settings.access, extract);

    it('provides the key the kid names: the current one, or an earlier one', async () => {
      const now = await providedKey(options, signed(current.privateKey, 'ES256', { kid: kidOf(current.publicKey) }));
      const before = await providedKey(options, signed(earlier.privateKey, 'ES256', { kid: kidOf(earlier.publicKey) }));

      expect(now.err).to.equal(null);
      expect((now.key as KeyObject).equals(current.publicKey)).to.equal(true);
      expect(before.err).to.equal(null);
      expect((before.key as KeyObject).equals(earlier.publicKey)).to.equal(true);
    });

    it('provides no key at all, and INVALID_TOKEN, for an unknown, missing or ill-typed kid: never a fallback to another key', async () => {
      for (const header of [{ kid: kidOf(stranger.publicKey) }, { kid: 'unknown' }, {}, { kid: 42 }, { kid: [kidOf(current.publicKey)] }]) {
        const { err, key } = await providedKey(options, signed(current.privateKey, 'ES256', header));
        expect(key, JSON.stringify(header)).to.equal(undefined);
        expect(err).to.be.instanceOf(InvalidTokenError);
      }
    });

    it('HS256: the one secret, whatever kid the header claims', async () => {
      const hs = verifyOptions(hs256Settings, hs256Settings.access, extract);
      const { key } = await providedKey(hs, signed(hs256Settings.access.key, 'HS256', { kid: kidOf(current.publicKey) }));
      expect(key).to.equal(hs256Settings.access.key);
    });

    it('refuses, the options alone, a token signed by the current key under an earlier key’s kid, and one signed by an unknown key', async () => {
      const strategy = optionsAlone(es256Settings, es256Settings.access);

      expect((await judge(strategy, signed(current.privateKey, 'ES256', { kid: kidOf(current.publicKey) }))).accepted, 'control').to.equal(true);
      expect((await judge(strategy, signed(earlier.privateKey, 'ES256', { kid: kidOf(earlier.publicKey) }))).accepted, 'control: earlier key').to.equal(true);
      expect((await judge(strategy, signed(current.privateKey, 'ES256', { kid: kidOf(earlier.publicKey) }))).accepted).to.equal(false);
      expect((await judge(strategy, signed(stranger.privateKey, 'ES256', { kid: kidOf(stranger.publicKey) }))).accepted).to.equal(false);
      expect((await judge(strategy, signed(current.privateKey, 'ES256', { kid: kidOf(stranger.publicKey) }))).accepted).to.equal(false);
    });
  });
});

describe('readClaims (after jsonwebtoken accepted a token)', () => {
  const decoded = (header: Record<string, unknown>, payload: Record<string, unknown> = CLAIMS()) => ({ header, payload, signature: 'x' });
  const HS = { alg: 'HS256', typ: 'at+jwt' };
  const ES = { alg: 'ES256', typ: 'at+jwt', kid: kidOf(current.publicKey) };

  it('control: hands on sub, sid, jti and exp', () => {
    const payload = CLAIMS();
    expect(readClaims(decoded(HS, payload), hs256Settings.access)).to.deep.equal({ userId: 'user-1', sessionId: 'session-1', tokenId: 'token-1', expiresAt: payload.exp });
    expect(readClaims(decoded(ES), es256Settings.access)).to.include({ userId: 'user-1' });
    expect(readClaims(decoded({ ...ES, kid: kidOf(earlier.publicKey) }), es256Settings.access), 'an earlier key’s kid').to.include({ userId: 'user-1' });
  });

  it('refuses a header whose alg is not the kind’s', () => {
    for (const alg of ['HS384', 'HS512', 'ES256', 'none', undefined]) {
      expect(readClaims(decoded({ ...HS, alg }), hs256Settings.access), String(alg)).to.equal(null);
    }
    expect(readClaims(decoded({ ...ES, alg: 'ES384' }), es256Settings.access)).to.equal(null);
    expect(readClaims(decoded({ ...ES, alg: 'HS256' }), es256Settings.access)).to.equal(null);
  });

  it('refuses a header whose typ is not the kind’s', () => {
    expect(readClaims(decoded({ ...HS, typ: 'rt+jwt' }), hs256Settings.access)).to.equal(null);
    expect(readClaims(decoded({ alg: 'HS256', typ: 'at+jwt' }), hs256Settings.refresh)).to.equal(null);
  });

  it('refuses an ES256 header whose kid names no key it knows, or none', () => {
    for (const kid of [kidOf(stranger.publicKey), undefined, 42]) {
      expect(readClaims(decoded({ ...ES, kid }), es256Settings.access), String(kid)).to.equal(null);
    }
  });

  it('refuses a header with crit, and a payload without exp, sub, sid or jti', () => {
    expect(readClaims(decoded({ ...HS, crit: ['exp'] }), hs256Settings.access)).to.equal(null);
    for (const claim of ['exp', 'sub', 'sid', 'jti']) {
      const payload: Record<string, unknown> = CLAIMS();
      delete payload[claim];
      expect(readClaims(decoded(HS, payload), hs256Settings.access), claim).to.equal(null);
    }
  });
});

describe('tokenStrategy on a Clock', () => {
  const strategyOn = (clock: FixedClock) =>
    tokenStrategy(verifyOptions(hs256Settings, hs256Settings.access, extract), hs256Settings.access, (claims) => Promise.resolve({ userId: claims.userId }), clock);
  const tokenExpiringAt = (exp: number) => signed(hs256Settings.access.key, 'HS256', {}, { ...CLAIMS(), iat: exp - 60, exp });

  it('judges exp by the Clock, not the wall clock: good until the second exp names, expired from it', async () => {
    const exp = Math.floor(new Date('2020-05-05T00:00:00Z').getTime() / 1000);
    const clock = new FixedClock(new Date((exp - 1) * 1000));
    const token = tokenExpiringAt(exp);

    expect((await judge(strategyOn(clock), token)).accepted, 'a second before exp (long past on the wall clock)').to.equal(true);
    clock.advance(1);
    const outcome = await judge(strategyOn(clock), token);
    expect(outcome.accepted).to.equal(false);
    expect(outcome.info).to.be.instanceOf(jwt.TokenExpiredError);
  });
});
