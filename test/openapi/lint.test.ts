import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { openApiDocument } from '../../src/adapters/http/openapi.js';
import { ROOT, bin, writeDocument } from './document.js';

const REDOCLY = bin('redocly');

interface LintReport {
  readonly totals: { readonly errors: number; readonly warnings: number };
  readonly problems: readonly { readonly ruleId: string; readonly message: string; readonly location: readonly { readonly pointer: string }[] }[];
}

/** Redocly CLI's recommended rules (redocly.yaml) on a document, as its JSON report. */
function lint(doc: unknown): LintReport {
  const { file } = writeDocument(doc);
  let out: string;
  try {
    out = execFileSync(REDOCLY, ['lint', '--config', resolve(ROOT, 'redocly.yaml'), '--format=json', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (err) {
    // It exits non-zero on errors; the report is on stdout all the same.
    out = String((err as { stdout?: unknown }).stdout ?? '');
  }
  return JSON.parse(out) as LintReport;
}

// A deployment's PUBLIC_URL: the rule against a localhost server is right for a published document.
const PUBLISHED_AT = 'https://auth.acme.dev';

const listed = (report: LintReport) => report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`);

describe('the OpenAPI document under Redocly CLI (recommended rules, redocly.yaml)', function () {
  this.timeout(60_000);

  it('has no error and no warning', () => {
    const report = lint(openApiDocument(PUBLISHED_AT));
    expect(listed(report)).to.deep.equal([]);
    expect(report.totals).to.include({ errors: 0, warnings: 0 });
  });

  it('is really linted: an operation without an operationId or a success answer is reported', () => {
    const doc = JSON.parse(JSON.stringify(openApiDocument(PUBLISHED_AT))) as {
      paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>>;
    };
    const me = doc.paths['/auth/me']?.get;
    const github = doc.paths['/auth/github']?.get;
    if (!me || !github) throw new Error('the document lost /auth/me or /auth/github');
    delete me.operationId;
    github.responses = { 404: github.responses['404'] };

    const rules = lint(doc).problems.map((p) => p.ruleId);
    expect(rules).to.include.members(['operation-operationId', 'rule/operation-success-or-redirect']);
  });
});

describe('the OpenAPI document, for a reader and a generated client', () => {
  const doc = openApiDocument('http://localhost:3000') as unknown as {
    paths: Record<string, Record<string, {
      operationId: string;
      requestBody?: { content: Record<string, { example?: unknown }> };
      responses: Record<string, { content?: Record<string, { example?: unknown }> }>;
    }>>;
  };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));

  it('gives every operation a unique operationId', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('gives every request body an example, and every operation with a success body an example of it', () => {
    for (const { name, op } of operations) {
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) expect(media.example, `${name} request ${type}`).to.not.equal(undefined);
      const successes = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      for (const [status, answer] of successes) {
        for (const [type, media] of Object.entries(answer.content ?? {})) expect(media.example, `${name} ${status} ${type}`).to.not.equal(undefined);
      }
    }
  });
});
