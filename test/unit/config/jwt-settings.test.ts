import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expect } from 'chai';
import { calculateJwkThumbprint } from 'jose';
import jwt from 'jsonwebtoken';
import { jwkThumbprint, jwtSettings, publicJwk, verificationKey } from '../../../src/config/jwt-settings.js';
import { JwtTokenIssuer } from '../../../src/adapters/crypto/jwt-token-issuer.js';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from '../../support/config.js';

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

const es256 = (signingKey = p256().privateKey, verifyKeys: KeyObject[] = []) =>
  jwtSettings({
    issuer: 'auth-api',
    audience: 'auth-api',
    algorithm: 'ES256',
    accessSecret: TEST_ACCESS_SECRET,
    refreshSecret: TEST_REFRESH_SECRET,
    accessKeys: { signingKey, verifyKeys },
  });

describe('JWK thumbprint (RFC 7638)', () => {
  it('matches the published P-256 example: RFC 9449 §4.1 DPoP key and its §6.1 jkt', () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs', y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA' };

    expect(jwkThumbprint(jwk)).to.equal('0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I');
  });

  it('agrees with jose’s calculateJwkThumbprint on fresh keys', async () => {
    for (let i = 0; i < 5; i++) {
      const jwk = publicJwk(p256().publicKey);
      expect(jwk.kid).to.equal(await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'sha256'));
    }
  });

  it('ignores members other than crv, kty, x and y, and their order', () => {
    const jwk = publicJwk(p256().publicKey);

    expect(jwkThumbprint({ y: jwk.y, x: jwk.x, kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: 'whatever' } as never)).to.equal(jwk.kid);
  });
});

describe('publicJwk', () => {
  it('exports the public half of a private key, never d', () => {
    const { privateKey, publicKey } = p256();
    const jwk = publicJwk(privateKey);

    expect(jwk).to.deep.equal(publicJwk(publicKey));
    expect(Object.keys(jwk).sort()).to.deep.equal(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(jwk).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  });

  it('refuses a key on another curve', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });

    expect(() => publicJwk(publicKey)).to.throw(TypeError);
  });
});

describe('jwtSettings', () => {
  it('HS256 (the default): no kid, nothing published', () => {
    const settings = jwtSettings({ issuer: 'auth-api', audience: 'auth-api', accessSecret: TEST_ACCESS_SECRET, refreshSecret: TEST_REFRESH_SECRET });

    expect(settings.access).to.include({ algorithm: 'HS256', keyId: null });
    expect(settings.jwks).to.deep.equal([]);
  });

  it('ES256: kid is the signing key’s thumbprint; the current key is published first, then earlier ones, each once', () => {
    const current = p256();
    const earlier = p256();
    const settings = es256(current.privateKey, [earlier.publicKey, current.publicKey, earlier.publicKey]);

    expect(settings.access.keyId).to.equal(publicJwk(current.publicKey).kid);
    expect(settings.jwks.map((k) => k.kid)).to.deep.equal([publicJwk(current.publicKey).kid, publicJwk(earlier.publicKey).kid]);
  });

  it('ES256: refresh tokens stay HS256 under the refresh secret', () => {
    expect(es256().refresh).to.include({ algorithm: 'HS256', type: 'rt+jwt', keyId: null });
  });

  it('ES256 without keys is a programming error', () => {
    expect(() => jwtSettings({ issuer: 'a', audience: 'a', algorithm: 'ES256', accessSecret: TEST_ACCESS_SECRET, refreshSecret: TEST_REFRESH_SECRET })).to.throw(TypeError);
  });

  it('ES256: refuses a public key or a key on another curve as the signing key', () => {
    expect(() => es256(p256().publicKey)).to.throw(TypeError);
    expect(() => es256(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)).to.throw(TypeError);
  });

  describe('verificationKey', () => {
    const current = p256();
    const earlier = p256();
    const settings = es256(current.privateKey, [earlier.publicKey]);

    it('ES256: the key whose thumbprint the kid names, current or earlier', () => {
      expect(verificationKey(settings.access, publicJwk(current.publicKey).kid)?.equals(current.publicKey)).to.equal(true);
      expect(verificationKey(settings.access, publicJwk(earlier.publicKey).kid)?.equals(earlier.publicKey)).to.equal(true);
    });

    it('ES256: none for an unknown, missing or non-string kid', () => {
      for (const kid of [publicJwk(p256().publicKey).kid, undefined, null, 42, '', {}]) {
        expect(verificationKey(settings.access, kid), String(kid)).to.equal(null);
      }
    });

    it('HS256: the one secret, whatever the kid', () => {
      expect(verificationKey(settings.refresh, 'anything')).to.equal(settings.refresh.key);
    });
  });
});

describe('JwtTokenIssuer under ES256', () => {
  it('signs access tokens with ES256, typ at+jwt and the kid of the signing key; they verify with its public key', async () => {
    const { privateKey, publicKey } = p256();
    const issuer = new JwtTokenIssuer(es256(privateKey));
    const token = await issuer.issueAccessToken({ userId: 'user-1', sessionId: 'session-1', issuedAt: new Date(), expiresAt: new Date(Date.now() + 60_000), roles: [] });

    const { header, payload } = jwt.verify(token, publicKey, { algorithms: ['ES256'], issuer: 'auth-api', audience: 'auth-api', complete: true });
    expect(header).to.deep.equal({ alg: 'ES256', typ: 'at+jwt', kid: publicJwk(publicKey).kid });
    expect(payload).to.include({ sub: 'user-1', sid: 'session-1' });
  });

  it('still signs refresh tokens with HS256 and no kid', async () => {
    const issuer = new JwtTokenIssuer(es256());
    const token = await issuer.issueRefreshToken({ userId: 'u', sessionId: 's', tokenId: 't', issuedAt: new Date(), expiresAt: new Date(Date.now() + 60_000) });

    expect(jwt.decode(token, { complete: true })?.header).to.deep.equal({ alg: 'HS256', typ: 'rt+jwt' });
  });
});
