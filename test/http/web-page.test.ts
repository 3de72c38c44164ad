import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The account page's own files: no inline script (the CSP allows none), and an icon, so no browser asks for one in vain. */
describe('GET / (the account page) and its icon', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const bytes = async (path: string) => {
    const res = await fetch(app.url + path);
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  it('serves the page under the strict CSP, with no inline script or handler and the icon linked', async () => {
    const res = await call(app.url, 'GET', '/');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html; charset=utf-8/);
    expect(res.headers.get('content-security-policy')).to.match(/(?:^|;)\s*script-src 'self'(?:;|$)/);
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.map(([, attributes, body]) => [attributes?.trim(), body?.trim()])).to.deep.equal([['type="module" src="/app.js"', '']]);
    expect(res.text).to.not.match(/\son[a-z]+\s*=/i);
    expect(res.text).to.contain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  });

  it('serves the SVG icon the pages link', async () => {
    const { res, body } = await bytes('/favicon.svg');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('image/svg+xml');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    const svg = body.toString('utf8');
    expect(svg.trimStart()).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).to.not.match(/<script|\son[a-z]+\s*=|href="(?:https?:)?\/\//i);
  });

  it('serves /favicon.ico as a real ICO (PNG images) for browsers that ask for it anyway', async () => {
    const { res, body } = await bytes('/favicon.ico');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('image/x-icon');
    expect([body.readUInt16LE(0), body.readUInt16LE(2)], 'ICONDIR: reserved 0, type 1 (icon)').to.deep.equal([0, 1]);
    const count = body.readUInt16LE(4);
    expect(count).to.be.at.least(1);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const [length, offset] = [body.readUInt32LE(entry + 8), body.readUInt32LE(entry + 12)];
      expect(offset + length, `image ${i} lies inside the file`).to.be.at.most(body.length);
      expect(body.subarray(offset, offset + 8).equals(PNG_SIGNATURE), `image ${i} is a PNG`).to.equal(true);
      sizes.push(body.readUInt8(entry) || 256);
    }
    expect(sizes).to.include.members([16, 32]);
  });
});
