import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { pino } from 'pino';
import { ResilientSecurityEvents } from '../../../src/adapters/audit/resilient-security-events.js';
import { InMemoryPasskeyChallengeStore } from '../../../src/adapters/persistence/memory/in-memory-passkey-challenge-store.js';
import { InMemoryPasskeyStore } from '../../../src/adapters/persistence/memory/in-memory-passkey-store.js';
import { RandomIdGenerator } from '../../../src/adapters/system/random-id-generator.js';
import { SimpleWebAuthnCeremonies } from '../../../src/adapters/webauthn/simple-webauthn-ceremonies.js';
import { composePasskeyUseCases } from '../../../src/composition/passkey-use-cases.js';
import type { PasskeyCeremonyUseCases } from '../../../src/adapters/http/routes/passkey-routes.js';
import { SoftwareAuthenticator } from '../../support/software-authenticator.js';
import { buildAuth, expectCode, type Auth } from './harness.js';

const ORIGIN = 'https://app.example.com';
const RP_ID = 'example.com';

function buildPasskeys() {
  const auth = buildAuth();
  const passkeys = new InMemoryPasskeyStore();
  const events = new ResilientSecurityEvents(auth.auditLog, new RandomIdGenerator(), auth.clock, pino({ level: 'silent' }));
  const ceremonies = new SimpleWebAuthnCeremonies({ id: RP_ID, name: 'auth-api', origins: [ORIGIN], timeoutMs: 300_000 });
  const useCases = composePasskeyUseCases({
    users: auth.users,
    passkeys,
    challenges: new InMemoryPasskeyChallengeStore(),
    ceremonies,
    clock: auth.clock,
    events,
    issueSession: auth.issueSession,
  });
  return { auth, passkeys, ...useCases, ceremony: useCases.ceremonies as PasskeyCeremonyUseCases };
}

