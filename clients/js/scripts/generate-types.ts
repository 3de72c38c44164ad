// Writes clients/js/src/schema.ts from the service's OpenAPI document (`npm run client:types`).
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generateSchemaSource, SCHEMA_FILE } from './schema-source.js';

writeFileSync(SCHEMA_FILE, await generateSchemaSource());
console.log(`wrote ${relative(process.cwd(), SCHEMA_FILE)}`);
