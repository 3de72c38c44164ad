import { resolve } from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { openApiDocument } from '../../../src/adapters/http/openapi.js';

/** The file the client's types live in, committed (clients/js/test/schema.test.ts keeps it fresh). */
export const SCHEMA_FILE = resolve(import.meta.dirname, '../src/schema.ts');

/** The public URL the document is rendered with; openapi-typescript emits nothing of it, but keep it fixed. */
const DOCUMENT_URL = 'http://localhost:3000';

const HEADER = `${COMMENT_HEADER}// Source: openApiDocument() in src/adapters/http/openapi.ts. Regenerate with \`npm run client:types\`.\n\n`;

/** schema.ts as openapi-typescript writes it from the document the service serves now. */
export async function generateSchemaSource(): Promise<string> {
  // Through JSON, as the service serves it at /openapi.json.
  const document = JSON.parse(JSON.stringify(openApiDocument(DOCUMENT_URL))) as OpenAPI3;
  return HEADER + astToString(await openapiTS(document, { silent: true }));
}
