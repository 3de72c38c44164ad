import { NO_MFA } from '../../src/domain/mfa.js';
import { expect } from 'chai';
import type { Email } from '../../src/domain/email.js';
import { EmailAlreadyRegisteredError, IdentityAlreadyLinkedError } from '../../src/domain/errors.js';
import type { LinkedIdentity } from '../../src/domain/identity.js';
import type { IdentityRepository } from '../../src/domain/ports/identity-repository.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import type { NewUser } from '../../src/domain/user.js';
import { anEmail, at, aUser, codeOf, rejectionOf, type Mutable } from './builders.js';

export interface IdentityRepositoryFixture {
  /** Both repositories over the same storage (one database, or one InMemoryAccounts). */
  readonly users: UserRepository;
  readonly identities: IdentityRepository;
  teardown(): Promise<void>;
}

let sequence = 0;
/** A GitHub identity with a unique numeric provider user id. */
const anIdentity = (userId: string, overrides: Partial<LinkedIdentity> = {}): LinkedIdentity => {
  const n = ++sequence;
  return {
    provider: 'github',
    providerUserId: String(9_000_000 + n),
    userId,
    login: `octo-${n}`,
    email: null,
    createdAt: at('2026-02-03T04:05:06.789Z'),
    ...overrides,
  };
};

/** A user as a GitHub sign-in creates one: no password. */
const aGithubUser = (overrides: Partial<NewUser> = {}): NewUser => aUser({ passwordHash: null, ...overrides });

