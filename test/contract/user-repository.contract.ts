import { NO_MFA } from '../../src/domain/mfa.js';
import { expect } from 'chai';
import type { DisplayName } from '../../src/domain/display-name.js';
import { parseEmail, type Email } from '../../src/domain/email.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import { ADMIN_ROLE, type Role } from '../../src/domain/role.js';
import type { NewUser, User } from '../../src/domain/user.js';
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
      expect(created).to.deep.equal({ ...input, githubLogin: null, mfa: NO_MFA });
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

      expect(await repo.findById(input.id)).to.deep.equal({ ...input, githubLogin: null, mfa: NO_MFA });
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
        expect(await repo.findById(user.id)).to.deep.equal({ ...user, githubLogin: null, mfa: NO_MFA });
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
        expect(await repo.create(again)).to.deep.equal({ ...again, githubLogin: null, mfa: NO_MFA });
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

    describe('roles, disabled and the last sign-in', () => {
      const roles = (...names: string[]): Role[] => names as Role[];

      it('stores the roles sorted and reads them back so', async () => {
        const created = await repo.create(aUser({ roles: roles('support', 'admin', 'billing') }));
        expect(created.roles).to.deep.equal(['admin', 'billing', 'support']);
        expect((await stored(created.id)).roles).to.deep.equal(['admin', 'billing', 'support']);
      });

      it('keeps no roles as an empty list, and disabled and lastSignInAt as created (null too, to the millisecond)', async () => {
        const plain = await repo.create(aUser({ lastSignInAt: at('2026-02-03T04:05:06.789Z') }));
        const disabled = await repo.create(aUser({ disabled: true, lastSignInAt: null }));
        expect(await stored(plain.id)).to.include({ disabled: false });
        expect((await stored(plain.id)).roles).to.deep.equal([]);
        expect((await stored(plain.id)).lastSignInAt?.toISOString()).to.equal('2026-02-03T04:05:06.789Z');
        expect(await stored(disabled.id)).to.include({ disabled: true, lastSignInAt: null });
      });

      it('shares no roles list or lastSignInAt Date with its callers', async () => {
        const input = aUser({ roles: roles('admin') });
        const created = await repo.create(input);
        (created.roles as Role[]).push('changed' as Role);
        created.lastSignInAt?.setTime(0);
        const read = await stored(created.id);
        (read.roles as Role[]).push('changed-too' as Role);
        read.lastSignInAt?.setTime(1);

        expect(await stored(created.id)).to.deep.equal({ ...input, githubLogin: null, mfa: NO_MFA });
      });
    });

    describe('update', () => {
      const roles = (...names: string[]): Role[] => names as Role[];
      /** A user read once before the change, so a cache holds it. */
      const cachedUser = async (overrides: Partial<NewUser> = {}): Promise<User> => {
        const user = await repo.create(aUser(overrides));
        expect(await repo.findById(user.id), 'read before, so a cache holds it').to.not.equal(null);
        return user;
      };

      it('changes the roles alone, stored sorted, and returns the updated user', async () => {
        const user = await cachedUser({ roles: roles('billing') });
        const updated = await repo.update(user.id, { roles: roles('support', 'admin') });
        expect(updated).to.deep.equal({ ...user, roles: ['admin', 'support'] });
        expect(await stored(user.id)).to.deep.equal(updated);
      });

      it('removes every role with an empty list', async () => {
        const user = await cachedUser({ roles: roles('admin', 'billing') });
        expect((await repo.update(user.id, { roles: [] }))?.roles).to.deep.equal([]);
        expect((await stored(user.id)).roles).to.deep.equal([]);
      });

      it('disables and enables an account', async () => {
        const user = await cachedUser();
        expect(await repo.update(user.id, { disabled: true })).to.deep.equal({ ...user, disabled: true });
        expect(await stored(user.id)).to.include({ disabled: true });
        expect(await repo.update(user.id, { disabled: false })).to.deep.equal(user);
      });

      it('changes the name, and clears it with null', async () => {
        const user = await cachedUser();
        expect(await repo.update(user.id, { name: 'Grace Hopper' as DisplayName })).to.deep.equal({ ...user, name: 'Grace Hopper' });
        expect(await repo.update(user.id, { name: null })).to.deep.equal({ ...user, name: null });
        expect((await stored(user.id)).name).to.equal(null);
      });

      it('marks the email verified and unverified', async () => {
        const user = await cachedUser();
        expect(await repo.update(user.id, { emailVerified: true })).to.deep.equal({ ...user, emailVerified: true });
        expect(await repo.update(user.id, { emailVerified: false })).to.deep.equal(user);
      });

      it('changes several fields at once and leaves the others as they were', async () => {
        const user = await cachedUser({ roles: roles('billing'), lastSignInAt: at('2026-02-03T04:05:06.789Z') });
        const other = await repo.create(aUser());

        const updated = await repo.update(user.id, { roles: roles('admin'), disabled: true, name: null, emailVerified: true });

        expect(updated).to.deep.equal({ ...user, roles: ['admin'], disabled: true, name: null, emailVerified: true });
        expect(await stored(user.id)).to.deep.equal(updated);
        expect(await stored(other.id)).to.deep.equal(other);
      });

      it('with no change given, returns the user as it is', async () => {
        const user = await cachedUser();
        expect(await repo.update(user.id, {})).to.deep.equal(user);
      });

      it('answers null for an id it does not hold, and stores nothing', async () => {
        const user = await repo.create(aUser());
        expect(await repo.update('00000000-0000-4000-8000-000000000000', { disabled: true, name: null })).to.equal(null);
        expect(await repo.findById('00000000-0000-4000-8000-000000000000')).to.equal(null);
        expect(await stored(user.id)).to.deep.equal(user);
      });
    });

    describe('recordSignIn', () => {
      it('remembers the time of the last sign-in, to the millisecond, and changes nothing else', async () => {
        const user = await repo.create(aUser({ lastSignInAt: null }));
        expect(await repo.findById(user.id), 'read before, so a cache holds it').to.not.equal(null);

        await repo.recordSignIn(user.id, at('2026-05-06T07:08:09.123Z'));
        expect(await stored(user.id)).to.deep.equal({ ...user, lastSignInAt: at('2026-05-06T07:08:09.123Z') });

        await repo.recordSignIn(user.id, at('2026-05-07T00:00:00.001Z'));
        expect((await stored(user.id)).lastSignInAt?.toISOString()).to.equal('2026-05-07T00:00:00.001Z');
      });

      it('keeps no reference to the given Date', async () => {
        const user = await repo.create(aUser());
        const when = at('2026-05-06T07:08:09.123Z');
        await repo.recordSignIn(user.id, when);
        when.setTime(0);
        expect((await stored(user.id)).lastSignInAt?.toISOString()).to.equal('2026-05-06T07:08:09.123Z');
      });

      it('does nothing for an id it does not hold', async () => {
        const user = await repo.create(aUser());
        await repo.recordSignIn('00000000-0000-4000-8000-000000000000', at('2026-05-06T07:08:09.123Z'));
        expect(await repo.findById('00000000-0000-4000-8000-000000000000')).to.equal(null);
        expect(await stored(user.id)).to.deep.equal(user);
      });
    });

    describe('search', () => {
      /** An id that sorts by its number (ids compare byte for byte). */
      const idOf = (n: number): string => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
      const ids = (users: readonly User[]): string[] => users.map((u) => u.id);

      it('lists users newest first, ties on createdAt broken by id, descending', async () => {
        await repo.create(aUser({ id: idOf(1), createdAt: at('2026-01-01T00:00:00.000Z') }));
        await repo.create(aUser({ id: idOf(5), createdAt: at('2026-01-02T00:00:00.000Z') }));
        await repo.create(aUser({ id: idOf(3), createdAt: at('2026-01-03T00:00:00.000Z') }));
        await repo.create(aUser({ id: idOf(2), createdAt: at('2026-01-02T00:00:00.000Z') }));
        await repo.create(aUser({ id: idOf(4), createdAt: at('2026-01-02T00:00:00.000Z') }));
        await repo.create(aUser({ id: idOf(6), createdAt: at('2026-01-02T00:00:00.001Z') }));

        expect(ids(await repo.search({ limit: 100 }))).to.deep.equal([idOf(3), idOf(6), idOf(5), idOf(4), idOf(2), idOf(1)]);
      });

      it('returns whole users, with their GitHub login field', async () => {
        const user = await repo.create(aUser({ roles: ['admin' as Role], lastSignInAt: at('2026-02-03T04:05:06.789Z') }));
        expect(await repo.search({ limit: 10 })).to.deep.equal([user]);
      });

      it('returns at most `limit` users, the newest', async () => {
        for (let n = 1; n <= 5; n++) await repo.create(aUser({ id: idOf(n), createdAt: at(`2026-01-0${n}T00:00:00.000Z`) }));
        expect(ids(await repo.search({ limit: 2 }))).to.deep.equal([idOf(5), idOf(4)]);
        expect(ids(await repo.search({ limit: 1 }))).to.deep.equal([idOf(5)]);
        expect(await repo.search({ limit: 10 })).to.have.length(5);
      });

      it('starts strictly after the cursor (createdAt, then id)', async () => {
        await repo.create(aUser({ id: idOf(1), createdAt: at('2026-01-01T00:00:00.000Z') }));
        await repo.create(aUser({ id: idOf(2), createdAt: at('2026-01-02T00:00:00.000Z') }));
        await repo.create(aUser({ id: idOf(3), createdAt: at('2026-01-02T00:00:00.000Z') }));
        await repo.create(aUser({ id: idOf(4), createdAt: at('2026-01-03T00:00:00.000Z') }));

        expect(ids(await repo.search({ after: { createdAt: at('2026-01-02T00:00:00.000Z'), id: idOf(3) }, limit: 10 }))).to.deep.equal([idOf(2), idOf(1)]);
        expect(ids(await repo.search({ after: { createdAt: at('2026-01-02T00:00:00.000Z'), id: idOf(2) }, limit: 10 }))).to.deep.equal([idOf(1)]);
        expect(ids(await repo.search({ after: { createdAt: at('2026-01-03T00:00:00.000Z'), id: idOf(4) }, limit: 1 }))).to.deep.equal([idOf(3)]);
        expect(await repo.search({ after: { createdAt: at('2026-01-01T00:00:00.000Z'), id: idOf(1) }, limit: 10 })).to.deep.equal([]);
      });

      it('pages through every user exactly once, even while new users register between pages', async () => {
        const times = ['2026-01-01', '2026-01-02', '2026-01-02', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-04', '2026-01-05'];
        const before: User[] = [];
        for (const [i, day] of times.entries()) before.push(await repo.create(aUser({ id: idOf(10 + i), createdAt: at(`${day}T00:00:00.000Z`) })));
        const expected = ids(await repo.search({ limit: 100 }));
        expect([...expected].sort()).to.deep.equal(ids(before).sort());

        const seen: string[] = [];
        let page = await repo.search({ limit: 3 });
        let inserted = 0;
        while (page.length > 0) {
          // A cursor that does not move on would page forever.
          if (seen.length > expected.length) throw new Error(`more users than stored: ${seen.join(' ')}`);
          seen.push(...ids(page));
          // Newer accounts, and one tied with the last one seen but sorting before it: none belongs after the cursor.
          const last = page[page.length - 1] as User;
          await repo.create(aUser({ id: idOf(900 + inserted++), createdAt: at('2026-02-01T00:00:00.000Z') }));
          await repo.create(aUser({ id: idOf(900 + inserted++), createdAt: new Date(last.createdAt) }));
          page = await repo.search({ after: { createdAt: last.createdAt, id: last.id }, limit: 3 });
        }

        expect(seen).to.deep.equal(expected);
      });

      describe('q', () => {
        it('matches a substring of the email, whatever its case', async () => {
          const grace = await repo.create(aUser({ email: parseEmail('grace.hopper@navy.mil'), name: null }));
          await repo.create(aUser({ email: parseEmail('ada@example.com'), name: null }));
          expect(ids(await repo.search({ q: 'HOPPER@NAVY', limit: 10 }))).to.deep.equal([grace.id]);
          expect(ids(await repo.search({ q: 'navy.mil', limit: 10 }))).to.deep.equal([grace.id]);
        });

        it('matches a substring of the name, whatever its case (a mixed-case name on a case-sensitive column)', async () => {
          const grace = await repo.create(aUser({ name: 'Grace HOPPER' as DisplayName }));
          await repo.create(aUser({ name: 'Ada Lovelace' as DisplayName }));
          await repo.create(aUser({ name: null }));
          for (const q of ['hopper', 'HOPPER', 'ace Hop', 'gRaCe']) expect(ids(await repo.search({ q, limit: 10 })), q).to.deep.equal([grace.id]);
        });

        it('folds the case of letters beyond ASCII too', async () => {
          const emile = await repo.create(aUser({ name: 'ÉMILE Zola' as DisplayName }));
          await repo.create(aUser({ name: 'Emile Other' as DisplayName }));
          expect(ids(await repo.search({ q: 'émile', limit: 10 }))).to.deep.equal([emile.id]);
          expect(ids(await repo.search({ q: 'Émile', limit: 10 }))).to.deep.equal([emile.id]);
        });

        it('matches the email or the name, newest first', async () => {
          const byEmail = await repo.create(aUser({ email: parseEmail('turing@x.io'), name: 'Alan' as DisplayName, createdAt: at('2026-01-01T00:00:00.000Z') }));
          const byName = await repo.create(aUser({ email: parseEmail('someone@x.io'), name: 'Not Turing' as DisplayName, createdAt: at('2026-01-02T00:00:00.000Z') }));
          await repo.create(aUser({ email: parseEmail('other@x.io'), name: 'Other' as DisplayName }));
          expect(ids(await repo.search({ q: 'turing', limit: 10 }))).to.deep.equal([byName.id, byEmail.id]);
        });

        it('takes % and _ (and backslash) literally', async () => {
          const percent = await repo.create(aUser({ name: '100% sure' as DisplayName }));
          await repo.create(aUser({ name: '100 x sure' as DisplayName }));
          const underscore = await repo.create(aUser({ email: parseEmail('a_b@x.io'), name: null }));
          await repo.create(aUser({ email: parseEmail('axb@x.io'), name: null }));
          const bang = await repo.create(aUser({ name: 'wow!% yes' as DisplayName }));
          const slash = await repo.create(aUser({ name: 'back\\slash' as DisplayName }));
          await repo.create(aUser({ name: 'backslash' as DisplayName }));

          expect(ids(await repo.search({ q: '100%', limit: 10 }))).to.deep.equal([percent.id]);
          expect(ids(await repo.search({ q: 'a_b', limit: 10 }))).to.deep.equal([underscore.id]);
          expect(ids(await repo.search({ q: '!%', limit: 10 }))).to.deep.equal([bang.id]);
          expect(ids(await repo.search({ q: 'k\\s', limit: 10 }))).to.deep.equal([slash.id]);
          expect(await repo.search({ q: '%', limit: 10 })).to.have.length(2);
          expect(await repo.search({ q: '_', limit: 10 })).to.have.length(1);
        });

        it('with a cursor and a limit, pages through the matches only', async () => {
          for (let n = 1; n <= 5; n++) await repo.create(aUser({ id: idOf(n), name: `Match ${n}` as DisplayName, createdAt: at(`2026-01-0${n}T00:00:00.000Z`) }));
          await repo.create(aUser({ id: idOf(9), name: 'other' as DisplayName, createdAt: at('2026-01-03T12:00:00.000Z') }));

          const first = await repo.search({ q: 'match', limit: 2 });
          expect(ids(first)).to.deep.equal([idOf(5), idOf(4)]);
          const last = first[1] as User;
          expect(ids(await repo.search({ q: 'match', after: { createdAt: last.createdAt, id: last.id }, limit: 2 }))).to.deep.equal([idOf(3), idOf(2)]);
        });

        it('an empty q matches every user', async () => {
          await repo.create(aUser({ name: null, email: null }));
          await repo.create(aUser());
          expect(await repo.search({ q: '', limit: 10 })).to.have.length(2);
        });
      });
    });

    describe('countEnabledWithRole', () => {
      const roles = (...names: string[]): Role[] => names as Role[];

      it('counts the enabled accounts that hold the role, by its exact name', async () => {
        await repo.create(aUser({ roles: roles('admin') }));
        await repo.create(aUser({ roles: roles('admin', 'billing', 'support') }));
        await repo.create(aUser({ roles: roles('admin'), disabled: true }));
        await repo.create(aUser({ roles: roles('admins') }));
        await repo.create(aUser({ roles: roles('sub-admin') }));
        await repo.create(aUser({ roles: roles('admin-x', 'billing', 'x-admin') }));
        await repo.create(aUser());

        expect(await repo.countEnabledWithRole(ADMIN_ROLE)).to.equal(2);
        expect(await repo.countEnabledWithRole('billing' as Role), 'in the middle and at the end').to.equal(2);
        expect(await repo.countEnabledWithRole('support' as Role), 'last').to.equal(1);
        expect(await repo.countEnabledWithRole('admins' as Role)).to.equal(1);
        expect(await repo.countEnabledWithRole('nobody' as Role)).to.equal(0);
      });

      it('takes _ in a role name literally', async () => {
        await repo.create(aUser({ roles: roles('a-b', 'axb') }));
        await repo.create(aUser({ roles: roles('a_b') }));
        expect(await repo.countEnabledWithRole('a_b' as Role)).to.equal(1);
      });

      it('follows update: roles given and taken, accounts disabled and enabled', async () => {
        const user = await repo.create(aUser());
        expect(await repo.countEnabledWithRole(ADMIN_ROLE)).to.equal(0);
        await repo.update(user.id, { roles: roles('admin') });
        expect(await repo.countEnabledWithRole(ADMIN_ROLE)).to.equal(1);
        await repo.update(user.id, { disabled: true });
        expect(await repo.countEnabledWithRole(ADMIN_ROLE)).to.equal(0);
        await repo.update(user.id, { disabled: false });
        expect(await repo.countEnabledWithRole(ADMIN_ROLE)).to.equal(1);
        await repo.delete(user.id);
        expect(await repo.countEnabledWithRole(ADMIN_ROLE)).to.equal(0);
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
