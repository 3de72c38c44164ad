import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { bearer, call, register } from '../support/http.js';

describe('smoke', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('registers and reads /auth/me', async () => {
    const r = await register(app.url);
    const me = await call(app.url, 'GET', '/auth/me', { headers: bearer(r.accessToken) });
    expect(me.status).to.equal(200);
    expect(me.body.email).to.equal(r.email);
  });
});
