import { expect } from 'chai';
import { InMemoryAccounts } from '../../../src/adapters/persistence/memory/in-memory-accounts.js';
import { InMemoryIdentityRepository } from '../../../src/adapters/persistence/memory/in-memory-identity-repository.js';
import { InMemoryUserRepository } from '../../../src/adapters/persistence/memory/in-memory-user-repository.js';
import { AuthenticateWithProvider } from '../../../src/application/providers/authenticate-with-provider.js';
import type { DisplayName } from '../../../src/domain/display-name.js';
import type { Email } from '../../../src/domain/email.js';
import { EmailAlreadyRegisteredError, IdentityAlreadyLinkedError, ServiceUnavailableError } from '../../../src/domain/errors.js';
import type { ExternalProfile, IdentityProvider, LinkedIdentity } from '../../../src/domain/identity.js';
import type { IdGenerator } from '../../../src/domain/ports/id-generator.js';
import type { IdentityRepository } from '../../../src/domain/ports/identity-repository.js';
import type { NewUser, User } from '../../../src/domain/user.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { expectCode, rejectionOf } from './harness.js';

class SequentialIds implements IdGenerator {
  private n = 0;
  newId(): string {
    return `user-${++this.n}`;
  }
}

/** An IdentityRepository that delegates, so a test can watch or reshape single calls. */
class InterceptedIdentities implements IdentityRepository {
  readonly calls: string[] = [];
  beforeCreate: (() => Promise<void>) | null = null;
  createFailure: (() => Error) | null = null;

  constructor(private readonly inner: IdentityRepository) {}

  find(provider: IdentityProvider, providerUserId: string) {
    this.calls.push('find');
    return this.inner.find(provider, providerUserId);
  }

  link(identity: LinkedIdentity) {
    this.calls.push('link');
    return this.inner.link(identity);
  }

  listByUser(userId: string) {
    return this.inner.listByUser(userId);
  }

  unlink(userId: string, provider: IdentityProvider) {
    return this.inner.unlink(userId, provider);
  }

  async createUserWithIdentity(user: NewUser, identity: LinkedIdentity): Promise<User> {
    this.calls.push('createUserWithIdentity');
    if (this.beforeCreate) await this.beforeCreate();
    if (this.createFailure) throw this.createFailure();
    return this.inner.createUserWithIdentity(user, identity);
  }

  updateLogin(provider: IdentityProvider, providerUserId: string, login: string | null) {
    this.calls.push('updateLogin');
    return this.inner.updateLogin(provider, providerUserId, login);
  }
}

const NOW = '2026-03-04T05:06:07.089Z';

function harness() {
  const accounts = new InMemoryAccounts();
  const users = new InMemoryUserRepository(accounts);
  const identities = new InterceptedIdentities(new InMemoryIdentityRepository(accounts));
  const clock = new FixedClock(NOW);
  const useCase = new AuthenticateWithProvider(users, identities, new SequentialIds(), clock);
  const aPasswordUser = async (email: string, id = `pw-${email}`): Promise<User> =>
    users.create({ id, email: email as Email, name: 'Password Person' as DisplayName, passwordHash: '$2b$04$hash', emailVerified: false, roles: [], disabled: false, lastSignInAt: new Date(NOW), createdAt: new Date(NOW) });
  return { accounts, users, identities, clock, useCase, aPasswordUser };
}

let sequence = 0;
const aProfile = (overrides: Partial<ExternalProfile> = {}): ExternalProfile => {
  const n = ++sequence;
  return {
    provider: 'github',
    providerUserId: String(5_000_000 + n),
    login: `octo-${n}`,
    name: 'Mona Octocat',
    verifiedEmail: `octo-${n}@users.example.com`,
    ...overrides,
  };
};

