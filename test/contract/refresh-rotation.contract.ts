import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import type { SessionTokens } from '../../src/application/sessions/session-token-minter.js';
import { composeSessionUseCases } from '../../src/composition/use-cases.js';
import { JwtTokenIssuer } from '../../src/adapters/crypto/jwt-token-issuer.js';
import { jwtSettings, type JwtSettings } from '../../src/config/jwt-settings.js';
import { readClaims, type VerifiedClaims } from '../../src/adapters/http/strategies/jwt-claims.js';
import { RandomIdGenerator } from '../../src/adapters/system/random-id-generator.js';
import type { TokenStore } from '../../src/domain/ports/token-store.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import type { Session } from '../../src/domain/session.js';
import { testConfig } from '../support/config.js';
import { FixedClock } from '../support/fixed-clock.js';
import { aUser, codeOf } from './builders.js';

export interface RefreshRotationFixture {
  readonly users: UserRepository;
  readonly store: TokenStore;
  teardown(): Promise<void>;
}

const CONCURRENT_REFRESHES = 10;

/**
 * Refresh rotation through the real use cases on one store family: the store's compare-and-set
 * is what makes a burst of refreshes of one token safe, so this runs against every adapter.
 */
export function refreshRotationContract(name: string, setup: () => Promise<RefreshRotationFixture>): void {
  describe(`refresh rotation: ${name}`, () => {
    let fixture: RefreshRotationFixture | undefined;

    beforeEach(async () => {
      fixture = await setup();
    });

    afterEach(async () => {
      await fixture?.teardown();
      fixture = undefined;
    });

    /** The real use cases, composed as the service composes them (composition/use-cases.ts). */
    function service(reuseGraceSeconds: number) {
      if (!fixture) throw new Error('no fixture');
      const { users, store: adapter } = fixture;
      // Records what each rotate() answered: a token's successor is deterministic, so two
      // rotations to it would leave the same row behind; only the answers tell them apart.
      const rotations: boolean[] = [];
      const store: TokenStore = {
        create: (session, maxLive) => adapter.create(session, maxLive),
        find: (id) => adapter.find(id),
        rotate: async (id, from, to, at) => {
          const rotated = await adapter.rotate(id, from, to, at);
          rotations.push(rotated);
          return rotated;
        },
        end: (id, at) => adapter.end(id, at),
        endAllForUser: (userId, at, exceptId) => adapter.endAllForUser(userId, at, exceptId),
        listLive: (userId, now) => adapter.listLive(userId, now),
        prune: (cutoff, limit) => adapter.prune(cutoff, limit),
      };
      const config = testConfig({ REFRESH_REUSE_GRACE_SECONDS: String(reuseGraceSeconds) });
      expect(config.session.reuseGraceSeconds).to.equal(reuseGraceSeconds);
      const settings: JwtSettings = jwtSettings(config.jwt);
      const issuer = new JwtTokenIssuer(settings);
      const clock = new FixedClock('2026-03-01T08:00:00.000Z');
      const { issueSession, refreshSession } = composeSessionUseCases({
        users,
        store,
        issuer,
        clock,
        ids: new RandomIdGenerator(),
        policy: config.session,
        sessionsPerUserMax: config.limits.sessionsPerUserMax,
      });

      /**
       * What the jwt-refresh strategy checks before its verify callback: signature, alg, iss, aud,
       * exp (against the fixed clock, not the wall clock), typ.
       */
      const claimsOf = (token: string): VerifiedClaims => {
        const decoded = jwt.verify(token, settings.refresh.key, {
          algorithms: [settings.refresh.algorithm],
          issuer: settings.issuer,
          audience: settings.audience,
          clockTimestamp: Math.floor(clock.now().getTime() / 1000),
          complete: true,
        });
        const claims = readClaims(decoded, settings.refresh);
        if (!claims) throw new Error('not a refresh token');
        return claims;
      };

      return {
        store,
        /** How many rotate() calls answered true. */
        rotationsDone: () => rotations.filter((rotated) => rotated).length,
        issuer,
        clock,
        claimsOf,
        signIn: async (): Promise<SessionTokens> => {
          const user = await users.create(aUser());
          return issueSession.execute({ amr: ['pwd'], userId: user.id, userAgent: 'contract-test' });
        },
        /** As POST /auth/refresh does it: the strategy verifies the token, then the route refreshes. */
        refresh: (refreshToken: string): Promise<SessionTokens> => {
          const { userId, sessionId, tokenId } = claimsOf(refreshToken);
          return refreshSession.execute({ userId, sessionId, tokenId });
        },
      };
    }

    const storedSession = async (store: TokenStore, id: string): Promise<Session> => {
      const session = await store.find(id);
      if (!session) throw new Error(`session ${id} is not stored`);
      return session;
    };

    const fulfilled = <T>(results: PromiseSettledResult<T>[]): T[] =>
      results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const rejectionCodes = (results: PromiseSettledResult<unknown>[]): unknown[] =>
      results.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason) ?? r.reason] : []));

    describe('with a retry grace window', () => {
      it('gives all ten concurrent refreshes of one token the same successor, rotating the store once', async () => {
        const s = service(10);
        const signedIn = await s.signIn();
        const original = s.claimsOf(signedIn.refreshToken);
        s.clock.advance(60);

        const results = await Promise.allSettled(
          Array.from({ length: CONCURRENT_REFRESHES }, () => s.refresh(signedIn.refreshToken)),
        );

        expect(rejectionCodes(results)).to.deep.equal([]);
        const successors = new Set(fulfilled(results).map((t) => t.refreshToken));
        expect(successors.size).to.equal(1);
        const [successor] = [...successors];
        if (successor === undefined) throw new Error('no successor');
        expect(successor).to.not.equal(signedIn.refreshToken);

        const next = s.claimsOf(successor);
        expect(next.sessionId).to.equal(original.sessionId);
        expect(next.tokenId).to.equal(s.issuer.successorTokenId(original.tokenId));
        const session = await storedSession(s.store, original.sessionId);
        expect(session.previousTokenDigest).to.equal(s.issuer.digest(original.tokenId));
        expect(session.currentTokenDigest).to.equal(s.issuer.digest(next.tokenId));
        expect(session.rotatedAt?.toISOString()).to.equal('2026-03-01T08:01:00.000Z');
        expect(session.endedAt).to.equal(null);
        expect(s.rotationsDone()).to.equal(1);
      });

      it('keeps the family alive after the burst: the shared successor refreshes once more', async () => {
        const s = service(10);
        const signedIn = await s.signIn();
        s.clock.advance(60);
        const burst = await Promise.all(Array.from({ length: CONCURRENT_REFRESHES }, () => s.refresh(signedIn.refreshToken)));
        const successor = burst[0]?.refreshToken;
        if (successor === undefined) throw new Error('no successor');
        s.clock.advance(60);

        const after = await s.refresh(successor);

        expect(after.refreshToken).to.not.equal(successor);
        const session = await storedSession(s.store, signedIn.sessionId);
        expect(session.previousTokenDigest).to.equal(s.issuer.digest(s.claimsOf(successor).tokenId));
        expect(session.endedAt).to.equal(null);
      });
    });

    describe('without a retry grace window', () => {
      it('lets exactly one of ten concurrent refreshes of one token win; the other nine are refused', async () => {
        const s = service(0);
        const signedIn = await s.signIn();
        s.clock.advance(60);

        const results = await Promise.allSettled(
          Array.from({ length: CONCURRENT_REFRESHES }, () => s.refresh(signedIn.refreshToken)),
        );

        expect(fulfilled(results)).to.have.length(1);
        expect(rejectionCodes(results)).to.deep.equal(Array<string>(CONCURRENT_REFRESHES - 1).fill('INVALID_TOKEN'));
        expect(s.rotationsDone()).to.equal(1);
      });

      it("revokes the whole family when a replaced token is presented again: even the winner's new token fails", async () => {
        const s = service(0);
        const signedIn = await s.signIn();
        s.clock.advance(60);
        const results = await Promise.allSettled(
          Array.from({ length: CONCURRENT_REFRESHES }, () => s.refresh(signedIn.refreshToken)),
        );
        const [winner] = fulfilled(results);
        if (!winner) throw new Error('no refresh won');

        const session = await storedSession(s.store, signedIn.sessionId);
        expect(session.endedAt?.toISOString()).to.equal('2026-03-01T08:01:00.000Z');
        const err = await s.refresh(winner.refreshToken).then(
          () => null,
          (e: unknown) => e,
        );
        expect(codeOf(err)).to.equal('INVALID_TOKEN');
      });
    });
  });
}
