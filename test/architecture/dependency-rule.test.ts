import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) specifiers.push(m[1] as string);
  return specifiers;
}

const FRAMEWORKS = /^(koa|koa-.*|@koa\/.*|passport.*|knex|mysql2|better-sqlite3|bcrypt|jsonwebtoken|jose|tsyringe|reflect-metadata|ioredis|pino.*|zod|rate-limiter-flexible)$/;

function violations(layer: string, isForbidden: (specifier: string, file: string) => boolean): string[] {
  return tsFiles(join(ROOT, 'src', layer)).flatMap((file) =>
    importsOf(file)
      .filter((s) => isForbidden(s, file))
      .map((s) => `${relative(ROOT, file)} imports ${s}`),
  );
}

const resolvesInto = (specifier: string, file: string, folders: string[]) =>
  specifier.startsWith('.') && folders.some((f) => relative(join(ROOT, 'src'), resolve(file, '..', specifier)).startsWith(`${f}/`));

describe('architecture: dependencies point inward', () => {
  it('keeps src/domain free of frameworks, infrastructure and outer layers', () => {
    const found = violations(
      'domain',
      (s, f) => FRAMEWORKS.test(s) || s.startsWith('node:') || resolvesInto(s, f, ['application', 'adapters', 'composition', 'config']),
    );
    expect(found).to.deep.equal([]);
  });

  it('keeps src/domain free of every package, not only the frameworks: lists such as common passwords come through a port', () => {
    const found = violations('domain', (s) => !s.startsWith('.'));
    expect(found).to.deep.equal([]);
  });

  it('keeps src/application free of frameworks, adapters, composition and config', () => {
    const found = violations('application', (s, f) => FRAMEWORKS.test(s) || resolvesInto(s, f, ['adapters', 'composition', 'config']));
    expect(found).to.deep.equal([]);
  });

  it('lets only src/config/env.ts read process.env', () => {
    const readers = tsFiles(join(ROOT, 'src'))
      .filter((file) => /process\.env/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(readers).to.deep.equal(['src/config/env.ts']);
  });

  it('lets only src/composition (and main) know concrete adapters', () => {
    const found = ['domain', 'application', 'config'].flatMap((layer) => violations(layer, (s, f) => resolvesInto(s, f, ['adapters'])));
    expect(found).to.deep.equal([]);
  });

  it('detects a forbidden import (the check itself can fail)', () => {
    const file = join(ROOT, 'src', 'domain', 'user.ts');
    expect(FRAMEWORKS.test('knex')).to.equal(true);
    expect(resolvesInto('../adapters/http/app.js', file, ['adapters'])).to.equal(true);
    expect(resolvesInto('./email.js', file, ['adapters'])).to.equal(false);
  });
});
