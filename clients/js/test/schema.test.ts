import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { generateSchemaSource, SCHEMA_FILE } from '../scripts/schema-source.js';

describe('@auth-api/client: src/schema.ts', function () {
  this.timeout(60_000);

  it('is what `npm run client:types` generates from the OpenAPI document now (run it and commit when this fails)', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const fresh = await generateSchemaSource();
    if (committed === fresh) return;
    const a = committed.split('\n');
    const b = fresh.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    expect.fail(`clients/js/src/schema.ts is stale: run \`npm run client:types\`. First difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  generated: ${b[line] ?? '(end of file)'}`);
  });
});
