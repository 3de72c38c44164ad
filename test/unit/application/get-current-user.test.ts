import { NO_MFA } from '../../../src/domain/mfa.js';
import { expect } from 'chai';
import { buildAuth, expectCode, type Auth } from './harness.js';

describe('GetCurrentUser', () => {
  let auth: Auth;
  beforeEach(() => {
    auth = buildAuth();
  });

  it('answers the user the principal names', async () => {
    const alice = await auth.register.execute({ email: 'alice@example.com', password: 'alice password', name: 'Alice' });
    await auth.register.execute({ email: 'bob@example.com', password: 'bob password' });

    const user = await auth.currentUser.execute({ userId: alice.id });

    expect(user).to.include({ id: alice.id, email: 'alice@example.com', name: 'Alice', githubLogin: null });
    expect(user.mfa).to.deep.equal(NO_MFA);
    expect(user.createdAt.getTime()).to.equal(alice.createdAt.getTime());
  });

  it('answers the user of a session principal', async () => {
    const signIn = await auth.signUp('carol@example.com');
    const principal = await auth.authenticate(signIn.accessToken);

    expect((await auth.currentUser.execute(principal)).email).to.equal('carol@example.com');
  });

  it('answers INVALID_TOKEN when the account no longer exists', async () => {
    await expectCode(auth.currentUser.execute({ userId: 'no-such-user' }), 'INVALID_TOKEN');
  });
});
