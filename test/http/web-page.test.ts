import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { bearer, call, register, uniqueEmail } from '../support/http.js';

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
    expect(scripts.map(([, attributes, body]) => [attributes?.trim(), body?.trim()])).to.deep.equal([
      ['src="/vendor/simplewebauthn-browser.js"', ''],
      ['type="module" src="/app.js"', ''],
    ]);
    expect(res.text).to.not.match(/\son[a-z]+\s*=/i);
    expect(res.text).to.contain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  });

  it('serves the browser libraries of the page from the installed packages, as scripts of its own origin', async () => {
    const webauthn = await bytes('/vendor/simplewebauthn-browser.js');
    expect(webauthn.res.status).to.equal(200);
    expect(webauthn.res.headers.get('content-type')).to.equal('text/javascript; charset=utf-8');
    expect(webauthn.body.toString('utf8')).to.match(/SimpleWebAuthnBrowser/);
    const qr = await bytes('/vendor/lean-qr.mjs');
    expect(qr.res.status).to.equal(200);
    expect(qr.res.headers.get('content-type')).to.equal('text/javascript; charset=utf-8');
    expect(qr.body.toString('utf8')).to.match(/export\s*\{/);
    // The page's API client: the repository's own clients/js, as one module with no imports of its own.
    const client = await bytes('/vendor/auth-client.js');
    expect(client.res.status).to.equal(200);
    expect(client.res.headers.get('content-type')).to.equal('text/javascript; charset=utf-8');
    const source = client.body.toString('utf8');
    expect(source).to.match(/export function createAuthClient\(/);
    expect(source, 'no import left to resolve in the browser').to.not.match(/^\s*import\s/m);
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

/** The admin page: static like the account page, under the same CSP; what it shows is the admin API's to decide. */
describe('GET /admin (the admin page)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('serves the page to anyone, under the account page’s CSP, with only its own module script and no inline handler', async () => {
    const page = await call(app.url, 'GET', '/');
    const res = await call(app.url, 'GET', '/admin');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html; charset=utf-8/);
    expect(res.headers.get('content-security-policy')).to.equal(page.headers.get('content-security-policy'));
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.map(([, attributes, body]) => [attributes?.trim(), body?.trim()])).to.deep.equal([['type="module" src="/admin.js"', '']]);
    expect(res.text).to.not.match(/\son[a-z]+\s*=|\sstyle\s*=/i);
    expect(res.text).to.contain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  });

  it('serves its script and stylesheet with their types', async () => {
    for (const [path, type] of [['/admin.js', 'text/javascript; charset=utf-8'], ['/activity.js', 'text/javascript; charset=utf-8'], ['/admin.css', 'text/css; charset=utf-8']] as const) {
      const res = await call(app.url, 'GET', path);
      expect(res.status, path).to.equal(200);
      expect(res.headers.get('content-type'), path).to.equal(type);
    }
  });
});

/** The pages a mail links to: the account page itself, and a GET of one (a mail scanner's) spends no token. */
describe('GET /verify-email, /reset-password and /confirm-email (the mail-link pages)', () => {
  let app: TestApp;
  before(async () => {
    // No mail at sign-up: each test asks for its one mail, well inside the 60 s gap per address.
    app = await startTestApp({ env: { EMAIL_VERIFICATION: 'off' } });
  });
  after(() => app.close());

  const tokenOf = (template: 'verify_email' | 'reset_password', to: string): string => {
    const mail = app.mailer?.of(template).find((m) => m.to === to);
    if (!mail) throw new Error(`no ${template} mail to ${to}`);
    return mail.token;
  };

  it('serves the account page, under the same CSP, at each of them', async () => {
    const page = await call(app.url, 'GET', '/');
    for (const path of ['/verify-email', '/reset-password', '/confirm-email']) {
      const res = await call(app.url, 'GET', path);
      expect(res.status, path).to.equal(200);
      expect(res.headers.get('content-type'), path).to.match(/^text\/html; charset=utf-8/);
      expect(res.headers.get('content-security-policy'), path).to.equal(page.headers.get('content-security-policy'));
      expect(res.text, path).to.equal(page.text);
    }
  });

  it('serves the scripts the page imports as JavaScript', async () => {
    for (const path of ['/app.js', '/api.js', '/email.js', '/activity.js']) {
      const res = await call(app.url, 'GET', path);
      expect(res.status, path).to.equal(200);
      expect(res.headers.get('content-type'), path).to.equal('text/javascript; charset=utf-8');
    }
  });

  it('spends nothing on a GET of a link, with the token in the fragment or even the query: the POST then still verifies, and resets', async () => {
    const { email, accessToken } = await register(app.url, uniqueEmail('web-link'));
    expect((await call(app.url, 'POST', '/auth/email/verification', { headers: bearer(accessToken) })).status).to.equal(202);
    const verify = tokenOf('verify_email', email);
    for (const url of [`/verify-email#token=${verify}`, `/verify-email?token=${encodeURIComponent(verify)}`]) {
      expect((await call(app.url, 'GET', url)).status, url).to.equal(200);
    }
    const verified = await call(app.url, 'POST', '/auth/email/verify', { json: { token: verify } });
    expect(verified.status, verified.text).to.equal(200);
    expect(verified.body.emailVerified).to.equal(true);

    const other = (await register(app.url, uniqueEmail('web-link-reset'))).email;
    expect((await call(app.url, 'POST', '/auth/password/forgot', { json: { email: other } })).status).to.equal(202);
    const reset = tokenOf('reset_password', other);
    expect((await call(app.url, 'GET', `/reset-password?token=${encodeURIComponent(reset)}`)).status).to.equal(200);
    const done = await call(app.url, 'POST', '/auth/password/reset', { json: { token: reset, newPassword: 'a brand new passphrase' } });
    expect(done.status, done.text).to.equal(204);
  });
});
