import { expect } from 'chai';
import { type Browser, type Page } from 'playwright-core';
import { chromiumOrSkip, decodedWidth, PageWatch, screenshot } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  summary?: string;
  responses: Record<string, { description?: string }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

/** What the page shows, read from its headings: one section per path, one article per operation. */
interface Rendered {
  path: string;
  operations: Array<{ method: string; text: string; statuses: string[] }>;
}

async function openDocs(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/docs`);
  await page.waitForSelector('#content[aria-busy="false"]');
}

describe('the API reference page in a real browser', function () {
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

  it('renders every path of /openapi.json with its methods, summaries and status codes, without a console error or a failed request', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const watch = new PageWatch(page);
    const doc = (await call(app.url, 'GET', '/openapi.json')).body as Document;
    await openDocs(page, app.url);
    expect(await page.getByRole('alert').count(), 'no error shown').to.equal(0);

    const rendered: Rendered[] = await page.$$eval('section.path', (sections) =>
      sections.map((section) => ({
        path: section.querySelector('h3')?.innerText ?? '',
        operations: [...section.querySelectorAll('article.operation')].map((article) => ({
          method: article.querySelector('h4 .method')?.innerText ?? '',
          text: article.innerText,
          statuses: [...article.querySelectorAll('table.responses > tbody > tr > th')].map((th) => th.innerText),
        })),
      })),
    );
    const paths = Object.keys(doc.paths);
    expect(paths).to.not.be.empty;
    const operations = paths.flatMap((path) => Object.keys(doc.paths[path] ?? {}).filter((m) => METHODS.includes(m)));
    expect(await page.locator('article.operation').locator('visible=true').count(), 'every operation is on screen').to.equal(operations.length);
    expect(rendered.map((r) => r.path)).to.have.members(paths);
    for (const path of paths) {
      const shown = rendered.find((r) => r.path === path) as Rendered;
      const methods = Object.keys(doc.paths[path] ?? {}).filter((m) => METHODS.includes(m));
      expect(shown.operations.map((o) => o.method), path).to.have.members(methods.map((m) => m.toUpperCase()));
      for (const method of methods) {
        const operation = doc.paths[path]?.[method] as Operation;
        const article = shown.operations.find((o) => o.method === method.toUpperCase());
        if (operation.summary) expect(article?.text, `${method} ${path}`).to.contain(operation.summary);
        expect(article?.statuses, `${method} ${path}`).to.have.members(Object.keys(operation.responses));
        for (const response of Object.values(operation.responses)) if (response.description) expect(article?.text).to.contain(response.description);
      }
    }

    // The request body of registration, with its required fields marked.
    const register = await page.$$eval('#op-post-auth-register .request-body > .schema > table > tbody > tr', (rows) =>
      rows.map((row) => [...row.children].map((cell) => cell.innerText)),
    );
    expect(register.map((r) => r[0])).to.deep.equal(['email', 'password', 'name']);
    expect(register.map((r) => r[2])).to.deep.equal(['required', 'required', 'optional']);
    expect(register[2]?.[1]).to.equal('string | null');

    // Every security scheme, with the operations that use it linked to it.
    const schemes: string[] = await page.locator('section.scheme h3').allInnerTexts();
    expect(schemes).to.have.members(Object.keys(doc.components.securitySchemes));
    expect(await page.locator('#op-get-auth-me').innerText()).to.match(/Authentication: bearer or cookie/);

    // One h1, and headings never skip a level.
    const levels: number[] = await page.$$eval('h1, h2, h3, h4, h5, h6', (hs) => hs.map((h) => Number(h.tagName.slice(1))));
    expect(levels.filter((l) => l === 1)).to.have.length(1);
    levels.forEach((level, i) => expect(level - (levels[i - 1] ?? 0), `heading ${i}`).to.be.at.most(1));

    // The icon it links decodes under the page's CSP.
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).to.equal('/favicon.svg');
    expect(await decodedWidth(page, icon ?? '')).to.be.greaterThan(0);

    await page.getByRole('heading', { level: 1 }).waitFor({ state: 'visible' });
    await screenshot(page, 'docs', { fullPage: false });
    await page.locator('#op-get-auth-sessions').scrollIntoViewIfNeeded();
    await screenshot(page, 'docs-sessions', { fullPage: false });
    expect(watch.problems()).to.deep.equal([]);
    await page.close();
  });

  it('shows markup inside the document as text, never as HTML', async () => {
    const page = await browser.newPage();
    const watch = new PageWatch(page);
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const hostile = {
      openapi: '3.1.0',
      info: { title: `Evil ${payload}`, version: '1', description: payload },
      servers: [{ url: 'javascript:window.__pwned=3' }],
      paths: {
        [`/x/${payload}`]: {
          get: {
            summary: payload,
            description: payload,
            parameters: [{ name: payload, in: 'query', description: payload, schema: { type: 'string' } }],
            responses: { 200: { description: payload } },
          },
        },
      },
      components: { securitySchemes: { [payload]: { type: 'apiKey', in: 'header', name: payload, description: payload } } },
    };
    await page.route('**/openapi.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(hostile) }));
    await openDocs(page, app.url);
    expect(await page.locator('article.operation .summary').innerText()).to.equal(payload);
    expect(await page.locator('section.path h3').innerText()).to.equal(`/x/${payload}`);
    expect(await page.$$('main img, main script, body > img')).to.have.length(0);
    expect(await page.$$eval('a[href^="javascript:"]', (links) => links.length)).to.equal(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).to.equal(undefined);
    expect(await page.$$eval('[id]', (nodes) => nodes.every((n) => /^[a-z0-9-]+$/i.test(n.id)))).to.equal(true);
    expect(watch.problems()).to.deep.equal([]);
    await page.close();
  });

  it('says so, in an alert, when the document cannot be loaded', async () => {
    const page = await browser.newPage();
    const watch = new PageWatch(page).allow('GET', '/openapi.json', 503);
    await page.route('**/openapi.json', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{}' }));
    await openDocs(page, app.url);
    const alert = page.getByRole('alert');
    expect(await alert.isVisible()).to.equal(true);
    expect(await alert.innerText()).to.contain('503');
    await screenshot(page, 'docs-unavailable');
    expect(watch.problems()).to.deep.equal([]);
    await page.close();
  });
});
