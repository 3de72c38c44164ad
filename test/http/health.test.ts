import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';
import { expectProblem } from './helpers.js';

describe('health endpoints', () => {
  describe('when ready', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp();
    });
    after(() => app.close());

    it('answers GET /healthz with 200', async () => {
      const res = await call(app.url, 'GET', '/healthz');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type') ?? '').to.match(/^application\/json\b/);
    });

    it('answers GET /readyz with 200', async () => {
      const res = await call(app.url, 'GET', '/readyz');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type') ?? '').to.match(/^application\/json\b/);
    });

    it('needs no token', async () => {
      const res = await call(app.url, 'GET', '/healthz', { headers: { authorization: 'Bearer garbage' } });
      expect(res.status).to.equal(200);
    });
  });

  describe('when the database does not answer', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp({ readiness: async () => false });
    });
    after(() => app.close());

    it('answers GET /readyz with a 503 problem', async () => {
      const body = expectProblem(await call(app.url, 'GET', '/readyz'), 503);
      expect(body.code).to.equal('SERVICE_UNAVAILABLE');
    });

    it('still answers GET /healthz with 200 (liveness needs no database)', async () => {
      expect((await call(app.url, 'GET', '/healthz')).status).to.equal(200);
    });
  });
});
