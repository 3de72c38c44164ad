import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';

/** The CSP's directives by name: `script-src 'self'` → { 'script-src': ["'self'"] }. */
function directives(header: string | null): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = values;
  }
  return out;
}

describe('GET /docs (the API reference page)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('serves an HTML page that loads its own script and stylesheet', async () => {
    const res = await call(app.url, 'GET', '/docs');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html; charset=utf-8/);
    expect(res.text).to.match(/^<!doctype html>/i);
    expect(res.text).to.contain('<html lang="en">');
    expect(res.text).to.match(/<script type="module" src="\/docs\.js"><\/script>/);
    expect(res.text).to.contain('<link rel="stylesheet" href="/docs.css">');
    expect(res.text).to.match(/<main id="content"/);
  });

  it('has no inline script and nothing from another origin', async () => {
    const { text } = await call(app.url, 'GET', '/docs');
    const scripts = [...text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts).to.have.length(1);
    for (const [, attributes, body] of scripts) {
      expect(attributes).to.match(/\bsrc="\/[^/]/);
      expect(body?.trim()).to.equal('');
    }
    expect(text).to.not.match(/\son[a-z]+\s*=/i); // no inline event handlers either
    expect(text).to.not.match(/(?:src|href)="(?:https?:)?\/\//i);
  });

  it('is served with the strict Content-Security-Policy: scripts from self only, none inline', async () => {
    const res = await call(app.url, 'GET', '/docs');
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp['default-src']).to.deep.equal(["'self'"]);
    expect(csp['script-src']).to.deep.equal(["'self'"]);
    expect(csp['script-src-attr']).to.deep.equal(["'none'"]);
    expect(csp['object-src']).to.deep.equal(["'none'"]);
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('x-request-id')).to.be.a('string');
  });

  it('serves the script and the stylesheet with their types', async () => {
    const script = await call(app.url, 'GET', '/docs.js');
    expect(script.status).to.equal(200);
    expect(script.headers.get('content-type')).to.match(/^text\/javascript/);
    expect(script.text).to.contain("fetch('/openapi.json'");
    const style = await call(app.url, 'GET', '/docs.css');
    expect(style.status).to.equal(200);
    expect(style.headers.get('content-type')).to.match(/^text\/css/);
  });

  it('never writes text of the document as HTML (no innerHTML, outerHTML, insertAdjacentHTML or document.write)', async () => {
    const { text } = await call(app.url, 'GET', '/docs.js');
    expect(text).to.not.match(/\.(?:inner|outer)HTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(/);
  });

  it('points at a document that exists', async () => {
    const res = await call(app.url, 'GET', '/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body).to.have.property('paths');
  });
});
