import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApiDocument } from '../../src/adapters/http/openapi.js';

export type Document = ReturnType<typeof openApiDocument>;

/** The document the service serves, written to a fresh directory for the command-line tools. */
export function writeDocument(doc: unknown = openApiDocument('http://localhost:3000')): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'auth-openapi-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return { dir, file };
}
