import { expect } from 'chai';
import { aGithubAccount, GithubStandIn, startGithubTestApp, type GithubTestApp } from '../support/github-stand-in.js';
import { chromiumSuite, isFocused } from '../support/browser.js';
import { FixedClock } from '../support/fixed-clock.js';
import { otherCode, totpCodeAt } from '../support/totp.js';
import { register, uniqueEmail } from '../support/http.js';
import { AccountPage } from './account-page.js';

/** The `?error=` codes the callback sends the browser back with (docs/github-sign-in.md "GET /auth/github/callback"), and a word of what each must say. */
const CALLBACK_ERRORS: Record<string, RegExp> = {
  invalid_state: /expired or was started elsewhere/,
  access_denied: /cancelled/,
  github_unavailable: /could not be reached/,
  account_exists: /already exists/,
  already_linked: /already linked/,
  email_not_verified: /Verify your email address first/,
  account_disabled: /account is disabled/,
  server_error: /went wrong on our side/,
  'something-new': /did not complete/,
};

describe('GitHub sign-in from the web page in a real browser', function () {
  this.timeout(60_000);
  let standIn: GithubStandIn;
  let app: GithubTestApp;
  const chromium = chromiumSuite('GitHub browser test');

  before(async function () {
    standIn = await GithubStandIn.start();
    app = await startGithubTestApp(standIn, { webAppIsService: true });
  });
  beforeEach(async () => {
    standIn.reset();
  });
  after(async () => {
    await app?.close();
    await standIn?.close();
  });

  const newPage = async () => new AccountPage(await chromium.context.newPage());
  const github = (p: AccountPage) => p.page.getByRole('link', { name: 'Continue with GitHub' });

  it('offers GitHub under whichever form is shown', async () => {
    const p = await (await newPage()).open(app.url);
    await github(p).waitFor({ state: 'visible' });
    const below = async (form: typeof p.signInForm) => ((await github(p).boundingBox())?.y ?? 0) > ((await form.boundingBox())?.y ?? Infinity);
    expect(await below(p.signInForm), 'below the sign-in form').to.equal(true);
    await p.capture('github-signed-out');
    await p.tab('Create account').click();
    expect(await github(p).isVisible()).to.equal(true);
    expect(await below(p.signUpForm), 'below the sign-up form').to.equal(true);
    expect(await p.visibleForms()).to.equal(1);
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('clicks "Continue with GitHub", passes through GitHub and lands signed in on the page', async () => {
    standIn.account = aGithubAccount({ login: 'octo-browser', name: 'Octo Browser' });
    const p = await (await newPage()).open(app.url);
    const locations: string[] = [];
    p.page.on('response', (r) => {
      const location = r.headers()['location'];
      if (location) locations.push(location);
    });
    await github(p).click();
    await p.signedIn.waitFor({ state: 'visible' });
    expect(await p.page.locator('#user-github').innerText()).to.equal('GitHub: octo-browser');
    expect(await p.page.locator('#user-name').innerText()).to.equal('Octo Browser');
    expect(await p.page.getByRole('button', { name: 'Link GitHub' }).isVisible(), 'nothing left to link').to.equal(false);
    expect(new URL(p.page.url()).origin).to.equal(app.url);
    const names = (await chromium.context.cookies()).map((c) => c.name).sort();
    expect(names).to.include.members(['access_token', 'csrf_token', 'refresh_token']);
    // The flow went to GitHub and back, and no URL on the way carried a token.
    expect(locations.some((l) => l.startsWith(standIn.authorizeUrl))).to.equal(true);
    for (const l of locations) expect(l).not.to.match(/eyJ[\w-]+\.[\w-]+\./);
    await p.sessions.first().waitFor({ state: 'visible' });
    await p.capture('github-signed-in');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('asks a GitHub user with two-step verification for a code after GitHub (?mfa=required), then signs in', async () => {
    // Its own service, on a clock the test moves: a TOTP code counts once per 30-second step.
    const clock = new FixedClock(new Date());
    const mfaApp = await startGithubTestApp(standIn, { webAppIsService: true, clock });
    try {
      standIn.account = aGithubAccount({ login: 'octo-mfa', name: 'Octo Mfa' });
      const p = await (await newPage()).open(mfaApp.url);
      await github(p).click();
      await p.signedIn.waitFor({ state: 'visible' });
      const secret = await p.turnOnTotp((key) => totpCodeAt(key, clock.now()));
      await p.signOut();

      p.watch.allow('POST', '/auth/mfa/verify', 401);
      await github(p).click();
      await p.mfaForm.waitFor({ state: 'visible' });
      expect(await p.signedIn.isVisible(), 'GitHub alone does not sign in').to.equal(false);
      expect(new URL(p.page.url()).search, 'the address is cleaned').to.equal('');
      expect(await isFocused(p.mfaForm.getByLabel('Code'))).to.equal(true);
      const sessionCookies = (await chromium.context.cookies()).map((c) => c.name).filter((n) => ['access_token', 'refresh_token'].includes(n));
      expect(sessionCookies, 'no session before the code').to.deep.equal([]);
      await p.capture('github-mfa-step');

      await p.enterCode(p.mfaForm, otherCode(await totpCodeAt(secret, clock.now())), 'Verify');
      expect(await p.shown()).to.match(/^That code is not right/);
      clock.advance(30);
      await p.enterCode(p.mfaForm, await totpCodeAt(secret, clock.now()), 'Verify');
      await p.signedIn.waitFor({ state: 'visible' });
      expect(await p.page.locator('#user-github').innerText()).to.equal('GitHub: octo-mfa');
      expect(await p.mfaState.innerText()).to.equal('on');
      expect(p.watch.problems()).to.deep.equal([]);
    } finally {
      await mfaApp.close();
    }
  });

  it('links GitHub to an account signed in with a password, and shows it', async () => {
    standIn.account = aGithubAccount({ login: 'octo-linker' });
    const p = await (await newPage()).open(app.url);
    await p.signUp(uniqueEmail('browser-link'), 'Linda Link');
    const link = p.page.getByRole('button', { name: 'Link GitHub' });
    expect(await link.isVisible()).to.equal(true);
    expect(await p.page.locator('#user-github').isVisible()).to.equal(false);
    await p.capture('github-link-offered');

    await link.click();
    await p.page.locator('#user-github').waitFor({ state: 'visible' });
    expect(await p.page.locator('#user-github').innerText()).to.equal('GitHub: octo-linker');
    expect(await p.page.locator('#user-name').innerText()).to.equal('Linda Link');
    expect(await link.isVisible()).to.equal(false);
    await p.capture('github-linked');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('shows a clear message when GitHub sign-in is cancelled, and cleans the address', async () => {
    standIn.denyConsent = true;
    const p = await (await newPage()).open(app.url);
    await github(p).click();
    expect(await p.shown()).to.equal('GitHub sign-in was cancelled.');
    expect(await p.signInForm.isVisible()).to.equal(true);
    expect(new URL(p.page.url()).search).to.equal('');
    await p.capture('github-cancelled');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('says so when the GitHub email belongs to an account that signs in with a password', async () => {
    const email = uniqueEmail('browser-exists');
    await register(app.url, email);
    standIn.account = aGithubAccount({ emails: [{ email, primary: true, verified: true, visibility: 'public' }] });
    const p = await (await newPage()).open(app.url);
    await github(p).click();
    expect(await p.shown()).to.equal('An account with your GitHub email already exists. Sign in with your password, then link GitHub.');
    expect(await p.signedIn.isVisible()).to.equal(false);
    await p.capture('github-account-exists');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  for (const [code, says] of Object.entries(CALLBACK_ERRORS)) {
    it(`reads the callback's ?error=${code} to a person`, async () => {
      const p = await (await newPage()).open(`${app.url}/?error=${code}`);
      expect(await p.shown()).to.match(says);
      expect(new URL(p.page.url()).search).to.equal('');
      await p.capture(`github-error-${code.replaceAll('_', '-')}`);
      expect(p.watch.problems()).to.deep.equal([]);
    });
  }
});
