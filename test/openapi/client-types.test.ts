import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openApiDocument } from '../../src/adapters/http/openapi.js';
import { bin, writeDocument } from './document.js';


/** Generates the client's types from a document with openapi-typescript and type-checks client-usage.ts against them. */
function typeCheckClient(doc: unknown): { ok: boolean; output: string } {
  const { dir, file } = writeDocument(doc);
  execFileSync(bin('openapi-typescript'), [file, '-o', join(dir, 'schema.ts')], { stdio: 'pipe' });
  copyFileSync(resolve(import.meta.dirname, 'client-usage.ts'), join(dir, 'client-usage.ts'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true, types: [] }, files: ['client-usage.ts'] }),
  );
  try {
    execFileSync(bin('tsc'), ['-p', dir], { encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, output: '' };
  } catch (err) {
    return { ok: false, output: String((err as { stdout?: unknown }).stdout ?? err) };
  }
}

describe('a client generated from the OpenAPI document (openapi-typescript)', function () {
  this.timeout(60_000);

  it('type-checks a small client written against it', () => {
    const result = typeCheckClient(openApiDocument('http://localhost:3000'));
    expect(result.output).to.equal('');
    expect(result.ok).to.equal(true);
  });

  it('stops type-checking when the document loses a field the client reads', () => {
    const doc = JSON.parse(JSON.stringify(openApiDocument('http://localhost:3000'))) as { components: { schemas: { User: { properties: Record<string, unknown>; required: string[] } } } };
    delete doc.components.schemas.User.properties.email;
    doc.components.schemas.User.required = doc.components.schemas.User.required.filter((f) => f !== 'email');

    const result = typeCheckClient(doc);
    expect(result.ok).to.equal(false);
    expect(result.output).to.match(/client-usage\.ts.*email/);
  });
});
