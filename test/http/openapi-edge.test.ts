import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';

type Responses = Record<string, { description: string }>;
interface Document {
  paths: Record<string, Record<string, { security?: unknown[]; responses: Responses }>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
}

/** The OpenAPI document names what the HTTP edge answers: 408 everywhere, /metrics' 401 and 404, CSRF_FAILED on cookie routes. */
describe('GET /openapi.json: the answers of the HTTP edge', () => {
  let app: TestApp;
  let doc: Document;
  before(async () => {
    app = await startTestApp();
    doc = (await call(app.url, 'GET', '/openapi.json')).body as Document;
  });
  after(() => app.close());

  it('documents 408 REQUEST_TIMEOUT on every operation', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method} ${path}`, op] as const));
    expect(operations.length).to.be.greaterThan(10);
    for (const [name, op] of operations) expect(op.responses['408']?.description, name).to.match(/^REQUEST_TIMEOUT/);
  });

  it('documents GET /metrics: 200, 401 INVALID_METRICS_TOKEN with its bearer scheme, 404 when moved or off', () => {
    const metrics = doc.paths['/metrics']?.get;
    expect(metrics?.responses['200']).to.be.an('object');
    expect(metrics?.responses['401']?.description).to.match(/^INVALID_METRICS_TOKEN/);
    expect(metrics?.responses['404']?.description).to.match(/^NOT_FOUND/);
    expect(metrics?.security).to.deep.include({ metricsToken: [] });
    expect(doc.components.securitySchemes.metricsToken).to.include({ type: 'http', scheme: 'bearer' });
  });

  it('documents 403 CSRF_FAILED on every unsafe route a cookie can authenticate', () => {
    for (const [method, path] of [
      ['post', '/auth/refresh'],
      ['post', '/auth/logout'],
      ['post', '/auth/logout-all'],
      ['post', '/auth/password'],
      ['delete', '/auth/sessions/{id}'],
      ['post', '/auth/github/link'],
      ['post', '/auth/passkeys/registration/options'],
      ['post', '/auth/passkeys/registration'],
      ['delete', '/auth/passkeys/{id}'],
    ] as const) {
      expect(doc.paths[path]?.[method]?.responses['403']?.description, `${method} ${path}`).to.match(/^CSRF_FAILED/);
    }
  });
});
