import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { ResilientSecurityEvents } from '../../../src/adapters/audit/resilient-security-events.js';
import { AesGcmSecretBox } from '../../../src/adapters/crypto/aes-gcm-secret-box.js';
import { OtplibTotpCodes } from '../../../src/adapters/crypto/otplib-totp-codes.js';
import { InMemoryMfaChallengeStore } from '../../../src/adapters/persistence/memory/in-memory-mfa-challenge-store.js';
import { InMemoryPasskeyStore } from '../../../src/adapters/persistence/memory/in-memory-passkey-store.js';
import { InMemoryTotpFactorStore } from '../../../src/adapters/persistence/memory/in-memory-totp-factor-store.js';
import { RandomIdGenerator } from '../../../src/adapters/system/random-id-generator.js';
import type { ThrottleLimits } from '../../../src/adapters/throttle/limiters.js';
import { composeMfaUseCases } from '../../../src/composition/mfa-use-cases.js';
import type { MfaCodeInvalidError } from '../../../src/domain/errors.js';
import { MFA_MAX_FAILURES, MFA_TOKEN_SECONDS, RECENT_SIGN_IN_SECONDS, TOTP_PERIOD_SECONDS, type AuthMethod, type MfaMode } from '../../../src/domain/mfa.js';
import type { SessionPrincipal } from '../../../src/domain/principal.js';
import { APP_NAME, buildAuth, expectCode, GOOD_PASSWORD, verifyAccess } from './harness.js';

/** One fixed secret, so every code of the fixed clock is known and no two steps' codes can collide by chance. */
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const IP = '203.0.113.7';

class FixedSecretTotpCodes extends OtplibTotpCodes {
  override newSecret(): string {
    return SECRET;
  }
}

/** The TOTP and MFA-step use cases on in-memory stores, the real crypto and the harness's fixed clock and login throttle. */
function buildMfa(limits: Partial<ThrottleLimits> = {}, { keyConfigured = true } = {}) {
  const auth = buildAuth({}, limits);
  const factors = new InMemoryTotpFactorStore();
  const challenges = new InMemoryMfaChallengeStore();
  const box = new AesGcmSecretBox(randomBytes(32), keyConfigured);
  const codes = new FixedSecretTotpCodes();
  const events = new ResilientSecurityEvents(auth.auditLog, new RandomIdGenerator(), auth.clock, pino({ level: 'silent' }));
  const mfa = composeMfaUseCases({
    users: auth.users,
    sessions: auth.store,
    factors,
    passkeys: new InMemoryPasskeyStore(),
    challenges,
    box,
    codes,
    oneTimeTokens: auth.oneTimeTokens,
    loginThrottle: auth.throttle,
    passwords: auth.useCases.passwordCheck,
    clock: auth.clock,
    events,
    issueSession: auth.issueSession,
    issuer: APP_NAME,
  });
  return { auth, factors, challenges, box, codes, ...mfa };
}

