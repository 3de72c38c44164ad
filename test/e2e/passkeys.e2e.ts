import { expect } from 'chai';
import { chromiumSuite, VirtualAuthenticator } from '../support/browser.js';
import { startLocalhostApp, startTestApp, type TestApp } from '../support/app.js';
import { uniqueEmail } from '../support/http.js';
import { AccountPage } from './account-page.js';

describe('passkeys on the account page in a real browser (DevTools virtual authenticator)', function () {
  this.timeout(60_000);
  let app: TestApp;
  const chromium = chromiumSuite('passkey browser test');

  before(async function () {
    app = await startLocalhostApp();
  });
  after(async () => {
    await app?.close();
  });

  async function pageWithAuthenticator(): Promise<{ p: AccountPage; authenticator: VirtualAuthenticator }> {
    const page = await chromium.context.newPage();
    const authenticator = await VirtualAuthenticator.on(page);
    return { p: await new AccountPage(page).open(app.url), authenticator };
  }

  it('adds a named passkey, signs in with it and no email, then removes it; the removed one no longer signs in', async () => {
    const { p, authenticator } = await pageWithAuthenticator();
    const passkeySignIn = p.page.getByRole('button', { name: 'Sign in with a passkey' });
    expect(await passkeySignIn.isVisible(), 'offered before anyone signs in').to.equal(true);
    await p.capture('passkeys-signed-out');

    const email = uniqueEmail('passkey-page');
    await p.signUp(email);
    expect(await p.passkeys.allInnerTexts()).to.deep.equal(['No passkeys yet.']);
    await p.passkeysCard.getByLabel('Name').fill('Work laptop');
    await p.passkeysCard.getByRole('button', { name: 'Add a passkey' }).click();
    expect(await p.shown()).to.equal('Passkey “Work laptop” added. You can now sign in with it.');
    await p.passkeys.filter({ hasText: 'Work laptop' }).waitFor();
    expect(await p.passkeys.count()).to.equal(1);
    expect(await p.passkeys.first().innerText()).to.match(/Work laptop\nAdded .+ · not used yet/);
    expect(await p.passkeysCard.getByLabel('Name').inputValue(), 'the name field is cleared').to.equal('');
    await p.activity.getByText('Passkey added').waitFor();
    // The authenticator now holds one discoverable credential for this RP ID.
    const held = await authenticator.credentials();
    expect(held.map((c) => c.rpId)).to.deep.equal(['localhost']);
    await p.capture('passkeys-added');

    // Signed out, the passkey alone signs in: no email, no password.
    await p.signOut();
    await passkeySignIn.click();
    await p.signedIn.waitFor({ state: 'visible' });
    expect(await p.page.locator('#user-name').innerText()).to.equal(email);
    await p.passkeys.filter({ hasText: /last used/ }).waitFor();
    await p.activity.getByText('Signed in with a passkey').waitFor();
    expect((await authenticator.credentials())[0]?.signCount, 'the authenticator counted the assertion').to.be.above(0);

    await p.passkeysCard.getByRole('button', { name: 'Remove Work laptop' }).click();
    expect(await p.shown()).to.equal('Passkey “Work laptop” removed.');
    expect(await p.passkeys.allInnerTexts()).to.deep.equal(['No passkeys yet.']);
    await p.activity.getByText('Passkey removed').waitFor();

    // The device still holds the credential, but the service no longer knows it.
    await p.signOut();
    p.watch.allow('POST', '/auth/passkeys/authentication', 401);
    await passkeySignIn.click();
    expect(await p.shown()).to.equal('That passkey could not sign you in. It may have been removed from its account.');
    expect(await p.signedIn.isVisible()).to.equal(false);
    await p.capture('passkeys-refused');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('says so when this device already holds a passkey for the account', async () => {
    const { p } = await pageWithAuthenticator();
    await p.signUp(uniqueEmail('passkey-twice'));
    await p.passkeysCard.getByRole('button', { name: 'Add a passkey' }).click();
    await p.passkeys.filter({ hasText: 'not used yet' }).waitFor();
    // The options exclude the credentials the account has, so the authenticator refuses a second one.
    await p.passkeysCard.getByRole('button', { name: 'Add a passkey' }).click();
    expect(await p.shown()).to.equal('This device already holds a passkey for this account.');
    expect(await p.passkeys.count()).to.equal(1);
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('hides every passkey control when the service has passkeys off', async () => {
    const off = await startTestApp({ env: { PUBLIC_URL: 'http://127.0.0.1:3000' } });
    try {
      const p = await new AccountPage(await chromium.context.newPage()).open(off.url);
      expect(await p.page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible()).to.equal(false);
      expect(await p.page.getByText('or', { exact: true }).isVisible(), 'no "or" with nothing after it').to.equal(false);
      await p.signUp(uniqueEmail('passkeys-off'));
      expect(await p.passkeysCard.isVisible()).to.equal(false);
      expect(p.watch.problems()).to.deep.equal([]);
    } finally {
      await off.close();
    }
  });
});
