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

  it("serves an HTML page that loads Scalar's reference from the service and its own start script", async () => {
    const res = await call(app.url, 'GET', '/docs');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html; charset=utf-8/);
    expect(res.text).to.match(/^<!doctype html>/i);
    expect(res.text).to.contain('<html lang="en">');
    expect(res.text).to.contain('<script src="/docs/reference.js"></script>');
    expect(res.text).to.contain('<script src="/docs.js"></script>');
  });

  it('has no inline script and nothing from another origin', async () => {
    const { text } = await call(app.url, 'GET', '/docs');
    const scripts = [...text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts).to.have.length(2);
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

  it('serves the installed @scalar/api-reference bundle and a start script that keeps every request on the service', async () => {
    const bundle = await call(app.url, 'GET', '/docs/reference.js');
    expect(bundle.status).to.equal(200);
    expect(bundle.headers.get('content-type')).to.match(/^text\/javascript/);
    expect(bundle.text).to.contain('createApiReference');
    const start = await call(app.url, 'GET', '/docs.js');
    expect(start.status).to.equal(200);
    expect(start.text).to.contain("url: '/openapi.json'");
    expect(start.text).to.contain('withDefaultFonts: false');
    expect(start.text).to.contain('agent: { disabled: true }');
    expect(start.text).to.not.match(/proxyUrl|https?:\/\//);
  });

  it('points at a document that exists', async () => {
    const res = await call(app.url, 'GET', '/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body).to.have.property('paths');
  });
});
