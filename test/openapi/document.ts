import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openApiDocument } from '../../src/adapters/http/openapi.js';

/** The repository's root, where the tools' configuration (redocly.yaml) lives. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** A command-line tool the repository installs (node_modules/.bin). */
export const bin = (name: string): string => resolve(ROOT, 'node_modules/.bin', name);

export type Document = ReturnType<typeof openApiDocument>;

/** The document the service serves, written to a fresh directory for the command-line tools. */
export function writeDocument(doc: unknown = openApiDocument('http://localhost:3000')): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'auth-openapi-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return { dir, file };
}
