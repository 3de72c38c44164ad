import { createSecretKey } from 'node:crypto';
import { expect } from 'chai';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import { jwtSettings } from '../../../../src/config/jwt-settings.js';
import { JwtTokenIssuer } from '../../../../src/adapters/crypto/jwt-token-issuer.js';
import type { RefreshTokenInput } from '../../../../src/domain/ports/token-issuer.js';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from '../../../support/config.js';

const settings = (refreshSecret = TEST_REFRESH_SECRET) =>
  jwtSettings({ issuer: 'auth-api', audience: 'auth-api', accessSecret: TEST_ACCESS_SECRET, refreshSecret });

const ACCESS_KEY = createSecretKey(Buffer.from(TEST_ACCESS_SECRET, 'utf8'));
const REFRESH_KEY = createSecretKey(Buffer.from(TEST_REFRESH_SECRET, 'utf8'));
const verifyOptions = { algorithms: ['HS256' as const], issuer: 'auth-api', audience: 'auth-api', ignoreExpiration: true, complete: true as const };

const input: RefreshTokenInput = {
  userId: 'user-1',
  sessionId: 'session-1',
  tokenId: 'token-id-1',
  issuedAt: new Date('2026-01-01T00:00:00.900Z'),
  expiresAt: new Date('2026-01-31T00:00:00.000Z'),
};

describe('JwtTokenIssuer', () => {
  const issuer = new JwtTokenIssuer(settings());

  describe('issueRefreshToken', () => {
    it('is deterministic: the same input gives the same token', async () => {
      expect(await issuer.issueRefreshToken(input)).to.equal(await issuer.issueRefreshToken({ ...input }));
    });

    it('gives another token for another id or another expiry', async () => {
      const base = await issuer.issueRefreshToken(input);

      expect(await issuer.issueRefreshToken({ ...input, tokenId: 'token-id-2' })).not.to.equal(base);
      expect(await issuer.issueRefreshToken({ ...input, expiresAt: new Date('2026-01-30T00:00:00.000Z') })).not.to.equal(base);
    });

    it('carries the input as sub, sid, jti, iat and exp (whole seconds), plus iss and aud', async () => {
      const { payload } = jwt.verify(await issuer.issueRefreshToken(input), REFRESH_KEY, verifyOptions);

      expect(payload).to.deep.equal({
        sub: 'user-1',
        sid: 'session-1',
        jti: 'token-id-1',
        iat: Date.parse('2026-01-01T00:00:00Z') / 1000,
        exp: Date.parse('2026-01-31T00:00:00Z') / 1000,
        iss: 'auth-api',
        aud: 'auth-api',
      });
    });

    it('has header alg HS256 and typ rt+jwt, and is signed with the refresh key only', async () => {
      const token = await issuer.issueRefreshToken(input);

      expect(jwt.verify(token, REFRESH_KEY, verifyOptions).header).to.deep.equal({ alg: 'HS256', typ: 'rt+jwt' });
      expect(() => jwt.verify(token, ACCESS_KEY, verifyOptions)).to.throw(jwt.JsonWebTokenError, 'invalid signature');
    });
  });

  describe('issueAccessToken', () => {
    it('has header alg HS256 and typ at+jwt, and is signed with the access key only', async () => {
      const token = await issuer.issueAccessToken({ ...input, roles: [] });

      expect(jwt.verify(token, ACCESS_KEY, verifyOptions).header).to.deep.equal({ alg: 'HS256', typ: 'at+jwt' });
      expect(() => jwt.verify(token, REFRESH_KEY, verifyOptions)).to.throw(jwt.JsonWebTokenError, 'invalid signature');
    });

    it('carries sub, sid, iat, exp, iss and aud, and a jti of its own (never the refresh token id)', async () => {
      const payload = jwt.verify(await issuer.issueAccessToken({ ...input, roles: [] }), ACCESS_KEY, verifyOptions).payload as JwtPayload;

      expect(payload).to.include({ sub: 'user-1', sid: 'session-1', iss: 'auth-api', aud: 'auth-api' });
      expect(payload.iat).to.equal(Date.parse('2026-01-01T00:00:00Z') / 1000);
      expect(payload.exp).to.equal(Date.parse('2026-01-31T00:00:00Z') / 1000);
      expect(payload.jti).to.be.a('string').and.not.equal(input.tokenId);
    });

    it('gives every access token a new jti, even for the same input', async () => {
      const a = jwt.decode(await issuer.issueAccessToken({ ...input, roles: [] })) as JwtPayload;
      const b = jwt.decode(await issuer.issueAccessToken({ ...input, roles: [] })) as JwtPayload;

      expect(a.jti).not.to.equal(b.jti);
    });
  });

  describe('newTokenId', () => {
    it('gives a new unguessable id each time (256 bits, base64url)', () => {
      const ids = new Set(Array.from({ length: 50 }, () => issuer.newTokenId()));

      expect(ids.size).to.equal(50);
      for (const id of ids) expect(id).to.match(/^[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('successorTokenId', () => {
    it('is deterministic for the same token id', () => {
      expect(issuer.successorTokenId('token-id-1')).to.equal(new JwtTokenIssuer(settings()).successorTokenId('token-id-1'));
    });

    it('differs per token id and is never the token id itself', () => {
      const successor = issuer.successorTokenId('token-id-1');

      expect(successor).not.to.equal(issuer.successorTokenId('token-id-2'));
      expect(successor).not.to.equal('token-id-1');
      expect(issuer.successorTokenId(successor)).not.to.equal(successor);
    });

    it('differs per key: without the refresh key it cannot be predicted', () => {
      const otherKey = new JwtTokenIssuer(settings('another-refresh-secret-0123456789-abcdef'));

      expect(otherKey.successorTokenId('token-id-1')).not.to.equal(issuer.successorTokenId('token-id-1'));
    });
  });

  describe('digest', () => {
    it('is deterministic, differs per id, and is not the id', () => {
      const digest = issuer.digest('token-id-1');

      expect(issuer.digest('token-id-1')).to.equal(digest);
      expect(issuer.digest('token-id-2')).not.to.equal(digest);
      expect(digest).not.to.equal('token-id-1');
      expect(digest).not.to.include('token-id-1');
    });

    it('is not the successor id either (a stored digest never names the next token)', () => {
      const id = issuer.newTokenId();

      expect(issuer.digest(id)).not.to.equal(issuer.successorTokenId(id));
    });
  });
});
