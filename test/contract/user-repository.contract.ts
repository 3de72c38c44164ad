import { expect } from 'chai';
import type { DisplayName } from '../../src/domain/display-name.js';
import { parseEmail, type Email } from '../../src/domain/email.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import type { User } from '../../src/domain/user.js';
import { aUser, anEmail, at, codeOf, rejectionOf, type Mutable } from './builders.js';

export interface UserRepositoryFixture {
  readonly repo: UserRepository;
  teardown(): Promise<void>;
}

/** What every UserRepository must do, whatever stores it. */
export function userRepositoryContract(name: string, setup: () => Promise<UserRepositoryFixture>): void {
  describe(`UserRepository contract: ${name}`, () => {
    let fixture: UserRepositoryFixture | undefined;
    let repo: UserRepository;

    beforeEach(async () => {
      fixture = await setup();
      repo = fixture.repo;
    });

    afterEach(async () => {
      await fixture?.teardown();
      fixture = undefined;
    });

    const stored = async (id: string): Promise<User> => {
      const user = await repo.findById(id);
      if (!user) throw new Error(`user ${id} is not stored`);
      return user;
    };

    it('returns the user it created, with no GitHub login', async () => {
      const input = aUser();
      const created = await repo.create(input);
      expect(created).to.deep.equal({ ...input, githubLogin: null });
    });

    it('finds a created user by id and by email', async () => {
      const input = aUser();
      const created = await repo.create(input);
      expect(await repo.findById(input.id)).to.deep.equal(created);
      expect(await repo.findByEmail(input.email as Email)).to.deep.equal(created);
    });

    it('answers null for an id it does not hold', async () => {
      await repo.create(aUser());
      expect(await repo.findById('00000000-0000-4000-8000-000000000000')).to.equal(null);
    });

    it('answers null for an email it does not hold', async () => {
      await repo.create(aUser({ email: 'someone@example.com' as Email }));
      expect(await repo.findByEmail('nobody@example.com' as Email)).to.equal(null);
    });

    it('returns copies: changing a returned user leaves the stored one as it was', async () => {
      const input = aUser();
      const created = await repo.create(input);
      (created as Mutable<User>).name = 'changed by create caller' as DisplayName;
      const byId = await stored(input.id);
      (byId as Mutable<User>).passwordHash = 'changed by findById caller';
      const byEmail = await repo.findByEmail(input.email as Email);
      (byEmail as Mutable<User>).email = 'changed@example.com' as Email;

      expect(await repo.findById(input.id)).to.deep.equal({ ...input, githubLogin: null });
      expect(await repo.findByEmail('changed@example.com' as Email)).to.equal(null);
    });

    it('shares no Date with its callers: changing a given or returned createdAt leaves the stored one as it was', async () => {
      const createdAt = at('2026-01-02T03:04:05.678Z');
      const created = await repo.create(aUser({ createdAt }));
      createdAt.setTime(0);
      created.createdAt.setTime(1);
      (await stored(created.id)).createdAt.setTime(2);

      expect((await stored(created.id)).createdAt.toISOString()).to.equal('2026-01-02T03:04:05.678Z');
    });

    it('refuses an email already registered in another case (parseEmail makes both one address)', async () => {
      const first = await repo.create(aUser({ email: parseEmail('a@x.io') }));
      const second = aUser({ email: parseEmail('A@X.IO') });

      const err = await rejectionOf(repo.create(second));

      expect(codeOf(err)).to.equal('EMAIL_ALREADY_REGISTERED');
      expect(await repo.findById(second.id)).to.equal(null);
      expect(await repo.findByEmail('a@x.io' as Email)).to.deep.equal(first);
    });

    it('refuses the very same email twice', async () => {
      await repo.create(aUser({ email: 'same@x.io' as Email }));
      const err = await rejectionOf(repo.create(aUser({ email: 'same@x.io' as Email })));
      expect(codeOf(err)).to.equal('EMAIL_ALREADY_REGISTERED');
    });

    it('finds a user by email whatever the case of the query', async () => {
      const created = await repo.create(aUser({ email: parseEmail('mixed.case@x.io') }));
      expect(await repo.findByEmail(parseEmail('MIXED.Case@X.IO'))).to.deep.equal(created);
    });

    it('keeps one account per address in NFC and NFD, and with a Unicode or punycode domain', async () => {
      const created = await repo.create(aUser({ email: parseEmail('J\u00fcrgen@B\u00fccher.de') }));
      expect(created.email).to.equal('j\u00fcrgen@xn--bcher-kva.de');

      expect(await repo.findByEmail(parseEmail('ju\u0308rgen@xn--bcher-kva.de'))).to.deep.equal(created);
      const err = await rejectionOf(repo.create(aUser({ email: parseEmail('JU\u0308RGEN@bu\u0308cher.DE') })));
      expect(codeOf(err)).to.equal('EMAIL_ALREADY_REGISTERED');
    });

    // Case-insensitive means case only: josé and jose are two mailboxes, two accounts.
    it('keeps emails that differ by an accent apart', async () => {
      const jose = await repo.create(aUser({ email: 'josé@x.io' as Email }));
      expect(await repo.findByEmail('jose@x.io' as Email)).to.equal(null);

      const other = await repo.create(aUser({ email: 'jose@x.io' as Email }));

      expect(await repo.findByEmail('josé@x.io' as Email)).to.deep.equal(jose);
      expect(await repo.findByEmail('jose@x.io' as Email)).to.deep.equal(other);
    });

    it('stores any number of users without an email', async () => {
      const users = [aUser({ email: null }), aUser({ email: null }), aUser({ email: null })];
      for (const user of users) await repo.create(user);

      for (const user of users) {
        expect(await repo.findById(user.id)).to.deep.equal({ ...user, githubLogin: null });
      }
    });

    it('keeps createdAt to the millisecond', async () => {
      const created = await repo.create(aUser({ createdAt: at('2026-07-08T09:10:11.999Z') }));
      expect((await stored(created.id)).createdAt.toISOString()).to.equal('2026-07-08T09:10:11.999Z');
      const early = await repo.create(aUser({ createdAt: at('2026-07-08T09:10:12.001Z') }));
      expect((await stored(early.id)).createdAt.getTime()).to.equal(Date.parse('2026-07-08T09:10:12.001Z'));
    });

    it('keeps a name of 100 code points, astral characters and combining marks included', async () => {
      const name = [...'Zoë 😀 漢字 Ångström e\u0301 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 '.repeat(10)].slice(0, 100).join('');
      expect([...name]).to.have.length(100);

      const created = await repo.create(aUser({ name: name as DisplayName }));

      expect((await stored(created.id)).name).to.equal(name);
    });

    describe('delete', () => {
      it('removes the user: gone by id and by email, and the email may be registered again', async () => {
        const input = aUser();
        await repo.create(input);
        expect(await repo.findById(input.id), 'read before, so a cache holds it').to.not.equal(null);

        await repo.delete(input.id);

        expect(await repo.findById(input.id)).to.equal(null);
        expect(await repo.findByEmail(input.email as Email)).to.equal(null);
        const again = aUser({ email: input.email });
        expect(await repo.create(again)).to.deep.equal({ ...again, githubLogin: null });
      });

      it('removes nothing else', async () => {
        const gone = await repo.create(aUser());
        const kept = await repo.create(aUser());
        const withoutEmail = await repo.create(aUser({ email: null }));

        await repo.delete(gone.id);

        expect(await repo.findById(kept.id)).to.deep.equal(kept);
        expect(await repo.findByEmail(kept.email as Email)).to.deep.equal(kept);
        expect(await repo.findById(withoutEmail.id)).to.deep.equal(withoutEmail);
      });

      it('does nothing for an id it does not hold, and a second delete is harmless', async () => {
        const kept = await repo.create(aUser());
        const gone = await repo.create(aUser());

        await repo.delete('00000000-0000-4000-8000-000000000000');
        await repo.delete(gone.id);
        await repo.delete(gone.id);

        expect(await repo.findById(kept.id)).to.deep.equal(kept);
        expect(await repo.findById(gone.id)).to.equal(null);
      });
    });

    describe('email verification and change', () => {
      it('keeps emailVerified as created, true or false', async () => {
        const unverified = await repo.create(aUser());
        const verified = await repo.create(aUser({ emailVerified: true }));
        expect((await stored(unverified.id)).emailVerified).to.equal(false);
        expect((await stored(verified.id)).emailVerified).to.equal(true);
      });

      it('marks the address verified while it is still the one given, and only then', async () => {
        const user = await repo.create(aUser());
        expect(await repo.findById(user.id), 'read before, so a cache holds it').to.not.equal(null);

        expect(await repo.markEmailVerified(user.id, anEmail('since-changed'))).to.equal(false);
        expect((await stored(user.id)).emailVerified).to.equal(false);

        expect(await repo.markEmailVerified(user.id, user.email as Email)).to.equal(true);
        expect((await stored(user.id)).emailVerified).to.equal(true);
        expect(await repo.markEmailVerified(user.id, user.email as Email), 'already verified').to.equal(true);
        expect(await repo.markEmailVerified('00000000-0000-4000-8000-000000000000', user.email as Email)).to.equal(false);
      });

      it('moves an account to a new address, verified; the old one is free and the new one finds it', async () => {
        const user = await repo.create(aUser());
        const next = anEmail('moved');
        expect(await repo.findByEmail(user.email as Email), 'read before, so a cache holds it').to.not.equal(null);

        expect(await repo.changeEmail(user.id, next)).to.equal(true);

        expect(await stored(user.id)).to.include({ email: next, emailVerified: true });
        expect((await repo.findByEmail(next))?.id).to.equal(user.id);
        expect(await repo.findByEmail(user.email as Email)).to.equal(null);
        expect((await repo.create(aUser({ email: user.email }))).email).to.equal(user.email);
      });

      it('refuses an address another account holds, and changes nothing', async () => {
        const user = await repo.create(aUser());
        const other = await repo.create(aUser());

        const error = await rejectionOf(repo.changeEmail(user.id, other.email as Email));

        expect(codeOf(error)).to.equal('EMAIL_ALREADY_REGISTERED');
        expect(await stored(user.id)).to.deep.equal(user);
        expect((await repo.findByEmail(other.email as Email))?.id).to.equal(other.id);
      });

      it('answers false for an id it does not hold', async () => {
        expect(await repo.changeEmail('00000000-0000-4000-8000-000000000000', anEmail())).to.equal(false);
      });
    });

    it('keeps a null name and a null password hash as null', async () => {
      const created = await repo.create(aUser({ name: null, passwordHash: null }));
      const found = await stored(created.id);
      expect(found.passwordHash).to.equal(null);
      expect(found.name).to.equal(null);
    });
  });
}
