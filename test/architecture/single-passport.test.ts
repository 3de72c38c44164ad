import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const LOCK = resolve(import.meta.dirname, '../../package-lock.json');

/** Every installed copy of `name` in a lockfile, as `path@version`. */
export function installedCopies(lock: { packages: Record<string, { version?: string }> }, name: string): string[] {
  return Object.entries(lock.packages)
    .filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
    .map(([path, entry]) => `${path}@${entry.version ?? '?'}`);
}

describe('one passport', () => {
  // koa-passport 6 asks for passport 0.6; a second copy would hold its own strategy registry, so a
  // strategy registered on one would be unknown to the other (package.json `overrides` makes it one).
  it('installs exactly one copy of passport, the one koa-passport uses too', () => {
    const lock = JSON.parse(readFileSync(LOCK, 'utf8')) as { packages: Record<string, { version?: string }> };
    expect(installedCopies(lock, 'passport')).to.have.lengthOf(1);
  });

  it('sees a second copy when a lockfile has one', () => {
    const lock = { packages: { 'node_modules/passport': { version: '0.7.0' }, 'node_modules/koa-passport/node_modules/passport': { version: '0.6.0' } } };
    expect(installedCopies(lock, 'passport')).to.deep.equal(['node_modules/passport@0.7.0', 'node_modules/koa-passport/node_modules/passport@0.6.0']);
  });
});