describe('AuthenticateWithProvider (GitHub)', () => {
  let h: ReturnType<typeof harness>;
  beforeEach(() => {
    h = harness();
  });

  describe('a new identity (sign-in)', () => {
    it('creates a user with the verified email (counted verified), the name, no password, and links the identity', async () => {
      const profile = aProfile({ name: 'Mona Lisa' });
      const principal = await h.useCase.execute({ profile });
      expect(principal).to.deep.equal({ userId: 'user-1' });
      expect(await h.users.findById('user-1')).to.deep.equal({
        id: 'user-1',
        email: profile.verifiedEmail,
        emailVerified: true,
        name: 'Mona Lisa',
        passwordHash: null,
        githubLogin: profile.login,
        mfa: { totp: false, passkeys: 0 },
        roles: [],
        disabled: false,
        lastSignInAt: new Date(NOW),
        createdAt: new Date(NOW),
      });
      expect(await h.identities.find('github', profile.providerUserId)).to.deep.equal({
        provider: 'github',
        providerUserId: profile.providerUserId,
        userId: 'user-1',
        login: profile.login,
        email: profile.verifiedEmail,
        createdAt: new Date(NOW),
      });
    });

    it('stores the verified email trimmed and lower-cased', async () => {
      const { userId } = await h.useCase.execute({ profile: aProfile({ verifiedEmail: '  Mona.Case@Example.COM ' }) });
      expect((await h.users.findById(userId))?.email).to.equal('mona.case@example.com');
    });

    it('creates a user without email when GitHub gave no verified email', async () => {
      const { userId } = await h.useCase.execute({ profile: aProfile({ verifiedEmail: null }) });
      expect(await h.users.findById(userId)).to.include({ email: null, emailVerified: false });
    });

    it('creates a user without email when the verified email is not a usable address (malformed or over 254 characters)', async () => {
      for (const verifiedEmail of ['not-an-email', 'two@@example.com', `${'a'.repeat(250)}@example.com`]) {
        const { userId } = await h.useCase.execute({ profile: aProfile({ verifiedEmail }) });
        expect((await h.users.findById(userId))?.email, verifiedEmail).to.equal(null);
      }
    });

    it('keeps a null name null and cuts a long name to 100 code points (never inside a surrogate pair)', async () => {
      const unnamed = await h.useCase.execute({ profile: aProfile({ name: null }) });
      expect((await h.users.findById(unnamed.userId))?.name).to.equal(null);

      const long = await h.useCase.execute({ profile: aProfile({ name: '😀'.repeat(150) }) });
      const name = (await h.users.findById(long.userId))?.name as string;
      expect([...name]).to.have.length(100);
      expect(name).to.equal('😀'.repeat(100));
    });

    it('stores the verified email in its canonical form: NFC, lower-cased, IDNA ASCII domain', async () => {
      const { userId } = await h.useCase.execute({ profile: aProfile({ verifiedEmail: 'JOSE\u0301@B\u00dcCHER.de' }) });
      expect((await h.users.findById(userId))?.email).to.equal('jos\u00e9@xn--bcher-kva.de');
    });

    it('creates a user without email when the verified email carries a control or invisible character', async () => {
      for (const verifiedEmail of ['mona\u200b@example.com', '\ufeffmona@example.com', 'mona@example.com\u0000', 'mo\u202ena@example.com']) {
        const { userId } = await h.useCase.execute({ profile: aProfile({ verifiedEmail }) });
        expect((await h.users.findById(userId))?.email, JSON.stringify(verifiedEmail)).to.equal(null);
      }
    });

    it('cleans the name GitHub sends rather than refusing it: control and format characters removed, then cut to 100', async () => {
      const forged = await h.useCase.execute({ profile: aProfile({ name: 'Mona\r\n{"level":50}\u001b[31m\u202eOcto\u200bcat' }) });
      expect((await h.users.findById(forged.userId))?.name).to.equal('Mona{"level":50}[31mOctocat');

      const padded = await h.useCase.execute({ profile: aProfile({ name: `${'\u200b'.repeat(30)}${'n'.repeat(130)}` }) });
      expect((await h.users.findById(padded.userId))?.name).to.equal('n'.repeat(100));

      const invisible = await h.useCase.execute({ profile: aProfile({ name: '\u200b\u0000' }) });
      expect((await h.users.findById(invisible.userId))?.name).to.equal(null);
    });

    it('refuses with ACCOUNT_EXISTS when the verified email names an account in another form (NFD, punycode)', async () => {
      await h.aPasswordUser('jos\u00e9@xn--bcher-kva.de');
      for (const verifiedEmail of ['jose\u0301@b\u00fccher.de', 'JOS\u00c9@XN--BCHER-KVA.DE']) {
        await expectCode(h.useCase.execute({ profile: aProfile({ verifiedEmail }) }), 'ACCOUNT_EXISTS');
      }
      expect(h.accounts.users.size).to.equal(1);
    });

    it('refuses with ACCOUNT_EXISTS when the verified email belongs to an account, creating nothing', async () => {
      const owner = await h.aPasswordUser('owner@example.com');
      const profile = aProfile({ verifiedEmail: 'Owner@Example.com' });
      await expectCode(h.useCase.execute({ profile }), 'ACCOUNT_EXISTS');
      expect(await h.identities.find('github', profile.providerUserId)).to.equal(null);
      expect(h.accounts.users.size).to.equal(1);
      expect(await h.users.findById(owner.id)).to.deep.equal(owner);
    });

    it('refuses with ACCOUNT_EXISTS when the email is registered between the check and the creation', async () => {
      const profile = aProfile();
      h.identities.beforeCreate = async () => {
        await h.aPasswordUser(profile.verifiedEmail as string);
      };
      await expectCode(h.useCase.execute({ profile }), 'ACCOUNT_EXISTS');
      expect(await h.identities.find('github', profile.providerUserId)).to.equal(null);
    });

    it('ends two concurrent first sign-ins of one identity in the same user', async () => {
      const profile = aProfile();
      const [a, b] = await Promise.all([h.useCase.execute({ profile }), h.useCase.execute({ profile })]);
      expect(a.userId).to.equal(b.userId);
      expect(h.accounts.users.size).to.equal(1);
      expect((await h.identities.find('github', profile.providerUserId))?.userId).to.equal(a.userId);
    });

    it('ends two concurrent first sign-ins of one identity without email in the same user', async () => {
      const profile = aProfile({ verifiedEmail: null });
      const [a, b] = await Promise.all([h.useCase.execute({ profile }), h.useCase.execute({ profile })]);
      expect(a.userId).to.equal(b.userId);
      expect(h.accounts.users.size).to.equal(1);
    });

    it('signs the loser of a race into the winner when its creation reports the email taken (as an SQL database does: the user row goes first)', async () => {
      const profile = aProfile();
      h.identities.beforeCreate = async () => {
        // The winner finished between this sign-in's checks and its creation.
        h.identities.beforeCreate = null;
        await new AuthenticateWithProvider(h.users, new InMemoryIdentityRepository(h.accounts), new SequentialIds(), h.clock).execute({ profile });
        h.identities.createFailure = () => new EmailAlreadyRegisteredError();
      };
      const principal = await h.useCase.execute({ profile });
      const holder = await h.identities.find('github', profile.providerUserId);
      expect(principal.userId).to.equal(holder?.userId);
    });

    it('signs the loser of a race into the winner when its creation reports the identity taken', async () => {
      const profile = aProfile();
      h.identities.beforeCreate = async () => {
        h.identities.beforeCreate = null;
        await new AuthenticateWithProvider(h.users, new InMemoryIdentityRepository(h.accounts), new SequentialIds(), h.clock).execute({ profile });
        h.identities.createFailure = () => new IdentityAlreadyLinkedError();
      };
      const principal = await h.useCase.execute({ profile });
      expect(principal.userId).to.equal((await h.identities.find('github', profile.providerUserId))?.userId);
    });

    it('passes ALREADY_LINKED on when the identity is reported taken but no holder can be found', async () => {
      h.identities.createFailure = () => new IdentityAlreadyLinkedError();
      await expectCode(h.useCase.execute({ profile: aProfile() }), 'ALREADY_LINKED');
    });

    it('passes a storage outage on as it is', async () => {
      const outage = new ServiceUnavailableError('database');
      h.identities.createFailure = () => outage;
      expect(await rejectionOf(h.useCase.execute({ profile: aProfile() }))).to.equal(outage);
    });
  });

  describe('an identity already linked (sign-in)', () => {
    it('signs its user in without creating anything or touching the login when it is unchanged', async () => {
      const profile = aProfile();
      const first = await h.useCase.execute({ profile });
      h.identities.calls.length = 0;
      const again = await h.useCase.execute({ profile });
      expect(again).to.deep.equal(first);
      expect(h.accounts.users.size).to.equal(1);
      expect(h.identities.calls).to.deep.equal(['find']);
    });

    it('is matched by the provider user id: a changed login is recorded, a changed email is ignored', async () => {
      const profile = aProfile();
      const first = await h.useCase.execute({ profile });
      const again = await h.useCase.execute({ profile: { ...profile, login: 'renamed', verifiedEmail: 'new.address@example.com' } });
      expect(again.userId).to.equal(first.userId);
      const user = await h.users.findById(first.userId);
      expect(user?.githubLogin).to.equal('renamed');
      expect(user?.email).to.equal(profile.verifiedEmail);
      expect(h.accounts.users.size).to.equal(1);
    });

    it('signs its user in even when GitHub\'s email now belongs to another account', async () => {
      const profile = aProfile();
      const first = await h.useCase.execute({ profile });
      await h.aPasswordUser('someone.else@example.com');
      const again = await h.useCase.execute({ profile: { ...profile, verifiedEmail: 'someone.else@example.com' } });
      expect(again.userId).to.equal(first.userId);
    });

    it('records a login that GitHub no longer reports as null', async () => {
      const profile = aProfile();
      const { userId } = await h.useCase.execute({ profile });
      await h.useCase.execute({ profile: { ...profile, login: null } });
      expect((await h.users.findById(userId))?.githubLogin).to.equal(null);
    });

    it('never matches by login: another provider user id with the same login is a new user', async () => {
      const original = aProfile();
      const first = await h.useCase.execute({ profile: original });
      const other = await h.useCase.execute({ profile: aProfile({ login: original.login }) });
      expect(other.userId).to.not.equal(first.userId);
    });
  });

  describe('a link flow (linkToUserId)', () => {
    it('links a new identity to the user and signs that user in, keeping the account\'s email', async () => {
      const owner = await h.aPasswordUser('linker@example.com');
      const profile = aProfile();
      h.clock.advance(60);
      const principal = await h.useCase.execute({ profile, linkToUserId: owner.id });
      expect(principal).to.deep.equal({ userId: owner.id });
      const user = await h.users.findById(owner.id);
      expect(user?.githubLogin).to.equal(profile.login);
      expect(user?.email).to.equal('linker@example.com');
      expect((await h.identities.find('github', profile.providerUserId))?.createdAt).to.deep.equal(h.clock.now());
      expect(h.accounts.users.size).to.equal(1);
    });

    it('links even when GitHub\'s verified email belongs to the linking account (the account_exists remedy)', async () => {
      const owner = await h.aPasswordUser('same.person@example.com');
      const profile = aProfile({ verifiedEmail: 'same.person@example.com' });
      await expectCode(h.useCase.execute({ profile }), 'ACCOUNT_EXISTS');
      expect(await h.useCase.execute({ profile, linkToUserId: owner.id })).to.deep.equal({ userId: owner.id });
      expect(await h.useCase.execute({ profile })).to.deep.equal({ userId: owner.id });
    });

    it('links even when GitHub\'s verified email belongs to a third account', async () => {
      const owner = await h.aPasswordUser('owner.link@example.com');
      await h.aPasswordUser('third@example.com');
      const profile = aProfile({ verifiedEmail: 'third@example.com' });
      expect(await h.useCase.execute({ profile, linkToUserId: owner.id })).to.deep.equal({ userId: owner.id });
    });

    it('succeeds without a change when the identity is already linked to that user', async () => {
      const owner = await h.aPasswordUser('relink@example.com');
      const profile = aProfile();
      await h.useCase.execute({ profile, linkToUserId: owner.id });
      h.identities.calls.length = 0;
      expect(await h.useCase.execute({ profile, linkToUserId: owner.id })).to.deep.equal({ userId: owner.id });
      expect(h.identities.calls).to.not.include('link');
    });

    it('refuses with ALREADY_LINKED when another account holds the identity, which keeps it', async () => {
      const profile = aProfile();
      const holder = await h.useCase.execute({ profile });
      const other = await h.aPasswordUser('other.linker@example.com');
      await expectCode(h.useCase.execute({ profile, linkToUserId: other.id }), 'ALREADY_LINKED');
      expect((await h.identities.find('github', profile.providerUserId))?.userId).to.equal(holder.userId);
      expect((await h.users.findById(other.id))?.githubLogin).to.equal(null);
    });

    it('refuses with ALREADY_LINKED when the user already has another GitHub identity', async () => {
      const owner = await h.aPasswordUser('two.identities@example.com');
      const first = aProfile();
      await h.useCase.execute({ profile: first, linkToUserId: owner.id });
      const second = aProfile();
      await expectCode(h.useCase.execute({ profile: second, linkToUserId: owner.id }), 'ALREADY_LINKED');
      expect(await h.identities.find('github', second.providerUserId)).to.equal(null);
      expect((await h.users.findById(owner.id))?.githubLogin).to.equal(first.login);
    });

    it('refuses with INVALID_STATE when the user the flow started from is gone, linking and creating nothing', async () => {
      const profile = aProfile();
      await expectCode(h.useCase.execute({ profile, linkToUserId: 'no-such-user' }), 'INVALID_STATE');
      expect(await h.identities.find('github', profile.providerUserId)).to.equal(null);
      expect(h.accounts.users.size).to.equal(0);
    });

    it('is a plain sign-in when linkToUserId is null', async () => {
      const profile = aProfile();
      const { userId } = await h.useCase.execute({ profile, linkToUserId: null });
      expect(userId).to.equal('user-1');
      expect((await h.users.findById(userId))?.githubLogin).to.equal(profile.login);
    });
  });
});

