import { expect } from 'chai';
import { TOKENS } from '../../src/composition/tokens.js';
import { parseEmail } from '../../src/domain/email.js';
import type { IdentityRepository } from '../../src/domain/ports/identity-repository.js';
import type { PasswordHasher } from '../../src/domain/ports/password-hasher.js';
import type { NewPassword } from '../../src/domain/password.js';
import { aGithubAccount, GithubStandIn, startGithubTestApp, type GithubTestApp } from '../support/github-stand-in.js';
import { call, GOOD_PASSWORD } from '../support/http.js';
import { Browser, expectSignedIn, githubFlow } from './github-browser.js';

/**
 * docs/security.md, Throttling, per account: a locked-out account still signs in by password from the
 * addresses it signed in from successfully in the last 30 days. A GitHub sign-in is such a
 * success: the owner who signed in with GitHub at home is not locked out of a password login
 * there by a botnet guessing elsewhere.
 */
describe('a GitHub sign-in makes its address one a locked-out account still signs in from', function () {
  let standIn: GithubStandIn;
  let app: GithubTestApp;

  before(async () => {
    standIn = await GithubStandIn.start();
    app = await startGithubTestApp(standIn, {
      env: { TRUST_PROXY: 'true', LOGIN_ACCOUNT_MAX_FAILURES: '3', LOGIN_MAX_FAILURES: '100', LOGIN_IP_MAX_FAILURES: '1000' },
    });
  });
  after(async () => {
    await app.close();
    await standIn.close();
  });

  const login = (email: string, password: string, from?: string) =>
    call(app.url, 'POST', '/auth/login', { json: { email, password }, headers: from ? { 'x-forwarded-for': from } : {} });

  it('lets the owner in by password from where GitHub signed them in, while the botnet stays locked out', async () => {
    // An account with a password and a linked GitHub identity, made where no test request comes from.
    const account = aGithubAccount();
    const email = parseEmail(account.emails[0]?.email as string);
    const hasher = app.container.resolve<PasswordHasher>(TOKENS.PasswordHasher);
    const userId = `known-address-${account.id}`;
    await app.container.resolve<IdentityRepository>(TOKENS.IdentityRepository).createUserWithIdentity(
      { id: userId, email, name: null, passwordHash: await hasher.hash(GOOD_PASSWORD as NewPassword), emailVerified: false, roles: [], disabled: false, lastSignInAt: null, createdAt: new Date() },
      { provider: 'github', providerUserId: String(account.id), userId, login: account.login, email, createdAt: new Date() },
    );

    for (const bot of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) expect((await login(email, 'wrong guess', bot)).status).to.equal(401);
    // The control: locked out, and the owner's own machine (127.0.0.1, no X-Forwarded-For) is not known yet.
    expect((await login(email, GOOD_PASSWORD)).status, 'locked out before the GitHub sign-in').to.equal(429);

    standIn.account = account;
    expectSignedIn((await githubFlow(new Browser(app, standIn), app, standIn)).callback);

    expect((await login(email, GOOD_PASSWORD)).status, 'from where GitHub signed the owner in').to.equal(200);
    for (const bot of ['203.0.113.4', '203.0.113.5', '203.0.113.6']) expect((await login(email, 'wrong guess', bot)).status).to.equal(401);
    expect((await login(email, GOOD_PASSWORD, '203.0.113.7')).status, 'another address, locked out again').to.equal(429);
    expect((await login(email, GOOD_PASSWORD)).status, 'the known address, still').to.equal(200);
  });
});
