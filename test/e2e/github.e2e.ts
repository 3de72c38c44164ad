import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { aGithubAccount, GithubStandIn, startGithubTestApp, type GithubTestApp } from '../support/github-stand-in.js';
import { chromiumOrSkip } from '../support/browser.js';


describe('GitHub sign-in from the web page in a real browser', function () {
  this.timeout(60_000);
  let standIn: GithubStandIn;
  let app: GithubTestApp;
  let browser: Browser;

  before(async function () {
    browser = await chromiumOrSkip(this, 'GitHub browser test');
    standIn = await GithubStandIn.start();
    app = await startGithubTestApp(standIn, { webAppIsService: true });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await standIn?.close();
  });

  it('clicks "Sign in with GitHub", passes through GitHub and lands signed in on the page', async () => {
    standIn.account = aGithubAccount({ login: 'octo-browser', name: 'Octo Browser' });
    const page = await browser.newPage();
    const locations: string[] = [];
    page.on('response', (r) => {
      const location = r.headers()['location'];
      if (location) locations.push(location);
    });
    await page.goto(app.url);
    await page.click('#github-signin');
    await page.waitForSelector('#signed-in:not([hidden])');
    expect(await page.textContent('#user-github-login')).to.equal('octo-browser');
    expect(await page.textContent('#user-name')).to.equal('Octo Browser');
    expect(new URL(page.url()).origin).to.equal(app.url);
    const names = (await page.context().cookies()).map((c) => c.name).sort();
    expect(names).to.include.members(['access_token', 'csrf_token', 'refresh_token']);
    // The flow went to GitHub and back, and no URL on the way carried a token.
    expect(locations.some((l) => l.startsWith(standIn.authorizeUrl))).to.equal(true);
    for (const l of locations) expect(l).not.to.match(/eyJ[\w-]+\.[\w-]+\./);
    await page.close();
  });

  it('shows a clear message when GitHub sign-in is cancelled', async () => {
    standIn.denyConsent = true;
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.click('#github-signin');
    await page.waitForSelector('#message.error:not([hidden])');
    expect(await page.textContent('#message')).to.contain('cancelled');
    expect(new URL(page.url()).search).to.equal('');
    standIn.denyConsent = false;
    await page.close();
  });
});
