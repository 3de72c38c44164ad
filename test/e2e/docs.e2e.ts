import { expect } from 'chai';
import { type Browser } from 'playwright-core';
import { chromiumOrSkip, isFocused, PageWatch, screenshot } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { call, register, uniqueEmail } from '../support/http.js';

describe('the API reference (/docs) in a real browser', function () {
  this.timeout(60_000);
  let app: TestApp;
  let browser: Browser;

  before(async function () {
    browser = await chromiumOrSkip(this, 'browser test');
    app = await startTestApp();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('renders every operation of /openapi.json, fetching nothing from anywhere but the service', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const watch = new PageWatch(page);
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).origin !== app.url) elsewhere.push(request.url());
    });
    const doc = (await call(app.url, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { summary: string }>> };
    await page.goto(`${app.url}/docs`);

    const sidebar = page.getByRole('navigation', { name: /sidebar/i });
    for (const operations of Object.values(doc.paths)) {
      for (const { summary } of Object.values(operations)) {
        expect(await sidebar.getByRole('button', { name: summary, exact: false }).first().isVisible(), summary).to.equal(true);
      }
    }
    expect(await page.getByRole('heading', { name: 'auth-api', level: 1 }).isVisible()).to.equal(true);
    await screenshot(page, 'docs-reference');
    expect(elsewhere, 'requests that left the service').to.deep.equal([]);
    expect(watch.problems()).to.deep.equal([]);
  });

  it('finds an operation by search and runs it with a Bearer token through try-it: GET /auth/me answers the user', async () => {
    const { email, accessToken } = await register(app.url, uniqueEmail('docs'));

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const watch = new PageWatch(page);
    await page.goto(`${app.url}/docs`);
    await page.getByRole('button', { name: /The signed-in user/ }).first().waitFor();

    // Search, as a person does: the shortcut, a few words, the result.
    await page.keyboard.press('Control+k');
    const query = page.getByRole('combobox', { name: /search/i });
    expect(await isFocused(query), 'the search field has the focus').to.equal(true);
    await page.keyboard.type('signed-in user');
    const result = page.getByRole('option', { name: /The signed-in user ,/ });
    expect(await result.innerText()).to.contain('/auth/me');
    await screenshot(page, 'docs-search', { fullPage: false });
    await result.click();
    await page.waitForURL(/#GET\/auth\/me$/);

    // Try it: the client opens on this operation, the token goes in, the request goes out.
    await page.getByRole('button', { name: /test request/i }).filter({ hasText: 'get /auth/me' }).click();
    const client = page.getByRole('dialog', { name: 'API Client' });
    await client.getByRole('textbox', { name: 'Bearer Token' }).fill(accessToken);
    await client.getByRole('button', { name: /^Send get request to .*\/auth\/me$/ }).click();

    const response = client.getByRole('region', { name: 'Response', exact: true });
    await response.getByText(email).first().waitFor();
    const shown = await response.innerText();
    expect(shown).to.match(/\b200\b/);
    expect(shown).to.contain(email);
    await screenshot(page, 'docs-try-it', { fullPage: false });
    expect(watch.problems()).to.deep.equal([]);
  });
});
