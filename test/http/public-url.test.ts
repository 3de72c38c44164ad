import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { call, GOOD_PASSWORD, uniqueEmail } from '../support/http.js';
import { COOKIE_MODE, expectSessionCookies } from './web-client.js';

/** What follows PUBLIC_URL when it is not set: the OpenAPI document's server, WEB_APP_URL and the cookies' Secure. */
describe('an unset PUBLIC_URL follows HOST and PORT, as the service answers', () => {
  const started: TestApp[] = [];
  const serverOf = async (env: Record<string, string>) => {
    const app = await startTestApp({ env });
    started.push(app);
    const doc = await call<{ servers: Array<{ url: string }> }>(app.url, 'GET', '/openapi.json');
    return { app, servers: doc.body.servers.map((s) => s.url) };
  };
  after(() => Promise.all(started.map((a) => a.close())));

  it('names http://localhost:4000 as the OpenAPI server when only PORT=4000 is set', async () => {
    expect((await serverOf({ PORT: '4000' })).servers).to.deep.equal(['http://localhost:4000']);
  });

  it('names http://10.0.0.5:3000 when HOST=10.0.0.5, and PUBLIC_URL itself when it is set', async () => {
    expect((await serverOf({ HOST: '10.0.0.5' })).servers).to.deep.equal(['http://10.0.0.5:3000']);
    expect((await serverOf({ PORT: '4000', PUBLIC_URL: 'https://auth.example.com' })).servers).to.deep.equal(['https://auth.example.com']);
  });

  it('keeps the cookies of the followed http URL not Secure', async () => {
    const { app } = await serverOf({ PORT: '4000' });
    const res = await call(app.url, 'POST', '/auth/register', { json: { email: uniqueEmail('public-url'), password: GOOD_PASSWORD }, headers: COOKIE_MODE });

    expectSessionCookies(res, false);
  });
});
