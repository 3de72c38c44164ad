import { TooManyAttemptsError } from '../domain/errors.js';
import type { LoginThrottle } from '../domain/ports/login-throttle.js';
import type { RegistrationThrottle } from '../domain/ports/registration-throttle.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { IssueSession } from './issue-session.js';
import type { RegisterUser, RegisterUserInput } from './register-user.js';
import type { SessionTokens } from './session-token-minter.js';

export interface SignUpInput {
  /** Where the attempt comes from, for REGISTER_PER_IP_PER_HOUR and the owner's known addresses. */
  readonly clientIp: string;
  readonly userAgent?: string | null;
  /** Reads (and may refuse) the request; called once the attempt is counted, so a malformed one counts too. */
  readonly read: () => RegisterUserInput;
}

/**
 * POST /auth/register: an account and its first session, or nothing. Every attempt from an
 * address counts against REGISTER_PER_IP_PER_HOUR (successes, 409s and 400s alike) and past it
 * is refused before bcrypt runs. An account whose first session cannot be started (a store
 * outage) is removed again, so the client's retry registers it afresh rather than meeting 409.
 */
export class SignUp {
  constructor(
    private readonly registrations: RegistrationThrottle,
    private readonly registerUser: RegisterUser,
    private readonly issueSession: IssueSession,
    private readonly users: UserRepository,
    private readonly logins: LoginThrottle,
  ) {}

  async execute(input: SignUpInput): Promise<SessionTokens> {
    const wait = await this.registrations.admit(input.clientIp);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const user = await this.registerUser.execute(input.read());
    try {
      // A registration counts as a sign-in from this address (docs/security.md, Throttling: per account).
      if (user.email !== null) await this.logins.recordSignUp({ email: user.email, clientIp: input.clientIp });
      return await this.issueSession.execute({ userId: user.id, userAgent: input.userAgent ?? null });
    } catch (err) {
      // If the removal fails too (both stores down), the answer is still the first failure's.
      await this.users.delete(user.id).catch(() => undefined);
      throw err;
    }
  }
}
