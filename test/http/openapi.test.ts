import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';

/** Every row of docs/http-api.md's endpoint table, as method and OpenAPI path. */
const API_ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['post', '/auth/register'],
  ['post', '/auth/login'],
  ['post', '/auth/refresh'],
  ['post', '/auth/logout'],
  ['post', '/auth/logout-all'],
  ['get', '/auth/me'],
  ['post', '/auth/password'],
  ['get', '/auth/sessions'],
  ['delete', '/auth/sessions/{id}'],
  ['get', '/auth/github'],
  ['get', '/auth/github/callback'],
  ['post', '/auth/github/link'],
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/openapi.json'],
];

interface Document {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[]; properties?: Record<string, unknown> } }> }; responses: Record<string, unknown> }>>;
}

describe('GET /openapi.json', () => {
  let app: TestApp;
  let doc: Document;
  before(async () => {
    app = await startTestApp({ env: { PUBLIC_URL: 'https://auth.example.com' } });
    const res = await call(app.url, 'GET', '/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    doc = res.body as Document;
  });
  after(() => app.close());

  it('is an OpenAPI 3.1 document served for PUBLIC_URL', () => {
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.servers[0]?.url).to.equal('https://auth.example.com');
  });

  for (const [method, path] of API_ROUTES) {
    it(`documents ${method.toUpperCase()} ${path} with its answers`, () => {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).to.be.an('object');
      expect(Object.keys(operation?.responses ?? {})).to.not.be.empty;
    });
  }

  // Every route a throttle can refuse (docs/security.md, Throttling): a client must know to read Retry-After.
  for (const path of ['/auth/register', '/auth/login', '/auth/password']) {
    it(`documents 429 TOO_MANY_ATTEMPTS on POST ${path}`, () => {
      const answer = doc.paths[path]?.post?.responses['429'] as { description?: string } | undefined;
      expect(answer?.description ?? '', path).to.match(/^TOO_MANY_ATTEMPTS/);
    });
  }

  it('describes request bodies with the same schemas that validate them', async () => {
    const register = doc.paths['/auth/register']?.post?.requestBody?.content['application/json']?.schema;
    expect(register?.required).to.have.members(['email', 'password']);
    expect(Object.keys(register?.properties ?? {})).to.have.members(['email', 'password', 'name']);
    const password = doc.paths['/auth/password']?.post?.requestBody?.content['application/json']?.schema;
    expect(password?.required).to.have.members(['currentPassword', 'newPassword']);
    // What the document calls required, the service refuses when missing.
    const refused = await call(app.url, 'POST', '/auth/register', { json: {} });
    expect((refused.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).to.have.members(register?.required ?? []);
  });

  it('documents PASSWORD_TOO_WEAK and its reason where a new password is set, and the input rules on the fields', () => {
    for (const path of ['/auth/register', '/auth/password']) {
      const answer = doc.paths[path]?.post?.responses['400'] as { description: string };
      expect(answer.description, path).to.include('VALIDATION_FAILED').and.include('PASSWORD_TOO_WEAK').and.include('reason');
    }
    const problemSchema = (doc as unknown as { components: { schemas: { Problem: { properties: Record<string, { enum?: string[] }> } } } }).components.schemas.Problem;
    expect(problemSchema.properties.reason?.enum).to.have.members(['common', 'email', 'app_name', 'repeated']);

    const fields = doc.paths['/auth/register']?.post?.requestBody?.content['application/json']?.schema.properties as Record<string, { description: string }>;
    expect(fields.email?.description).to.include('NFC').and.include('IDNA').and.include('U+202E');
    expect(fields.password?.description).to.include('NFC').and.include('72 bytes').and.include('control').and.include('PASSWORD_TOO_WEAK');
    expect(fields.name?.description).to.include('100').and.include('control');
  });
});
