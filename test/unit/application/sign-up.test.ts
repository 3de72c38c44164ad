import { expect } from 'chai';
import { InMemoryTokenStore } from '../../../src/adapters/persistence/memory/in-memory-token-store.js';
import type { Email } from '../../../src/domain/email.js';
import { ServiceUnavailableError, ValidationFailedError, type TooManyAttemptsError } from '../../../src/domain/errors.js';
import type { PasswordHasher } from '../../../src/domain/ports/password-hasher.js';
import type { Session } from '../../../src/domain/session.js';
import type { RegisterUserInput } from '../../../src/application/accounts/register-user.js';
import { buildAuth, expectCode, GOOD_PASSWORD, hasher, rejectionOf, type Auth } from './harness.js';

const IP = '192.0.2.20';
const PER_HOUR = 4;

/** The real bcrypt hasher, counting hashes: a refused registration must never reach it. */
class CountingHasher implements PasswordHasher {
  hashes = 0;
  hash(password: string): Promise<string> {
    this.hashes += 1;
    return hasher.hash(password);
  }
  verify(password: string, hash: string | null): Promise<boolean> {
    return hasher.verify(password, hash);
  }
}

/** Sessions in memory, until the test takes the store away. */
class FlakyTokenStore extends InMemoryTokenStore {
  down = false;
  override create(session: Session, maxLive?: number): Promise<void> {
    return this.down ? Promise.reject(new ServiceUnavailableError('session store')) : super.create(session, maxLive);
  }
}

describe('SignUp', () => {
  let auth: Auth;
  let counting: CountingHasher;
  let store: FlakyTokenStore;
  let reads: number;
  beforeEach(() => {
    counting = new CountingHasher();
    store = new FlakyTokenStore();
    auth = buildAuth({}, { accountMaxFailures: 3 }, { registerPerIpPerHour: PER_HOUR, hasher: counting, store });
    reads = 0;
  });

  const signUp = (input: Partial<RegisterUserInput> = {}, clientIp = IP) =>
    auth.signUpUseCase.execute({
      clientIp,
      userAgent: 'unit-test',
      read: () => {
        reads += 1;
        return { email: `new.${Math.random().toString(36).slice(2)}@example.com`, password: GOOD_PASSWORD, ...input };
      },
    });

  describe('REGISTER_PER_IP_PER_HOUR', () => {
    it('counts successes, 409s and 400s alike, and refuses the next attempt before reading it or running bcrypt', async () => {
      await auth.register.execute({ email: 'taken@example.com', password: GOOD_PASSWORD });
      const hashesBefore = counting.hashes;
      await signUp();
      await expectCode(signUp({ email: 'taken@example.com' }), 'EMAIL_ALREADY_REGISTERED');
      await expectCode(signUp({ password: 'short' }), 'VALIDATION_FAILED');
      // A body the route cannot even parse is refused by `read`, once the attempt is counted.
      const malformed = () => {
        reads += 1;
        throw new ValidationFailedError([{ field: 'email', message: 'must be a string' }]);
      };
      await expectCode(auth.signUpUseCase.execute({ clientIp: IP, read: malformed }), 'VALIDATION_FAILED');
      expect(reads, 'four attempts read').to.equal(4);
      const hashes = counting.hashes;

      const error = await expectCode(signUp(), 'TOO_MANY_ATTEMPTS');

      expect(reads, 'the 5th attempt was not read').to.equal(4);
      expect(counting.hashes, 'no bcrypt for the 5th').to.equal(hashes);
      expect(hashes - hashesBefore, 'bcrypt ran for the success and the 409').to.equal(2);
      const seconds = (error as TooManyAttemptsError).retryAfterSeconds;
      expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 3600, `${seconds} whole seconds within the hour`).to.equal(true);
    });

    it('counts per address: another address still registers', async () => {
      for (let i = 0; i < PER_HOUR; i++) await signUp();
      await expectCode(signUp(), 'TOO_MANY_ATTEMPTS');

      expect((await signUp({}, '192.0.2.21')).user.email).to.match(/@example\.com$/);
    });

    it(`lets exactly ${PER_HOUR} of 12 registrations arriving at once through`, async () => {
      const answers = await Promise.allSettled(Array.from({ length: 12 }, () => signUp()));

      expect(answers.filter((a) => a.status === 'fulfilled')).to.have.length(PER_HOUR);
      expect(reads).to.equal(PER_HOUR);
    });
  });

  describe('nothing half-done', () => {
    it('removes the new account when its session cannot be stored, so the retry registers it afresh', async () => {
      store.down = true;
      const email = 'retry@example.com';

      const err = await rejectionOf(signUp({ email }));

      expect((err as ServiceUnavailableError).code).to.equal('SERVICE_UNAVAILABLE');
      expect(await auth.users.findByEmail(email as Email), 'no orphan account').to.equal(null);
      store.down = false;
      const { tokens } = await signUp({ email });
      if (!tokens) throw new Error('EMAIL_VERIFICATION=optional signs the new account in');
      expect(tokens.user.email).to.equal(email);
      expect(await auth.authenticate(tokens.accessToken)).to.deep.equal({ userId: tokens.user.id, sessionId: tokens.sessionId });
    });

    it('removes the new account when its address cannot be remembered (the rate-limit store failed)', async () => {
      auth.throttle.recordSignUp = () => Promise.reject(new ServiceUnavailableError('rate-limit store'));
      const email = 'remember@example.com';

      await expectCode(signUp({ email }), 'SERVICE_UNAVAILABLE');

      expect(await auth.users.findByEmail(email as Email)).to.equal(null);
    });
  });

  it('counts the registration as a sign-in from its address: the account lockout does not bind it there', async () => {
    const email = 'owner@example.com';
    await signUp({ email });
    for (let i = 0; i < 3; i++) await expectCode(auth.login.execute({ email, password: 'not the password', clientIp: `198.51.100.${i + 1}` }), 'INVALID_CREDENTIALS');
    await expectCode(auth.login.execute({ email, password: GOOD_PASSWORD, clientIp: '198.51.100.99' }), 'TOO_MANY_ATTEMPTS');

    expect((await auth.login.execute({ email, password: GOOD_PASSWORD, clientIp: IP })).userId).to.be.a('string');
  });

  it('forgets the failures an email met before it was registered', async () => {
    const email = 'later@example.com';
    for (let i = 0; i < 3; i++) await expectCode(auth.login.execute({ email, password: 'not the password', clientIp: `198.51.100.${i + 1}` }), 'INVALID_CREDENTIALS');

    await signUp({ email });

    expect((await auth.login.execute({ email, password: GOOD_PASSWORD, clientIp: '198.51.100.99' })).userId).to.be.a('string');
  });
});