/** What every IdentityRepository must do, together with the UserRepository over the same storage. */
export function identityRepositoryContract(name: string, setup: () => Promise<IdentityRepositoryFixture>): void {
  describe(`IdentityRepository contract: ${name}`, () => {
    let fixture: IdentityRepositoryFixture | undefined;
    let users: UserRepository;
    let identities: IdentityRepository;

    beforeEach(async () => {
      fixture = await setup();
      users = fixture.users;
      identities = fixture.identities;
    });

    afterEach(async () => {
      await fixture?.teardown();
      fixture = undefined;
    });

    const expectCode = async (promise: Promise<unknown>, code: string, type: abstract new (...args: never[]) => Error) => {
      const err = await rejectionOf(promise);
      expect(err).to.be.instanceOf(type);
      expect(codeOf(err)).to.equal(code);
    };

    describe('find and link', () => {
      it('answers null for an identity it does not hold', async () => {
        const user = await users.create(aUser());
        await identities.link(anIdentity(user.id, { providerUserId: '111' }));
        expect(await identities.find('github', '112')).to.equal(null);
        expect(await identities.find('github', '11')).to.equal(null);
      });

      it('forgets the identities of a deleted user, and the user’s login with them', async () => {
        const user = await users.create(aGithubUser());
        const identity = anIdentity(user.id);
        await identities.link(identity);
        const other = await users.create(aGithubUser());
        const kept = anIdentity(other.id);
        await identities.link(kept);

        await users.delete(user.id);

        expect(await identities.find('github', identity.providerUserId)).to.equal(null);
        expect(await identities.find('github', kept.providerUserId)).to.deep.equal(kept);
        // The provider id is free again: a new account may take it.
        const newcomer = await users.create(aGithubUser());
        await identities.link({ ...identity, userId: newcomer.id });
        expect((await users.findById(newcomer.id))?.githubLogin).to.equal(identity.login);
      });

      it('finds a linked identity as it was linked, to the millisecond', async () => {
        const user = await users.create(aUser());
        const identity = anIdentity(user.id);
        await identities.link(identity);
        expect(await identities.find('github', identity.providerUserId)).to.deep.equal(identity);
      });

      it('keeps a null login', async () => {
        const user = await users.create(aUser());
        const identity = anIdentity(user.id, { login: null });
        await identities.link(identity);
        expect((await identities.find('github', identity.providerUserId))?.login).to.equal(null);
        expect((await users.findById(user.id))?.githubLogin).to.equal(null);
      });

      it('returns copies: changing a found identity leaves the stored one as it was', async () => {
        const user = await users.create(aUser());
        const identity = anIdentity(user.id);
        await identities.link(identity);
        const found = (await identities.find('github', identity.providerUserId)) as Mutable<LinkedIdentity>;
        found.userId = 'someone-else';
        found.login = 'changed';
        found.createdAt.setTime(0);
        expect(await identities.find('github', identity.providerUserId)).to.deep.equal(identity);
      });

      it('refuses an identity already linked to another user with ALREADY_LINKED, keeping the first link', async () => {
        const first = await users.create(aUser());
        const second = await users.create(aUser());
        const identity = anIdentity(first.id);
        await identities.link(identity);
        await expectCode(identities.link({ ...identity, userId: second.id, login: 'intruder' }), 'ALREADY_LINKED', IdentityAlreadyLinkedError);
        expect(await identities.find('github', identity.providerUserId)).to.deep.equal(identity);
        expect((await users.findById(second.id))?.githubLogin).to.equal(null);
      });

      it('refuses the same identity linked twice to the same user with ALREADY_LINKED', async () => {
        const user = await users.create(aUser());
        const identity = anIdentity(user.id);
        await identities.link(identity);
        await expectCode(identities.link(identity), 'ALREADY_LINKED', IdentityAlreadyLinkedError);
      });

      it('refuses a second GitHub identity for the same user with ALREADY_LINKED, keeping the first', async () => {
        const user = await users.create(aUser());
        const first = anIdentity(user.id);
        await identities.link(first);
        const second = anIdentity(user.id);
        await expectCode(identities.link(second), 'ALREADY_LINKED', IdentityAlreadyLinkedError);
        expect(await identities.find('github', second.providerUserId)).to.equal(null);
        expect((await users.findById(user.id))?.githubLogin).to.equal(first.login);
      });

      it('links one GitHub identity to each of two users', async () => {
        const a = await users.create(aUser());
        const b = await users.create(aUser());
        const ia = anIdentity(a.id);
        const ib = anIdentity(b.id);
        await identities.link(ia);
        await identities.link(ib);
        expect((await identities.find('github', ia.providerUserId))?.userId).to.equal(a.id);
        expect((await identities.find('github', ib.providerUserId))?.userId).to.equal(b.id);
      });

      it('refuses to link an identity to a user it does not hold', async () => {
        const identity = anIdentity('00000000-0000-4000-8000-000000000000');
        await rejectionOf(identities.link(identity));
        expect(await identities.find('github', identity.providerUserId)).to.equal(null);
      });
    });

    describe('createUserWithIdentity', () => {
      it('creates the user and links the identity; the user it returns carries the GitHub login', async () => {
        const input = aGithubUser();
        const identity = anIdentity(input.id);
        const created = await identities.createUserWithIdentity(input, identity);
        expect(created).to.deep.equal({ ...input, githubLogin: identity.login, mfa: NO_MFA });
        expect(await users.findById(input.id)).to.deep.equal(created);
        expect(await identities.find('github', identity.providerUserId)).to.deep.equal(identity);
      });

      it('creates users without email side by side (no email is not an email)', async () => {
        const a = aGithubUser({ email: null });
        const b = aGithubUser({ email: null });
        await identities.createUserWithIdentity(a, anIdentity(a.id));
        await identities.createUserWithIdentity(b, anIdentity(b.id));
        expect((await users.findById(a.id))?.email).to.equal(null);
        expect((await users.findById(b.id))?.email).to.equal(null);
      });

      it('refuses an email already registered with EMAIL_ALREADY_REGISTERED and leaves neither user nor identity', async () => {
        const owner = await users.create(aUser());
        const input = aGithubUser({ email: owner.email });
        const identity = anIdentity(input.id);
        await expectCode(identities.createUserWithIdentity(input, identity), 'EMAIL_ALREADY_REGISTERED', EmailAlreadyRegisteredError);
        expect(await identities.find('github', identity.providerUserId), 'no identity left').to.equal(null);
        expect(await users.findById(input.id), 'no user left').to.equal(null);
        expect((await users.findByEmail(owner.email as Email))?.id).to.equal(owner.id);
        expect((await users.findById(owner.id))?.githubLogin).to.equal(null);
      });

      it('refuses an identity already linked with ALREADY_LINKED and leaves no user', async () => {
        const holder = await users.create(aUser());
        const identity = anIdentity(holder.id);
        await identities.link(identity);
        const input = aGithubUser();
        await expectCode(identities.createUserWithIdentity(input, { ...identity, userId: input.id }), 'ALREADY_LINKED', IdentityAlreadyLinkedError);
        expect(await users.findById(input.id), 'no user left').to.equal(null);
        expect(await users.findByEmail(input.email as Email), 'its email is still free').to.equal(null);
        expect(await identities.find('github', identity.providerUserId)).to.deep.equal(identity);
        // The email was not taken by the failed attempt: it can be registered now.
        expect((await users.create(aUser({ email: input.email }))).email).to.equal(input.email);
      });

      it('lets exactly one of two concurrent creations of the same identity win, and leaves no user behind the loser', async () => {
        const a = aGithubUser({ email: null });
        const b = aGithubUser({ email: null });
        const identity = anIdentity(a.id);
        const results = await Promise.allSettled([
          identities.createUserWithIdentity(a, identity),
          identities.createUserWithIdentity(b, { ...identity, userId: b.id }),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won, 'one winner').to.have.length(1);
        expect(lost, 'one loser').to.have.length(1);
        expect(codeOf(lost[0]?.reason)).to.equal('ALREADY_LINKED');
        const holder = (await identities.find('github', identity.providerUserId))?.userId;
        const loser = holder === a.id ? b : a;
        expect([a.id, b.id]).to.include(holder);
        expect(await users.findById(loser.id), 'the loser\'s user is not left behind').to.equal(null);
      });

      it('lets exactly one of two concurrent creations with the same email and identity win, and leaves nothing behind the loser', async () => {
        const email = anEmail('race');
        const a = aGithubUser({ email });
        const b = aGithubUser({ email });
        const identity = anIdentity(a.id);
        const results = await Promise.allSettled([
          identities.createUserWithIdentity(a, identity),
          identities.createUserWithIdentity(b, { ...identity, userId: b.id }),
        ]);
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(lost, 'one loser').to.have.length(1);
        expect(['ALREADY_LINKED', 'EMAIL_ALREADY_REGISTERED']).to.include(codeOf(lost[0]?.reason));
        const holder = (await identities.find('github', identity.providerUserId))?.userId;
        expect((await users.findByEmail(email))?.id, 'the email belongs to the identity\'s holder').to.equal(holder);
        const loser = holder === a.id ? b : a;
        expect(await users.findById(loser.id)).to.equal(null);
      });
    });

    describe('any provider: listByUser, unlink, and what an identity keeps', () => {
      /** An OpenID Connect subject: up to 255 characters, any of them a provider may use. */
      const LONG_SUB = `${'s'.repeat(200)}-${'0123456789'.repeat(5)}|auth0`;

      it('keeps an identity of a provider with a 32-character name, a 255-character subject and its email', async () => {
        const user = await users.create(aUser());
        const identity = anIdentity(user.id, { provider: 'p'.repeat(32), providerUserId: LONG_SUB.slice(0, 255), email: 'ada@idp.example', login: 'ada' });
        await identities.link(identity);
        expect(await identities.find('p'.repeat(32), identity.providerUserId)).to.deep.equal(identity);
        expect((await users.findById(user.id))?.githubLogin, 'only GitHub names githubLogin').to.equal(null);
      });

      it('lists a user’s identities oldest first, and nobody else’s', async () => {
        const user = await users.create(aUser());
        const other = await users.create(aUser());
        const google = anIdentity(user.id, { provider: 'google', createdAt: at('2026-03-01T00:00:00.000Z') });
        const github = anIdentity(user.id, { provider: 'github', createdAt: at('2026-02-01T00:00:00.000Z') });
        await identities.link(google);
        await identities.link(github);
        await identities.link(anIdentity(other.id, { provider: 'google' }));
        expect(await identities.listByUser(user.id)).to.deep.equal([github, google]);
        expect(await identities.listByUser('nobody')).to.deep.equal([]);
      });

      it('unlinks the user’s identity at one provider only: true once, then false; the subject may be linked again', async () => {
        const user = await users.create(aGithubUser());
        const github = anIdentity(user.id);
        const acme = anIdentity(user.id, { provider: 'acme' });
        await identities.link(github);
        await identities.link(acme);
        expect(await identities.unlink(user.id, 'github')).to.equal(true);
        expect(await identities.unlink(user.id, 'github')).to.equal(false);
        expect(await identities.find('github', github.providerUserId)).to.equal(null);
        expect(await identities.listByUser(user.id)).to.deep.equal([acme]);
        expect((await users.findById(user.id))?.githubLogin).to.equal(null);
        await identities.link(github);
        expect((await users.findById(user.id))?.githubLogin).to.equal(github.login);
      });

      it('unlinks nothing of another user', async () => {
        const user = await users.create(aUser());
        const other = await users.create(aUser());
        await identities.link(anIdentity(other.id, { provider: 'google' }));
        expect(await identities.unlink(user.id, 'google')).to.equal(false);
        expect(await identities.listByUser(other.id)).to.have.length(1);
      });
    });

    describe('updateLogin', () => {
      it('records the new login, seen by find and by the user', async () => {
        const input = aGithubUser();
        const identity = anIdentity(input.id);
        await identities.createUserWithIdentity(input, identity);
        await identities.updateLogin('github', identity.providerUserId, 'renamed-octocat');
        expect(await identities.find('github', identity.providerUserId)).to.deep.equal({ ...identity, login: 'renamed-octocat' });
        expect((await users.findById(input.id))?.githubLogin).to.equal('renamed-octocat');
        expect((await users.findByEmail(input.email as Email))?.githubLogin).to.equal('renamed-octocat');
      });

      it('records a login that is gone as null', async () => {
        const input = aGithubUser();
        const identity = anIdentity(input.id);
        await identities.createUserWithIdentity(input, identity);
        await identities.updateLogin('github', identity.providerUserId, null);
        expect((await identities.find('github', identity.providerUserId))?.login).to.equal(null);
        expect((await users.findById(input.id))?.githubLogin).to.equal(null);
      });

      it('changes only that identity, and nothing for an identity it does not hold', async () => {
        const a = aGithubUser();
        const b = aGithubUser();
        const ia = anIdentity(a.id);
        const ib = anIdentity(b.id);
        await identities.createUserWithIdentity(a, ia);
        await identities.createUserWithIdentity(b, ib);
        await identities.updateLogin('github', ia.providerUserId, 'only-a');
        await identities.updateLogin('github', '424242424242', 'nobody');
        expect((await identities.find('github', ib.providerUserId))?.login).to.equal(ib.login);
        expect(await identities.find('github', '424242424242')).to.equal(null);
      });
    });

    describe('UserRepository reads the GitHub login of the linked identity', () => {
      it('shows githubLogin by id and by email once an existing user is linked, and null before', async () => {
        const user = await users.create(aUser());
        expect((await users.findById(user.id))?.githubLogin).to.equal(null);
        const identity = anIdentity(user.id);
        await identities.link(identity);
        const byId = await users.findById(user.id);
        const byEmail = await users.findByEmail(user.email as Email);
        expect(byId).to.deep.equal({ ...user, githubLogin: identity.login });
        expect(byEmail).to.deep.equal(byId);
      });

      it('shows each user their own login only', async () => {
        const a = aGithubUser();
        const b = aGithubUser();
        const plain = await users.create(aUser());
        const ia = anIdentity(a.id);
        const ib = anIdentity(b.id);
        await identities.createUserWithIdentity(a, ia);
        await identities.createUserWithIdentity(b, ib);
        expect((await users.findById(a.id))?.githubLogin).to.equal(ia.login);
        expect((await users.findById(b.id))?.githubLogin).to.equal(ib.login);
        expect((await users.findById(plain.id))?.githubLogin).to.equal(null);
      });

      it('keeps password changes and the GitHub login apart', async () => {
        const user = await users.create(aUser());
        const identity = anIdentity(user.id);
        await identities.link(identity);
        await users.updatePasswordHash(user.id, '$2b$04$anotherhashanotherhashanotherhashanotherhashanotherhas');
        const found = await users.findById(user.id);
        expect(found?.githubLogin).to.equal(identity.login);
        expect(found?.passwordHash).to.equal('$2b$04$anotherhashanotherhashanotherhashanotherhashanotherhas');
      });
    });
  });
}
