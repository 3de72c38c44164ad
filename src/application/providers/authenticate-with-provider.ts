import { cleanDisplayName } from '../../domain/display-name.js';
import { tryParseEmail } from '../../domain/email.js';
import { AccountDisabledError, AccountExistsError, EmailAlreadyRegisteredError, EmailNotVerifiedError, IdentityAlreadyLinkedError, InvalidStateError, UserNotFoundError } from '../../domain/errors.js';
import { GITHUB, identityOf, type ExternalProfile } from '../../domain/identity.js';
import type { Principal } from '../../domain/principal.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { IdGenerator } from '../../domain/ports/id-generator.js';
import type { IdentityRepository } from '../../domain/ports/identity-repository.js';
import type { LoginThrottle } from '../../domain/ports/login-throttle.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';

export interface ProviderSignInInput {
  readonly profile: ExternalProfile;
  /** Set when the flow was started by POST /auth/:provider/link from this user's session. */
  readonly linkToUserId?: string | null;
  /** Where the browser signs in from: an address the account then signed in from (docs/security.md, Throttling: per account). */
  readonly clientIp?: string | null;
}

/**
 * Decides what a sign-in with a provider (GitHub, Google, any OpenID Connect issuer) means, the
 * same for every one: a linked identity (provider, subject) signs its user in; a new identity
 * creates a user (with the provider's verified email, or none) unless that email already belongs
 * to an account, which is never taken over; a link flow attaches the identity to the signed-in
 * user unless another account holds it.
 */
export class AuthenticateWithProvider {
  constructor(
    private readonly users: UserRepository,
    private readonly identities: IdentityRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    /** Told of every successful sign-in, so its address is one the owner is never locked out of; null: not told. */
    private readonly logins: LoginThrottle | null = null,
    private readonly events: SecurityEvents | null = null,
    /** EMAIL_VERIFICATION=required: a sign-in (not a link) into an account whose address is not proven is EmailNotVerifiedError. */
    private readonly requireVerifiedEmail = false,
  ) {}

  /**
   * A provider sign-in is a successful sign-in from its address: the per-account bound then exempts
   * that address from a lockout, and the account's consecutive failures end, as after a password
   * success (an account without an email has no password to throttle).
   */
  async execute(input: ProviderSignInInput): Promise<Principal> {
    const principal = await this.decide(input);
    const user = await this.users.findById(principal.userId);
    if (this.logins && input.clientIp && user?.email) await this.logins.recordSuccess({ email: user.email, clientIp: input.clientIp });
    const seen = { userId: principal.userId, ip: input.clientIp ?? null, detail: { provider: input.profile.provider } };
    if (user?.disabled) {
      await this.events?.record({ type: 'login.failed', ...seen, detail: { ...seen.detail, reason: 'account_disabled' } });
      throw new AccountDisabledError();
    }
    if (this.requireVerifiedEmail && !input.linkToUserId && !user?.emailVerified) {
      await this.events?.record({ type: 'login.failed', ...seen, detail: { ...seen.detail, reason: 'email_not_verified' } });
      throw new EmailNotVerifiedError();
    }
    // GitHub keeps the event types it always had; every other provider has the generic ones.
    const github = input.profile.provider === GITHUB;
    const type = input.linkToUserId ? (github ? 'github.linked' : 'identity.linked') : github ? 'github.signed_in' : 'identity.signed_in';
    await this.events?.record({ type, ...seen });
    return principal;
  }

  private async decide(input: ProviderSignInInput): Promise<Principal> {
    const { profile } = input;
    const existing = await this.identities.find(profile.provider, profile.providerUserId);

    if (input.linkToUserId) {
      const user = await this.users.findById(input.linkToUserId);
      if (!user) throw new InvalidStateError('The account this link was started from no longer exists');
      if (existing && existing.userId !== user.id) throw new IdentityAlreadyLinkedError();
      if (!existing) {
        try {
          await this.identities.link(identityOf(profile, user.id, this.clock.now()));
        } catch (err) {
          if (err instanceof UserNotFoundError) throw new InvalidStateError('The account this link was started from no longer exists');
          throw err;
        }
      }
      return { userId: user.id };
    }

    if (existing) {
      if (existing.login !== profile.login) await this.identities.updateLogin(profile.provider, profile.providerUserId, profile.login);
      return { userId: existing.userId };
    }

    // The provider's values are cleaned, not refused: an address this service would refuse becomes none.
    const usableEmail = profile.verifiedEmail === null ? null : tryParseEmail(profile.verifiedEmail);
    // An account with no address could never prove one: under `required` it is not made at all.
    if (this.requireVerifiedEmail && usableEmail === null) throw new EmailNotVerifiedError();
    if (usableEmail && (await this.users.findByEmail(usableEmail))) throw new AccountExistsError();
    const now = this.clock.now();
    const userId = this.ids.newId();
    try {
      await this.identities.createUserWithIdentity(
        // The provider vouched for this address (verified): the account starts verified.
        {
          id: userId,
          email: usableEmail,
          name: cleanDisplayName(profile.name),
          passwordHash: null,
          emailVerified: usableEmail !== null,
          roles: [],
          disabled: false,
          lastSignInAt: now,
          createdAt: now,
        },
        identityOf({ ...profile, verifiedEmail: usableEmail }, userId, now),
      );
      return { userId };
    } catch (err) {
      if (err instanceof EmailAlreadyRegisteredError || err instanceof IdentityAlreadyLinkedError) {
        // A concurrent first sign-in of the same identity may have won the race: sign into its account.
        const winner = await this.identities.find(profile.provider, profile.providerUserId);
        if (winner) return { userId: winner.userId };
        if (err instanceof EmailAlreadyRegisteredError) throw new AccountExistsError();
      }
      throw err;
    }
  }
}
