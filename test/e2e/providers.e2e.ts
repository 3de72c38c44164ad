import { expect } from 'chai';
import { chromiumSuite } from '../support/browser.js';
import { startGithubTestApp, type GithubTestApp } from '../support/github-stand-in.js';
import { register, uniqueEmail } from '../support/http.js';
import { anOidcAccount, OidcStandIn } from '../support/oidc-stand-in.js';
import { AccountPage } from './account-page.js';

describe('Google and an OpenID Connect issuer from the web page in a real browser', function () {
  this.timeout(60_000);
  let google: OidcStandIn;
  let acme: OidcStandIn;
  let app: GithubTestApp;
  const chromium = chromiumSuite('provider browser test');

  before(async function () {
    google = await OidcStandIn.start();
    acme = await OidcStandIn.start({ issuerPath: '/realms/main' });
    // The app on a port chosen first, so PUBLIC_URL (and so each callback URL) names where it listens.
    app = await startGithubTestApp(null, {
      webAppIsService: true,
      env: {
        GOOGLE_ISSUER: google.url,
        GOOGLE_CLIENT_ID: google.clientId,
        GOOGLE_CLIENT_SECRET: google.clientSecret,
        OIDC_ACME_ISSUER: acme.url,
        OIDC_ACME_CLIENT_ID: acme.clientId,
        OIDC_ACME_CLIENT_SECRET: acme.clientSecret,
      },
    });
  });
  beforeEach(async () => {
    google.reset(anOidcAccount({ name: 'Grace Google' }));
    acme.reset(anOidcAccount({ name: 'Alan Acme' }));
  });
  after(async () => {
    await app?.close();
    await Promise.all([google?.close(), acme?.close()]);
  });

  const newPage = async () => new AccountPage(await chromium.context.newPage());
  const continueWith = (p: AccountPage, label: string) => p.page.getByRole('link', { name: `Continue with ${label}` });
  const linked = (p: AccountPage) => p.page.getByRole('list', { name: 'Linked accounts' }).getByRole('listitem');

  it('offers each configured provider under the sign-in form, and no GitHub (it is off)', async () => {
    const p = await (await newPage()).open(app.url);
    await continueWith(p, 'Google').waitFor({ state: 'visible' });
    expect(await continueWith(p, 'Acme').isVisible()).to.equal(true);
    expect(await p.page.getByRole('link', { name: 'Continue with GitHub' }).isVisible()).to.equal(false);
    await p.capture('providers-signed-out');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  for (const [label, issuer] of [['Google', () => google], ['Acme', () => acme]] as const) {
    it(`signs in through ${label} and shows the linked account`, async () => {
      const p = await (await newPage()).open(app.url);
      await continueWith(p, label).click();
      await p.signedIn.waitFor({ state: 'visible' });
      expect(new URL(p.page.url()).origin).to.equal(app.url);
      const person = issuer().account;
      expect(await p.page.locator('#user-name').innerText()).to.equal(person.name);
      expect(await p.page.locator('#user-email').innerText()).to.equal(person.email);
      expect(await p.emailState.innerText(), `${label} vouched for the address`).to.equal('verified');
      const items = await linked(p).allInnerTexts();
      expect(items).to.have.length(1);
      expect(items[0]).to.match(new RegExp(`^${label}\\n${person.preferredUsername} · ${person.email.replace(/[.+]/g, '\\$&')} · linked `));
      await p.capture(`providers-signed-in-${label.toLowerCase()}`);
      expect(p.watch.problems()).to.deep.equal([]);
    });
  }

  it('links a second provider from the signed-in page, and refuses to remove the last way in until then', async () => {
    const p = await (await newPage()).open(app.url);
    await continueWith(p, 'Google').click();
    await p.signedIn.waitFor({ state: 'visible' });
    const card = p.page.locator('#identities-card');

    // The only way in: removing it is refused, with the reason.
    p.watch.allow('DELETE', '/auth/identities/google', 409);
    await card.getByRole('button', { name: 'Remove Google sign-in' }).click();
    expect(await p.shown()).to.match(/^This is the last way to sign in to your account\./);
    expect(await linked(p).count()).to.equal(1);

    await card.getByRole('button', { name: 'Link Acme' }).click();
    await linked(p).nth(1).waitFor();
    expect((await linked(p).allInnerTexts()).map((t) => t.split('\n')[0])).to.deep.equal(['Google', 'Acme']);
    expect(await card.getByRole('button', { name: 'Link Acme' }).count(), 'nothing left to link').to.equal(0);
    await p.activity.getByText('Acme account linked').waitFor();
    await p.capture('providers-two-linked');

    await card.getByRole('button', { name: 'Remove Google sign-in' }).click();
    expect(await p.shown()).to.equal('Google is no longer linked.');
    expect((await linked(p).allInnerTexts()).map((t) => t.split('\n')[0])).to.deep.equal(['Acme']);
    await p.activity.getByText('Google account unlinked').waitFor();
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('says so, naming the provider, when its email belongs to an account that signs in with a password, and when its id_token is bad', async () => {
    const email = uniqueEmail('browser-provider-exists');
    await register(app.url, email);
    google.reset(anOidcAccount({ email }));
    const p = await (await newPage()).open(app.url);
    await continueWith(p, 'Google').click();
    expect(await p.shown()).to.equal('An account with your Google email already exists. Sign in with your password, then link Google.');
    expect(await p.signedIn.isVisible()).to.equal(false);
    await p.capture('providers-account-exists');

    acme.idTokenMode = 'foreign_key';
    await continueWith(p, 'Acme').click();
    expect(await p.shown()).to.equal('Acme answered with a sign-in we could not verify. Please try again.');
    expect(new URL(p.page.url()).search, 'the address is cleaned').to.equal('');
    expect(p.watch.problems()).to.deep.equal([]);
  });
});
