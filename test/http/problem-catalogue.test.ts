import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ANY_ROUTE_CODES } from '../../src/adapters/http/openapi.js';
import { PROBLEM_CODES, statusOf } from '../../src/adapters/http/problem.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';

const CATALOGUE = resolve(import.meta.dirname, '../../docs/problems.md');

/** Codes no route answers today (kept for the ports that raise them; mapped to something else at the edge). */
const NOT_ANSWERED = new Set(['USER_NOT_FOUND']);

interface Document {
  info: { description: string };
  paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
  components: { schemas: { Problem: { properties: { code: { enum?: string[] } } } } };
}

describe('the problem catalogue (docs/problems.md) and the OpenAPI document name every code', () => {
  let app: TestApp;
  let doc: Document;
  before(async () => {
    app = await startTestApp();
    doc = (await call(app.url, 'GET', '/openapi.json')).body as Document;
  });
  after(() => app.close());

  it('lists every code once, with its status, and no code the service does not have', () => {
    const rows = [...readFileSync(CATALOGUE, 'utf8').matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows.map(([code]) => code)).to.have.members([...PROBLEM_CODES]);
    expect(rows).to.have.length(PROBLEM_CODES.length);
    for (const [code, status] of rows) expect(status, String(code)).to.equal(statusOf(code as (typeof PROBLEM_CODES)[number]));
  });

  it("gives the Problem schema's code every code as its enum", () => {
    expect(doc.components.schemas.Problem.properties.code.enum).to.have.members([...PROBLEM_CODES]);
  });

  it('names each code at a route that answers it, or among the codes any route may answer', () => {
    const described = Object.values(doc.paths)
      .flatMap((operations) => Object.values(operations))
      .flatMap((operation) => Object.values(operation.responses).map((r) => r.description ?? ''))
      .join('\n');
    const undocumented = PROBLEM_CODES.filter(
      (code) => !NOT_ANSWERED.has(code) && !(ANY_ROUTE_CODES as readonly string[]).includes(code) && !new RegExp(`\\b${code}\\b`).test(described),
    );
    expect(undocumented).to.deep.equal([]);
    for (const code of ANY_ROUTE_CODES) expect(doc.info.description).to.contain(code);
  });
});