describe('TOTP and the MFA step (use cases on in-memory adapters, a fixed clock)', () => {
  let m: ReturnType<typeof buildMfa>;
  let email: string;
  let principal: SessionPrincipal;
  let recoveryCodes: string[];

  /** The code of the step `steps` away from the clock's now. */
  const codeAt = (steps = 0): Promise<string> => m.codes.codeAt(SECRET, new Date(m.auth.clock.now().getTime() + steps * TOTP_PERIOD_SECONDS * 1000));
  /** A six-digit code that is none of the three the window accepts now. */
  const wrongCode = async (): Promise<string> => {
    const window = await Promise.all([codeAt(-1), codeAt(0), codeAt(1)]);
    for (let n = 0; ; n++) {
      const candidate = String(n).padStart(6, '0');
      if (!window.includes(candidate)) return candidate;
    }
  };
  const advanceSteps = (steps: number): void => m.auth.clock.advance(steps * TOTP_PERIOD_SECONDS);

  /** Signs up and turns TOTP on with the code of now (whose step then counts as used). */
  async function signUpAndEnrol(limits: Partial<ThrottleLimits> = {}): Promise<void> {
    m = buildMfa(limits);
    email = `ada.${randomBytes(4).toString('hex')}@example.com`;
    const tokens = await m.auth.signUp(email);
    principal = { userId: tokens.user.id, sessionId: tokens.sessionId };
    await m.startTotp.execute({ principal, clientIp: IP });
    ({ recoveryCodes } = await m.confirmTotp.execute({ principal, clientIp: IP, code: await codeAt() }));
  }

  /** What POST /auth/login does for this account: the right password, then the MFA step's token. */
  async function mfaToken(mode: MfaMode = 'bearer', amr: readonly AuthMethod[] = ['pwd']): Promise<string> {
    const signedIn = await m.auth.login.execute({ email, password: GOOD_PASSWORD, clientIp: IP });
    const outcome = await m.firstFactor.execute({ userId: signedIn.userId, amr, mode, clientIp: IP });
    if (outcome.kind !== 'mfa_required') return expect.fail('expected the MFA step');
    return outcome.mfaToken;
  }

  const verify = (token: string, code: string) => m.verifyMfa.execute({ mfaToken: token, code, clientIp: IP });

  async function expectInvalidCode(promise: Promise<unknown>, reason: 'wrong' | 'replayed'): Promise<void> {
    const error = await expectCode(promise, 'MFA_CODE_INVALID');
    expect((error as MfaCodeInvalidError).reason).to.equal(reason);
  }

  describe('enrolment', () => {
    beforeEach(async () => {
      m = buildMfa();
      email = `ada.${randomBytes(4).toString('hex')}@example.com`;
      const tokens = await m.auth.signUp(email);
      principal = { userId: tokens.user.id, sessionId: tokens.sessionId };
    });

    it('starts pending with a secret and an otpauth URL of APP_NAME; a code confirms it and hands out 10 recovery codes once', async () => {
      const started = await m.startTotp.execute({ principal, clientIp: IP });
      expect(started.secret).to.equal(SECRET);
      expect(new URL(started.otpauthUrl).searchParams.get('issuer')).to.equal(APP_NAME);
      const pending = await m.factors.find(principal.userId);
      expect(pending?.confirmedAt).to.equal(null);
      expect(pending?.sealedSecret).to.not.include(SECRET);
      expect(m.box.open(pending?.sealedSecret ?? '', principal.userId), 'sealed, bound to the user').to.equal(SECRET);

      const { recoveryCodes: handed } = await m.confirmTotp.execute({ principal, clientIp: IP, code: await codeAt() });
      expect(handed).to.have.length(10);
      expect(new Set(handed).size).to.equal(10);
      for (const code of handed) expect(code).to.match(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      expect((await m.factors.find(principal.userId))?.confirmedAt).to.deep.equal(m.auth.clock.now());
      expect(await m.factors.recoveryCodesLeft(principal.userId)).to.equal(10);
      expect((await m.auth.events(principal.userId)).map((e) => e.type)).to.include('mfa.enabled');
    });

    it('answers TOTP_NOT_ENABLED, not an unexpected error, when the pending secret was sealed under another key; starting again works', async () => {
      await m.startTotp.execute({ principal, clientIp: IP });
      const pending = await m.factors.find(principal.userId);
      const otherKey = new AesGcmSecretBox(randomBytes(32), true);
      await m.factors.savePending({ ...(pending ?? expect.fail('pending')), sealedSecret: otherKey.seal(SECRET, principal.userId) });
      const error = await expectCode(m.confirmTotp.execute({ principal, clientIp: IP, code: await codeAt() }), 'TOTP_NOT_ENABLED');
      expect((error as Error).message).to.match(/start again/);
      await m.startTotp.execute({ principal, clientIp: IP });
      expect((await m.confirmTotp.execute({ principal, clientIp: IP, code: await codeAt() })).recoveryCodes).to.have.length(10);
    });

    it('refuses a wrong confirming code with MFA_CODE_INVALID, and the enrolment stays pending', async () => {
      await m.startTotp.execute({ principal, clientIp: IP });
      await expectCode(m.confirmTotp.execute({ principal, clientIp: IP, code: await wrongCode() }), 'MFA_CODE_INVALID');
      expect((await m.factors.find(principal.userId))?.confirmedAt).to.equal(null);
    });

    it('refuses a confirming code that is not six digits with MFA_CODE_INVALID, not an unexpected error', async () => {
      await m.startTotp.execute({ principal, clientIp: IP });
      for (const code of ['12345', '1234567', 'ABCD-EFGH-JKMN']) {
        await expectCode(m.confirmTotp.execute({ principal, clientIp: IP, code }), 'MFA_CODE_INVALID');
      }
      expect((await m.factors.find(principal.userId))?.confirmedAt).to.equal(null);
    });

    it('needs no password within 10 minutes of signing in, to the second', async () => {
      m.auth.clock.advance(RECENT_SIGN_IN_SECONDS);
      expect((await m.startTotp.execute({ principal, clientIp: IP })).secret).to.equal(SECRET);
    });

    it('refuses an older sign-in with RECENT_SIGN_IN_REQUIRED, and nothing is stored', async () => {
      m.auth.clock.advance(RECENT_SIGN_IN_SECONDS + 1);
      await expectCode(m.startTotp.execute({ principal, clientIp: IP }), 'RECENT_SIGN_IN_REQUIRED');
      expect(await m.factors.find(principal.userId)).to.equal(null);
    });

    it('lets an older sign-in enrol with the right current password, and refuses a wrong one with INVALID_CREDENTIALS', async () => {
      m.auth.clock.advance(RECENT_SIGN_IN_SECONDS + 1);
      await expectCode(m.startTotp.execute({ principal, clientIp: IP, currentPassword: 'not the password' }), 'INVALID_CREDENTIALS');
      expect(await m.factors.find(principal.userId)).to.equal(null);
      expect((await m.startTotp.execute({ principal, clientIp: IP, currentPassword: GOOD_PASSWORD })).secret).to.equal(SECRET);
    });

    it('answers MFA_UNAVAILABLE when the secret box has no configured key (production without MFA_ENCRYPTION_KEY)', async () => {
      const off = buildMfa({}, { keyConfigured: false });
      const tokens = await off.auth.signUp();
      const p = { userId: tokens.user.id, sessionId: tokens.sessionId };
      await expectCode(off.startTotp.execute({ principal: p, clientIp: IP }), 'MFA_UNAVAILABLE');
      await expectCode(off.startTotp.execute({ principal: p, clientIp: IP, currentPassword: GOOD_PASSWORD }), 'MFA_UNAVAILABLE');
      expect(await off.factors.find(p.userId)).to.equal(null);
    });

    it('refuses a second enrolment once TOTP is on (TOTP_ALREADY_ENABLED), and a confirmation with nothing pending (TOTP_NOT_ENABLED)', async () => {
      await expectCode(m.confirmTotp.execute({ principal, clientIp: IP, code: await codeAt() }), 'TOTP_NOT_ENABLED');
      await m.startTotp.execute({ principal, clientIp: IP });
      await m.confirmTotp.execute({ principal, clientIp: IP, code: await codeAt() });
      await expectCode(m.startTotp.execute({ principal, clientIp: IP }), 'TOTP_ALREADY_ENABLED');
    });
  });

  describe('the MFA step of a sign-in', () => {
    beforeEach(() => signUpAndEnrol());

    it('signs a user without TOTP in at once; one with TOTP gets an mfaToken and the methods totp, recovery_code', async () => {
      const plain = await m.auth.signUp();
      const direct = await m.firstFactor.execute({ userId: plain.user.id, amr: ['pwd'], mode: 'bearer', clientIp: IP });
      expect(direct.kind).to.equal('signed_in');
      const signedIn = await m.auth.login.execute({ email, password: GOOD_PASSWORD, clientIp: IP });
      const outcome = await m.firstFactor.execute({ userId: signedIn.userId, amr: ['pwd'], mode: 'bearer', clientIp: IP });
      expect(outcome).to.include({ kind: 'mfa_required' });
      expect(outcome.kind === 'mfa_required' && outcome.methods).to.deep.equal(['totp', 'recovery_code']);
    });

    it("starts the session with amr ['pwd', 'otp'] for the next step's code, and a refresh keeps it", async () => {
      const token = await mfaToken();
      advanceSteps(1);
      const { mode, tokens } = await verify(token, await codeAt());
      expect(mode).to.equal('bearer');
      expect(verifyAccess(tokens.accessToken).amr).to.deep.equal(['pwd', 'otp']);
      expect((await m.auth.session(tokens.sessionId))?.amr).to.deep.equal(['pwd', 'otp']);
      m.auth.clock.advance(60);
      const refreshed = await m.auth.refresh(tokens.refreshToken);
      expect(verifyAccess(refreshed.accessToken).amr).to.deep.equal(['pwd', 'otp']);
    });

    it("keeps the login's mode and first factor: a provider sign-in in cookie mode ends as ['fed', 'otp'] in cookie mode", async () => {
      const token = await mfaToken('cookie', ['fed']);
      advanceSteps(1);
      const { mode, tokens } = await verify(token, await codeAt());
      expect(mode).to.equal('cookie');
      expect(verifyAccess(tokens.accessToken).amr).to.deep.equal(['fed', 'otp']);
    });

    it('refuses the code that confirmed the enrolment, in its own step, as replayed', async () => {
      await expectInvalidCode(verify(await mfaToken(), await codeAt()), 'replayed');
    });

    it('refuses a code accepted once when it is presented again in the same step, as replayed', async () => {
      advanceSteps(1);
      const code = await codeAt();
      await verify(await mfaToken(), code);
      await expectInvalidCode(verify(await mfaToken(), code), 'replayed');
    });

    it("refuses the previous step's code once a later one was accepted, though it is still inside the window", async () => {
      advanceSteps(2);
      const previous = await codeAt(-1);
      expect(previous).to.not.equal(await codeAt());
      await verify(await mfaToken(), await codeAt());
      await expectInvalidCode(verify(await mfaToken(), previous), 'replayed');
    });

    it('refuses a code of two steps ago as wrong', async () => {
      advanceSteps(3);
      const twoAgo = await codeAt(-2);
      expect([await codeAt(-1), await codeAt(), await codeAt(1)]).to.not.include(twoAgo);
      await expectInvalidCode(verify(await mfaToken(), twoAgo), 'wrong');
    });

    it("accepts the next step's code (a phone a little fast)", async () => {
      advanceSteps(1);
      const { tokens } = await verify(await mfaToken(), await codeAt(1));
      expect(verifyAccess(tokens.accessToken).amr).to.deep.equal(['pwd', 'otp']);
    });

    it('accepts a recovery code once, however it is typed, in place of a TOTP code', async () => {
      const [code] = recoveryCodes as [string];
      const { tokens } = await verify(await mfaToken(), code.toLowerCase().replace(/-/g, ' '));
      expect(verifyAccess(tokens.accessToken).amr).to.deep.equal(['pwd', 'otp']);
      expect(await m.factors.recoveryCodesLeft(principal.userId)).to.equal(9);
      await expectInvalidCode(verify(await mfaToken(), code), 'wrong');
      const succeeded = (await m.auth.events(principal.userId)).filter((e) => e.type === 'login.succeeded' && e.detail?.method === 'recovery_code');
      expect(succeeded[0]?.detail).to.deep.include({ recoveryCodesLeft: 9 });
    });

    it(`voids the mfaToken at the ${MFA_MAX_FAILURES}th wrong code: then even the right code answers MFA_TOKEN_INVALID`, async () => {
      const token = await mfaToken();
      advanceSteps(1);
      for (let n = 1; n <= MFA_MAX_FAILURES; n++) await expectInvalidCode(verify(token, await wrongCode()), 'wrong');
      await expectCode(verify(token, await codeAt()), 'MFA_TOKEN_INVALID');
      const failed = (await m.auth.events(principal.userId)).filter((e) => e.type === 'mfa.failed');
      // Recorded at one instant of the fixed clock: ordered here by the count each one carries.
      const byCount = failed.map((e) => e.detail as { failures: number; voided: boolean }).sort((a, b) => a.failures - b.failures);
      expect(byCount.map((d) => [d.failures, d.voided])).to.deep.equal([[1, false], [2, false], [3, false], [4, false], [5, true]]);
    });

    it(`lets the right code through after ${MFA_MAX_FAILURES - 1} wrong ones`, async () => {
      const token = await mfaToken();
      advanceSteps(1);
      for (let n = 1; n < MFA_MAX_FAILURES; n++) await expectInvalidCode(verify(token, await wrongCode()), 'wrong');
      expect((await verify(token, await codeAt())).mode).to.equal('bearer');
    });

    it('spends the mfaToken: a second verify with it answers MFA_TOKEN_INVALID, as does a token never issued', async () => {
      const token = await mfaToken();
      advanceSteps(1);
      await verify(token, await codeAt());
      advanceSteps(1);
      await expectCode(verify(token, await codeAt()), 'MFA_TOKEN_INVALID');
      await expectCode(verify(randomBytes(32).toString('base64url'), await codeAt()), 'MFA_TOKEN_INVALID');
    });

    it(`refuses an mfaToken past its ${MFA_TOKEN_SECONDS} s (clock + 301 s) with MFA_TOKEN_INVALID`, async () => {
      const token = await mfaToken();
      m.auth.clock.advance(MFA_TOKEN_SECONDS + 1);
      await expectCode(verify(token, await codeAt()), 'MFA_TOKEN_INVALID');
    });

    it('accepts an mfaToken just inside its life (clock + 299 s)', async () => {
      const token = await mfaToken();
      m.auth.clock.advance(MFA_TOKEN_SECONDS - 1);
      expect((await verify(token, await codeAt())).mode).to.equal('bearer');
    });

    it('answers MFA_TOKEN_INVALID when TOTP was turned off after the password step', async () => {
      const token = await mfaToken();
      advanceSteps(1);
      await m.disableTotp.execute({ principal, clientIp: IP, code: await codeAt() });
      advanceSteps(1);
      await expectCode(verify(token, await codeAt()), 'MFA_TOKEN_INVALID');
    });
  });

  describe('wrong codes count in the login throttle', () => {
    const LOGIN_MAX_FAILURES = 3;
    beforeEach(() => signUpAndEnrol({ maxFailures: LOGIN_MAX_FAILURES }));

    it(`after LOGIN_MAX_FAILURES (${LOGIN_MAX_FAILURES}) wrong codes, verify answers TOO_MANY_ATTEMPTS even for the right code, and so does the password`, async () => {
      const token = await mfaToken();
      advanceSteps(1);
      for (let n = 1; n <= LOGIN_MAX_FAILURES; n++) await expectInvalidCode(verify(token, await wrongCode()), 'wrong');
      await expectCode(verify(token, await codeAt()), 'TOO_MANY_ATTEMPTS');
      await expectCode(m.auth.login.execute({ email, password: GOOD_PASSWORD, clientIp: IP }), 'TOO_MANY_ATTEMPTS');
    });

    it('a right code counts nothing: as many sign-ins as wanted, past LOGIN_MAX_FAILURES', async () => {
      for (let n = 1; n <= LOGIN_MAX_FAILURES + 1; n++) {
        advanceSteps(1);
        expect((await verify(await mfaToken(), await codeAt())).mode).to.equal('bearer');
      }
    });
  });

  describe('turning TOTP off', () => {
    beforeEach(() => signUpAndEnrol());

    it('turns it off with a new TOTP code: the factor and its recovery codes are gone, and login needs no code', async () => {
      advanceSteps(1);
      await m.disableTotp.execute({ principal, clientIp: IP, code: await codeAt() });
      expect(await m.factors.find(principal.userId)).to.equal(null);
      expect(await m.factors.recoveryCodesLeft(principal.userId)).to.equal(0);
      const signedIn = await m.auth.login.execute({ email, password: GOOD_PASSWORD, clientIp: IP });
      expect((await m.firstFactor.execute({ userId: signedIn.userId, amr: ['pwd'], mode: 'bearer', clientIp: IP })).kind).to.equal('signed_in');
    });

    it('turns it off with a recovery code', async () => {
      await m.disableTotp.execute({ principal, clientIp: IP, code: recoveryCodes[4] ?? '' });
      expect(await m.factors.find(principal.userId)).to.equal(null);
    });

    it('refuses a wrong code and a replayed one with MFA_CODE_INVALID, and TOTP stays on', async () => {
      await expectInvalidCode(m.disableTotp.execute({ principal, clientIp: IP, code: await codeAt() }), 'replayed');
      await expectInvalidCode(m.disableTotp.execute({ principal, clientIp: IP, code: await wrongCode() }), 'wrong');
      await expectInvalidCode(m.disableTotp.execute({ principal, clientIp: IP, code: 'ABCD-EFGH-JKMN' }), 'wrong');
      expect((await m.factors.find(principal.userId))?.confirmedAt).to.not.equal(null);
    });

    it('answers TOTP_NOT_ENABLED once it is off', async () => {
      advanceSteps(1);
      await m.disableTotp.execute({ principal, clientIp: IP, code: await codeAt() });
      advanceSteps(1);
      await expectCode(m.disableTotp.execute({ principal, clientIp: IP, code: await codeAt() }), 'TOTP_NOT_ENABLED');
    });
  });
});