describe('AuthenticateWithGithub under EMAIL_VERIFICATION=required', () => {
  const required = () => {
    const h = harness();
    return { ...h, useCase: new AuthenticateWithProvider(h.users, h.identities, new SequentialIds(), h.clock, null, null, true) };
  };

  it("signs a new identity in with GitHub's verified email: the account it makes is verified", async () => {
    const h = required();
    const { userId } = await h.useCase.execute({ profile: aProfile() });
    expect((await h.users.findById(userId))?.emailVerified).to.equal(true);
  });

  it('makes no account for an identity without a usable verified email: EMAIL_NOT_VERIFIED', async () => {
    const h = required();
    await expectCode(h.useCase.execute({ profile: aProfile({ verifiedEmail: null }) }), 'EMAIL_NOT_VERIFIED');
    expect(h.identities.calls).to.not.include('createUserWithIdentity');
  });

  it('refuses a sign-in into a linked account whose address is not verified, and lets the owner link from a session', async () => {
    const h = required();
    const owner = await h.aPasswordUser('owner@example.com');
    const profile = aProfile();
    expect(await h.useCase.execute({ profile, linkToUserId: owner.id }), 'a link is not a sign-in').to.deep.equal({ userId: owner.id });
    await expectCode(h.useCase.execute({ profile }), 'EMAIL_NOT_VERIFIED');
    await h.users.markEmailVerified(owner.id, owner.email as Email);
    expect(await h.useCase.execute({ profile })).to.deep.equal({ userId: owner.id });
  });
});

describe('AuthenticateWithGithub and a disabled account', () => {
  it('refuses a sign-in into a disabled account (ACCOUNT_DISABLED), after which nothing is linked anew', async () => {
    const h = harness();
    const owner = await h.aPasswordUser('disabled@example.com');
    const profile = aProfile();
    await h.useCase.execute({ profile, linkToUserId: owner.id });
    await h.users.update(owner.id, { disabled: true });
    await expectCode(h.useCase.execute({ profile }), 'ACCOUNT_DISABLED');
  });
});
