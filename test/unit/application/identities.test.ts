import { expect } from 'chai';
import { InMemoryPasskeyStore } from '../../../src/adapters/persistence/memory/in-memory-passkey-store.js';
import type { ExternalProfile } from '../../../src/domain/identity.js';
import { buildAuth, expectCode, type Auth } from './harness.js';

let n = 0;
const profileAt = (provider: string, overrides: Partial<ExternalProfile> = {}): ExternalProfile => {
  n += 1;
  return { provider, providerUserId: `${provider}-subject-${n}`, login: `person-${n}`, name: null, verifiedEmail: `person.${n}@example.com`, ...overrides };
};

describe('identities: listing and unlinking (use cases on in-memory adapters)', () => {
  let auth: Auth;
  beforeEach(() => {
    auth = buildAuth();
  });
  const list = (userId: string) => auth.useCases.listIdentities.execute(userId);
  const unlink = (userId: string, provider: string) => auth.useCases.unlinkIdentity.execute({ userId, sessionId: 'session-1', provider, clientIp: '203.0.113.9' });

  it('lists what each provider vouched for, oldest first', async () => {
    const github = profileAt('github');
    const { userId } = await auth.githubSignIn.execute({ profile: github });
    auth.clock.advance(60);
    const google = profileAt('google', { login: null });
    await auth.githubSignIn.execute({ profile: google, linkToUserId: userId });
    const found = await list(userId);
    expect(found.map((i) => [i.provider, i.login, i.email])).to.deep.equal([
      ['github', github.login, github.verifiedEmail],
      ['google', null, google.verifiedEmail],
    ]);
    expect(found[1]?.createdAt.getTime()).to.equal((found[0]?.createdAt.getTime() ?? 0) + 60_000);
  });

  it("refuses to remove an account's last way to sign in (no password, passkey or other identity): LAST_SIGN_IN_METHOD, nothing removed", async () => {
    const { userId } = await auth.githubSignIn.execute({ profile: profileAt('github') });
    await expectCode(unlink(userId, 'github'), 'LAST_SIGN_IN_METHOD');
    expect(await list(userId)).to.have.length(1);
  });

  it('removes one of two identities, records identity.unlinked, and then the last one is refused', async () => {
    const { userId } = await auth.githubSignIn.execute({ profile: profileAt('github') });
    await auth.githubSignIn.execute({ profile: profileAt('acme'), linkToUserId: userId });
    await unlink(userId, 'github');
    expect((await list(userId)).map((i) => i.provider)).to.deep.equal(['acme']);
    const unlinked = (await auth.events(userId)).filter((e) => e.type === 'identity.unlinked');
    expect(unlinked.map((e) => [e.detail?.provider, e.ip, e.sessionId])).to.deep.equal([['github', '203.0.113.9', 'session-1']]);
    await expectCode(unlink(userId, 'acme'), 'LAST_SIGN_IN_METHOD');
  });

  it('removes the only identity of an account that has a passkey (it still signs in with it)', async () => {
    const { userId } = await auth.githubSignIn.execute({ profile: profileAt('google') });
    const passkey = { id: `credential-${userId}`, userId, publicKey: new Uint8Array([1, 2, 3]), counter: 0, transports: ['internal'], name: 'Laptop', createdAt: auth.clock.now(), lastUsedAt: null };
    expect(await new InMemoryPasskeyStore(auth.accounts).add(passkey)).to.equal(true);
    await unlink(userId, 'google');
    expect(await list(userId)).to.deep.equal([]);
  });

  it('never lets two removals side by side leave the account without a way in', async () => {
    const { userId } = await auth.githubSignIn.execute({ profile: profileAt('github') });
    await auth.githubSignIn.execute({ profile: profileAt('acme'), linkToUserId: userId });
    const outcomes = await Promise.allSettled([unlink(userId, 'github'), unlink(userId, 'acme')]);
    expect(outcomes.filter((o) => o.status === 'fulfilled').length, 'at most one removal').to.be.at.most(1);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as { code?: string }).code).to.equal('LAST_SIGN_IN_METHOD');
    expect((await list(userId)).length, 'a way in is left').to.be.at.least(1);
  });

  it('removes the only identity of an account that has a password', async () => {
    const tokens = await auth.signUp();
    await auth.githubSignIn.execute({ profile: profileAt('google'), linkToUserId: tokens.user.id });
    await unlink(tokens.user.id, 'google');
    expect(await list(tokens.user.id)).to.deep.equal([]);
  });

  it('answers IDENTITY_NOT_FOUND for a provider that is not linked, whatever else the account has', async () => {
    const tokens = await auth.signUp();
    await expectCode(unlink(tokens.user.id, 'github'), 'IDENTITY_NOT_FOUND');
    const other = await auth.githubSignIn.execute({ profile: profileAt('google') });
    await expectCode(unlink(tokens.user.id, 'google'), 'IDENTITY_NOT_FOUND');
    expect(await list(other.userId)).to.have.length(1);
  });

  it('records a sign-in with a provider other than GitHub as identity.signed_in (GitHub keeps github.signed_in)', async () => {
    const google = await auth.githubSignIn.execute({ profile: profileAt('google') });
    const github = await auth.githubSignIn.execute({ profile: profileAt('github') });
    expect((await auth.events(google.userId)).map((e) => e.type)).to.include('identity.signed_in');
    expect((await auth.events(github.userId)).map((e) => e.type)).to.include('github.signed_in');
  });
});
