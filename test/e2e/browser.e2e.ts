import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { chromiumOrSkip } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { uniqueEmail } from '../support/http.js';

/** Where the signed-in page's screenshot goes (README shows a copy of it from docs/). */
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? 'test-results';
const ACCESS_TTL_SECONDS = 2;

describe('the web page in a real browser (cookie mode)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  before(async function () {
    browser = await chromiumOrSkip(this, 'browser test');
    app = await startTestApp({ env: { ACCESS_TOKEN_TTL: String(ACCESS_TTL_SECONDS) } });
    page = await browser.newPage({ viewport: { width: 720, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('signs up, survives a reload, refreshes silently, and signs out clearing every cookie', async () => {
    const email = uniqueEmail('browser');
    await page.goto(app.url);
    await page.click('#tab-signup');
    await page.fill('#signup-form input[name=name]', 'Ada Lovelace');
    await page.fill('#signup-form input[name=email]', email);
    await page.fill('#signup-form input[name=password]', 'correct horse battery');
    await page.click('#signup-form button[type=submit]');
    await page.waitForSelector('#signed-in:not([hidden])');
    expect(await page.textContent('#user-email')).to.equal(email);

    const names = async () => (await page.context().cookies()).map((c) => c.name).sort();
    expect(await names()).to.deep.equal(['access_token', 'csrf_token', 'refresh_token']);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'access_token')?.httpOnly).to.equal(true);
    expect(cookies.find((c) => c.name === 'refresh_token')?.httpOnly).to.equal(true);
    expect(cookies.find((c) => c.name === 'csrf_token')?.httpOnly).to.equal(false);

    await page.reload();
    await page.waitForSelector('#signed-in:not([hidden])');
    expect(await page.textContent('#user-email')).to.equal(email);
    await page.waitForSelector('#sessions li');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOT_DIR}/signed-in.png`, fullPage: true });

    // Outlive the access token: the page must refresh once, silently, and stay signed in.
    await page.waitForTimeout((ACCESS_TTL_SECONDS + 1.5) * 1000);
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/auth/refresh') && r.status() === 200);
    await page.reload();
    await refreshed;
    await page.waitForSelector('#signed-in:not([hidden])');
    expect(await page.textContent('#user-email')).to.equal(email);

    await page.click('#signout');
    await page.waitForSelector('#signed-out:not([hidden])');
    expect(await names()).to.deep.equal([]);
  });

  it('changes the password, shows a wrong current password clearly, and signs out from the session list', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(app.url);
    await tab.click('#tab-signup');
    await tab.fill('#signup-form input[name=email]', uniqueEmail('browser-password'));
    await tab.fill('#signup-form input[name=password]', 'correct horse battery');
    await tab.click('#signup-form button[type=submit]');
    await tab.waitForSelector('#signed-in:not([hidden])');

    await tab.fill('#password-form input[name=currentPassword]', 'not my password');
    await tab.fill('#password-form input[name=newPassword]', 'a brand new passphrase');
    await tab.click('#password-form button[type=submit]');
    await tab.waitForSelector('#message.error:not([hidden])');
    expect(await tab.textContent('#message')).to.contain('do not match');

    await tab.fill('#password-form input[name=currentPassword]', 'correct horse battery');
    await tab.fill('#password-form input[name=newPassword]', 'a brand new passphrase');
    await tab.click('#password-form button[type=submit]');
    await tab.waitForSelector('#message.info:not([hidden])');
    expect(await tab.textContent('#message')).to.contain('Password changed');

    await tab.click('#sessions li button');
    await tab.waitForSelector('#signed-out:not([hidden])');
    expect((await context.cookies()).map((c) => c.name)).to.deep.equal([]);
    await context.close();
  });
});