describe('passkeys (use cases on in-memory adapters, a fixed clock)', () => {
  let p: ReturnType<typeof buildPasskeys>;
  let auth: Auth;
  let userId: string;
  let sessionId: string;
  let device: SoftwareAuthenticator;

  const registerPasskey = async (name?: string) => {
    const options = await p.ceremony.startRegistration.execute({ userId });
    return p.ceremony.register.execute({ userId, sessionId, response: device.register(options), ...(name ? { name } : {}) });
  };

  beforeEach(async () => {
    p = buildPasskeys();
    auth = p.auth;
    const tokens = await auth.signUp();
    userId = tokens.user.id;
    sessionId = tokens.sessionId;
    device = new SoftwareAuthenticator(ORIGIN);
  });

  describe('registration', () => {
    it('stores the attested passkey under its credential id, never used yet, and records passkey.added', async () => {
      const summary = await registerPasskey('Laptop');
      expect(summary).to.deep.equal({ id: device.credentials[0]?.id, name: 'Laptop', createdAt: auth.clock.now(), lastUsedAt: null });
      expect(await p.passkeys.countFor(userId)).to.equal(1);
      const added = (await auth.events(userId)).filter((e) => e.type === 'passkey.added');
      expect(added).to.have.length(1);
      expect(added[0]?.detail).to.deep.equal({ passkeyId: summary.id, name: 'Laptop' });
    });

    it('asks for a discoverable credential and excludes the passkeys the user has', async () => {
      const first = await registerPasskey();
      const options = await p.ceremony.startRegistration.execute({ userId });
      expect(options.authenticatorSelection).to.deep.include({ residentKey: 'required', userVerification: 'preferred' });
      expect((options.excludeCredentials as Array<{ id: string }>).map((c) => c.id)).to.deep.equal([first.id]);
      expect(options.attestation).to.equal('none');
    });

    it("refuses another user's registration challenge, and the challenge is spent by it", async () => {
      const other = (await auth.signUp()).user.id;
      const options = await p.ceremony.startRegistration.execute({ userId: other });
      const response = device.register(options);
      await expectCode(p.ceremony.register.execute({ userId, sessionId, response }), 'PASSKEY_INVALID');
      await expectCode(p.ceremony.register.execute({ userId: other, sessionId, response }), 'PASSKEY_INVALID');
      const failed = (await auth.events(userId)).filter((e) => e.type === 'mfa.failed');
      expect(failed[0]?.detail).to.deep.include({ method: 'passkey', ceremony: 'registration', reason: 'challenge' });
    });

    it('refuses an authentication challenge used for registration', async () => {
      const options = await p.ceremony.startSignIn.execute();
      const response = device.register({ ...options, rp: { id: RP_ID }, user: { id: 'dXNlcg' } });
      await expectCode(p.ceremony.register.execute({ userId, sessionId, response }), 'PASSKEY_INVALID');
    });
  });

  describe('challenges: 5 minutes, single use', () => {
    it('accepts a sign-in 4 min 59 s after the options, and refuses one at 5 minutes', async () => {
      await registerPasskey();
      const early = await p.ceremony.startSignIn.execute();
      const late = await p.ceremony.startSignIn.execute();
      auth.clock.advance(299);
      expect((await p.ceremony.signIn.execute({ response: device.authenticate(early) })).user.id).to.equal(userId);
      auth.clock.advance(1);
      await expectCode(p.ceremony.signIn.execute({ response: device.authenticate(late) }), 'PASSKEY_INVALID');
    });

    it('refuses a registration answered 5 minutes after its options', async () => {
      const options = await p.ceremony.startRegistration.execute({ userId });
      auth.clock.advance(300);
      await expectCode(p.ceremony.register.execute({ userId, sessionId, response: device.register(options) }), 'PASSKEY_INVALID');
      expect(await p.passkeys.countFor(userId)).to.equal(0);
    });

    it('refuses the same assertion a second time (its challenge is spent)', async () => {
      await registerPasskey();
      const response = device.authenticate(await p.ceremony.startSignIn.execute());
      await p.ceremony.signIn.execute({ response });
      await expectCode(p.ceremony.signIn.execute({ response }), 'PASSKEY_INVALID');
    });

    it('spends the challenge even when the ceremony fails, so a corrected answer cannot reuse it', async () => {
      await registerPasskey();
      const options = await p.ceremony.startSignIn.execute();
      await expectCode(p.ceremony.signIn.execute({ response: device.authenticate(options, undefined, { origin: 'https://evil.example' }) }), 'PASSKEY_INVALID');
      await expectCode(p.ceremony.signIn.execute({ response: device.authenticate(options) }), 'PASSKEY_INVALID');
    });
  });

  describe('sign-in', () => {
    it('starts a session whose access token says amr ["hwk"], records the use, and logs login.succeeded', async () => {
      const registered = await registerPasskey();
      auth.clock.advance(60);
      const tokens = await p.ceremony.signIn.execute({ response: device.authenticate(await p.ceremony.startSignIn.execute()), userAgent: 'unit-test' });
      expect(tokens.user.id).to.equal(userId);
      expect((jwt.decode(tokens.accessToken) as { amr?: unknown }).amr).to.deep.equal(['hwk']);
      const [listed] = await p.listPasskeys.execute({ userId });
      expect(listed?.lastUsedAt).to.deep.equal(auth.clock.now());
      expect(listed?.id).to.equal(registered.id);
      const succeeded = (await auth.events(userId)).filter((e) => e.type === 'login.succeeded' && e.detail.method === 'passkey');
      expect(succeeded).to.have.length(1);
    });

    it('refuses an assertion signed by another key', async () => {
      await registerPasskey();
      const forger = new SoftwareAuthenticator(ORIGIN);
      forger.register({ rp: { id: RP_ID }, user: { id: 'eA' }, challenge: 'eA' });
      const options = await p.ceremony.startSignIn.execute();
      await expectCode(p.ceremony.signIn.execute({ response: device.authenticate(options, undefined, { signWith: forger.credentials[0]?.privateKey }) }), 'PASSKEY_INVALID');
    });

    it('refuses a credential it does not know, and logs login.failed with no user', async () => {
      const stranger = new SoftwareAuthenticator(ORIGIN);
      stranger.register({ rp: { id: RP_ID }, user: { id: 'eA' }, challenge: 'eA' });
      await expectCode(p.ceremony.signIn.execute({ response: stranger.authenticate(await p.ceremony.startSignIn.execute()) }), 'PASSKEY_INVALID');
      const failed = (await auth.events()).filter((e) => e.type === 'login.failed');
      expect(failed.at(-1)?.detail).to.deep.equal({ method: 'passkey', reason: 'unknown_credential' });
      expect(failed.at(-1)?.userId).to.equal(null);
    });

    it('refuses an assertion whose user handle names another account than the passkey', async () => {
      await registerPasskey();
      const credential = device.credentials[0];
      if (!credential) throw new Error('no credential');
      const otherHandle = Buffer.from((await auth.signUp()).user.id, 'utf8').toString('base64url');
      const options = await p.ceremony.startSignIn.execute();
      await expectCode(p.ceremony.signIn.execute({ response: device.authenticate(options, { ...credential, userHandle: otherHandle }) }), 'PASSKEY_INVALID');
    });

    it('refuses a removed passkey', async () => {
      const registered = await registerPasskey();
      await p.removePasskey.execute({ userId, sessionId, passkeyId: registered.id });
      await expectCode(p.ceremony.signIn.execute({ response: device.authenticate(await p.ceremony.startSignIn.execute()) }), 'PASSKEY_INVALID');
    });

    it('refuses a disabled account with ACCOUNT_DISABLED', async () => {
      await registerPasskey();
      await auth.users.update(userId, { disabled: true });
      await expectCode(p.ceremony.signIn.execute({ response: device.authenticate(await p.ceremony.startSignIn.execute()) }), 'ACCOUNT_DISABLED');
    });
  });

  describe('the signature counter', () => {
    it('accepts a counter that grows, and refuses one that stays or goes back', async () => {
      await registerPasskey();
      const sign = async (counter: number) => p.ceremony.signIn.execute({ response: device.authenticate(await p.ceremony.startSignIn.execute(), undefined, { counter }) });
      await sign(5);
      await sign(6);
      await expectCode(sign(6), 'PASSKEY_INVALID');
      await expectCode(sign(2), 'PASSKEY_INVALID');
      expect((await p.passkeys.findById(device.credentials[0]?.id ?? ''))?.counter).to.equal(6);
      const failed = (await auth.events(userId)).filter((e) => e.type === 'login.failed');
      expect(failed.map((e) => e.detail.reason)).to.deep.equal(['counter', 'counter']);
    });

    it('accepts 0 every time from an authenticator that keeps no counter', async () => {
      device = new SoftwareAuthenticator(ORIGIN, false);
      await registerPasskey();
      for (let i = 0; i < 3; i++) await p.ceremony.signIn.execute({ response: device.authenticate(await p.ceremony.startSignIn.execute()) });
    });

    it('refuses 0 from an authenticator that has counted', async () => {
      await registerPasskey();
      await p.ceremony.signIn.execute({ response: device.authenticate(await p.ceremony.startSignIn.execute(), undefined, { counter: 3 }) });
      await expectCode(p.ceremony.signIn.execute({ response: device.authenticate(await p.ceremony.startSignIn.execute(), undefined, { counter: 0 }) }), 'PASSKEY_INVALID');
    });
  });

  describe('removal', () => {
    it("removes the caller's passkey and records passkey.removed", async () => {
      const registered = await registerPasskey();
      await p.removePasskey.execute({ userId, sessionId, passkeyId: registered.id });
      expect(await p.listPasskeys.execute({ userId })).to.deep.equal([]);
      expect((await auth.events(userId)).map((e) => e.type)).to.include('passkey.removed');
    });

    it("answers PASSKEY_NOT_FOUND for another user's passkey, which stays", async () => {
      const registered = await registerPasskey();
      const other = await auth.signUp();
      await expectCode(p.removePasskey.execute({ userId: other.user.id, sessionId: other.sessionId, passkeyId: registered.id }), 'PASSKEY_NOT_FOUND');
      expect(await p.passkeys.countFor(userId)).to.equal(1);
    });
  });
});
