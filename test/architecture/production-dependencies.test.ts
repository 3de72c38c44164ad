import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');

/** The TypeScript files that run in production: src, the migrations, and knexfile.ts. */
function runtimeFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return walk(path);
      return /\.(ts|mts)$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
    });
  return [...walk(join(ROOT, 'src')), ...walk(join(ROOT, 'migrations')), join(ROOT, 'knexfile.ts')];
}

const isTypeOnlyImport = (node: ts.ImportDeclaration): boolean => {
  const clause = node.importClause;
  if (!clause) return false; // `import 'x'` runs x
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
};

/**
 * Every module specifier a source file loads at run time: static imports and re-exports (type-only
 * ones are erased by the compiler), `import('x')` and `require('x')` with a literal.
 */
export function runtimeSpecifiers(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2023, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !isTypeOnlyImport(node)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      const dynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const requireCall = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if ((dynamicImport || requireCall) && first && ts.isStringLiteralLike(first)) found.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

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
