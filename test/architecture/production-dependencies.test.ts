import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { moduleImports, tsFiles } from './imports.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The TypeScript files that run in production: src, the migrations, and knexfile.ts. */
const runtimeFiles = (): string[] => [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'migrations')), join(ROOT, 'knexfile.ts')];

/** Every module specifier a source file loads at run time (type-only imports are erased by the compiler). */
export const runtimeSpecifiers = (fileName: string, source: string): string[] =>
  moduleImports(fileName, source)
    .filter((i) => !i.typeOnly)
    .map((i) => i.specifier);

/** The npm package a bare specifier names (`@scope/name/sub` -> `@scope/name`), or null for relative paths and built-ins. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
  return builtinModules.includes(name) ? null : name;
}

describe('production install: nothing at run time comes from a devDependency', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));

  it('every bare import under src/, migrations/ and knexfile.ts is a "dependencies" entry or a node: built-in', () => {
    const missing = runtimeFiles().flatMap((file) =>
      runtimeSpecifiers(file, readFileSync(file, 'utf8'))
        .map(packageOf)
        .filter((name): name is string => name !== null && !dependencies.has(name))
        .map((name) => `${relative(ROOT, file)} imports ${name}`),
    );
    expect(missing).to.deep.equal([]);
  });

  it('reads static, side-effect, dynamic and require imports, and skips what the compiler erases (the check itself can fail)', () => {
    const source = [
      "import type { A } from 'type-only';",
      "import { type B, type C } from 'all-type-specifiers';",
      "import { type D, e } from 'one-value';",
      "import f from 'default-import';",
      "import 'side-effect';",
      "export { g } from 'reexport';",
      "export type { H } from 'type-reexport';",
      "const m = await import('dynamic');",
      "const r = require('required');",
      "import x from './relative.js';",
    ].join('\n');
    expect(runtimeSpecifiers('probe.ts', source)).to.deep.equal(['one-value', 'default-import', 'side-effect', 'reexport', 'dynamic', 'required', './relative.js']);
    expect(['@koa/router/x', 'pino-pretty', 'node:fs', 'fs', './a.js'].map(packageOf)).to.deep.equal(['@koa/router', 'pino-pretty', null, null, null]);
  });
});
