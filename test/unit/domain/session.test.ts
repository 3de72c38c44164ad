import { expect } from 'chai';
import { capToSession, classifyPresentedToken, isLive, type Session } from '../../../src/domain/session.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A session created at T0, ending 90 days later, whose token `old` was replaced by `new` at T0. */
const aSession = (overrides: Partial<Session> = {}): Session => ({
  id: 'session-1',
  userId: 'user-1',
  createdAt: T0,
  lastUsedAt: T0,
  expiresAt: at(90 * 86_400),
  userAgent: null,
  currentTokenDigest: 'digest-new',
  previousTokenDigest: 'digest-old',
  rotatedAt: T0,
  endedAt: null,
  ...overrides,
});

describe('domain: session', () => {
  describe('classifyPresentedToken', () => {
    it('calls the newest token current', () => {
      expect(classifyPresentedToken(aSession(), 'digest-new', at(0), 10)).to.equal('current');
    });

    it('calls the newest token current even long after the rotation and with no grace', () => {
      expect(classifyPresentedToken(aSession(), 'digest-new', at(86_400), 0)).to.equal('current');
    });

    it('calls the newest token of a never-rotated session current', () => {
      const fresh = aSession({ previousTokenDigest: null, rotatedAt: null });

      expect(classifyPresentedToken(fresh, 'digest-new', at(5), 10)).to.equal('current');
    });

    it('calls the token just replaced a retry within the grace window', () => {
      expect(classifyPresentedToken(aSession(), 'digest-old', at(0), 10)).to.equal('retry');
      expect(classifyPresentedToken(aSession(), 'digest-old', at(9.999), 10)).to.equal('retry');
    });

    it('calls the token just replaced reuse once the grace window is over', () => {
      expect(classifyPresentedToken(aSession(), 'digest-old', at(10), 10)).to.equal('reuse');
      expect(classifyPresentedToken(aSession(), 'digest-old', at(11), 10)).to.equal('reuse');
    });

    it('calls the token just replaced reuse at once when the grace is 0', () => {
      expect(classifyPresentedToken(aSession(), 'digest-old', at(0), 0)).to.equal('reuse');
    });

    it('calls any other token of the family (an older ancestor) reuse, even within the grace', () => {
      expect(classifyPresentedToken(aSession(), 'digest-older', at(1), 10)).to.equal('reuse');
    });

    it('never treats a missing previous token as a match', () => {
      const fresh = aSession({ previousTokenDigest: null, rotatedAt: null });

      expect(classifyPresentedToken(fresh, 'digest-old', at(1), 10)).to.equal('reuse');
    });

    it('calls the previous token reuse when the rotation time is unknown', () => {
      expect(classifyPresentedToken(aSession({ rotatedAt: null }), 'digest-old', at(1), 10)).to.equal('reuse');
    });

    it('measures the grace from the last rotation, not from sign-in', () => {
      const rotatedLater = aSession({ rotatedAt: at(3600) });

      expect(classifyPresentedToken(rotatedLater, 'digest-old', at(3605), 10)).to.equal('retry');
      expect(classifyPresentedToken(rotatedLater, 'digest-old', at(3611), 10)).to.equal('reuse');
    });
  });

  describe('isLive', () => {
    it('is live before its end when not ended', () => {
      expect(isLive(aSession(), at(0))).to.equal(true);
      expect(isLive(aSession(), at(90 * 86_400 - 0.001))).to.equal(true);
    });

    it('is not live from the moment it expires', () => {
      expect(isLive(aSession(), at(90 * 86_400))).to.equal(false);
      expect(isLive(aSession(), at(90 * 86_400 + 1))).to.equal(false);
    });

    it('is not live once ended, even before its expiry', () => {
      expect(isLive(aSession({ endedAt: at(5) }), at(6))).to.equal(false);
    });
  });

  describe('capToSession', () => {
    const session = { expiresAt: at(1000) };

    it('keeps a time before the session end', () => {
      expect(capToSession(session, at(999)).getTime()).to.equal(at(999).getTime());
    });

    it('cuts a time past the session end to the session end', () => {
      expect(capToSession(session, at(5000)).getTime()).to.equal(at(1000).getTime());
    });

    it('keeps a time equal to the session end', () => {
      expect(capToSession(session, at(1000)).getTime()).to.equal(at(1000).getTime());
    });
  });
});
