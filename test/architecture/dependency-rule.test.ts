import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { moduleImports, tsFiles } from './imports.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/**
 * The adapter families: one technology or one edge each. A family imports the domain, the
 * application, config's settings and its own modules, never another family: what two families
 * both need lives in `shared/` (which imports no family), in a domain port, or is handed over by
 * the composition root.
 */
export const ADAPTER_FAMILIES = [
  'http',
  'persistence/knex',
  'persistence/redis',
  'persistence/memory',
  'persistence/cache',
  'crypto',
  'throttle',
  'logging',
  'system',
  'passwords',
  'mail',
  'audit',
  'webauthn',
] as const;
const SHARED = 'shared';

/** The files that start the process and wire it, the composition root: src/composition and the entry points beside main. */
const isRoot = (path: string | null): boolean => path !== null && (isIn(path, 'composition') || /^(main|migrate|admin|start-up)\.[jt]s$/.test(path));

interface Found {
  /** The importing file, relative to src/ (with forward slashes). */
  readonly from: string;
  readonly specifier: string;
  readonly typeOnly: boolean;
  /** Where a relative specifier lands, relative to src/ (it may lie outside: `../migrations/...`); null for packages and node: modules. */
  readonly target: string | null;
}

const posix = (path: string) => path.split(sep).join('/');

/** Where a specifier in the file at `file` (absolute) lands, relative to src/; null for packages and node: modules. */
const targetOf = (file: string, specifier: string): string | null => (specifier.startsWith('.') ? posix(relative(SRC, resolve(dirname(file), specifier))) : null);

/** Every import of every file below src/`folder` (src/ itself when empty). */
function importsBelow(folder = ''): Found[] {
  return tsFiles(join(SRC, folder)).flatMap((file) => {
    const from = posix(relative(SRC, file));
    return moduleImports(file, readFileSync(file, 'utf8')).map(({ specifier, typeOnly }) => ({
      from,
      specifier,
      typeOnly,
      target: targetOf(file, specifier),
    }));
  });
}

const describeImport = (i: Found, why: string) => `src/${i.from} imports ${i.specifier}: ${why}`;
function isIn(path: string | null, folder: string): boolean {
  return path !== null && (path === folder || path.startsWith(`${folder}/`));
}

/** The imports that leave `allowed` (folders under src/), packages and node: modules included unless `packages`. */
export function confinedTo(imports: readonly Found[], allowed: readonly string[], packages: boolean, why: string): string[] {
  return imports
    .filter((i) => (i.target === null ? !packages : !allowed.some((folder) => isIn(i.target, folder))))
    .map((i) => describeImport(i, why));
}

/** The family of a path under src/ (`adapters/http/app.ts` -> `http`), `shared`, or null when it is no adapter or in no declared family. */
export function familyOf(path: string): string | null {
  if (!path.startsWith('adapters/')) return null;
  const inside = path.slice('adapters/'.length);
  if (isIn(inside, SHARED)) return SHARED;
  return [...ADAPTER_FAMILIES].sort((a, b) => b.length - a.length).find((f) => isIn(inside, f)) ?? null;
}

/** What may not be: one line per offending import, naming the file, the import and the rule. */
export function adapterViolations(imports: readonly Found[]): string[] {
  return imports.flatMap((i) => {
    const own = familyOf(i.from);
    if (i.target === null) return [];
    if (isRoot(i.target)) {
      return [describeImport(i, 'adapters never import the composition root; it hands them what they need')];
    }
    if (isIn(i.target, 'config/env.js') && !i.typeOnly) {
      return [describeImport(i, 'adapters read config types and settings, never loadConfig (only main and the roots load the environment)')];
    }
    const other = familyOf(i.target);
    if (!isIn(i.target, 'adapters') || other === own) return [];
    if (other === SHARED) return [];
    if (own === SHARED) return [describeImport(i, `adapters/${SHARED} imports no adapter family (here ${other})`)];
    return [describeImport(i, `the ${own} family may not import the ${other ?? 'undeclared'} family; move what both need to adapters/${SHARED}, a domain port, or the composition root`)];
  });
}

describe('architecture: dependencies point inward', () => {
  it('keeps src/domain on itself alone: no package, no node: module, no outer layer', () => {
    expect(confinedTo(importsBelow('domain'), ['domain'], false, 'the domain imports only the domain (lists such as common passwords come through a port)')).to.deep.equal([]);
  });

  it('keeps src/application on the domain alone: no package, no node: module, no adapter, config or composition', () => {
    expect(confinedTo(importsBelow('application'), ['domain', 'application'], false, 'the application imports only the domain and itself')).to.deep.equal([]);
  });

  it('keeps src/config on the domain and packages: it knows no use case, adapter or composition', () => {
    expect(confinedTo(importsBelow('config'), ['domain', 'config'], true, 'config imports only the domain, itself and packages')).to.deep.equal([]);
  });

  it('puts every adapter in a declared family (or shared/), so a new folder is a decision, not an accident', () => {
    const homeless = tsFiles(join(SRC, 'adapters'))
      .map((file) => posix(relative(SRC, file)))
      .filter((path) => familyOf(path) === null);
    expect(homeless).to.deep.equal([]);
  });

  it('keeps each adapter family out of the others: only the composition root puts them together', () => {
    expect(adapterViolations(importsBelow('adapters'))).to.deep.equal([]);
  });

  it('lets only src/config/env.ts read process.env', () => {
    const readers = tsFiles(SRC)
      .filter((file) => /process\.env/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(readers).to.deep.equal(['src/config/env.ts']);
  });

  it('lets only the composition root (src/composition, main, migrate, admin, start-up) know concrete adapters', () => {
    const found = importsBelow()
      .filter((i) => !isIn(i.from, 'adapters') && !isRoot(i.from))
      .filter((i) => isIn(i.target, 'adapters'))
      .map((i) => describeImport(i, 'only the composition root knows adapters'));
    expect(found).to.deep.equal([]);
  });

  describe('the checks themselves can fail', () => {
    const probe = (from: string, specifier: string, typeOnly = false): Found => ({
      from,
      specifier,
      typeOnly,
      target: targetOf(join(SRC, from), specifier),
    });

    it('names the offending import when one family imports another', () => {
      const found = adapterViolations([probe('adapters/http/strategies/jwt.ts', '../../system/system-clock.js')]);
      expect(found).to.have.length(1);
      expect(found[0]).to.include('src/adapters/http/strategies/jwt.ts imports ../../system/system-clock.js').and.include('the http family may not import the system family');
    });

    it('tells the persistence families apart, and allows a family its own modules and shared/', () => {
      expect(adapterViolations([probe('adapters/persistence/cache/caching-token-store.ts', '../knex/knex-token-store.js')])).to.have.length(1);
      expect(
        adapterViolations([
          probe('adapters/persistence/cache/caching-accounts.ts', './read-through-cache.js'),
          probe('adapters/http/strategies/jwt.ts', '../../shared/stale-sweeper.js'),
          probe('adapters/http/app.ts', '../../config/jwt-settings.js'),
          probe('adapters/http/server.ts', '../../config/env.js', true),
          probe('adapters/persistence/knex/database.ts', '../../../../migrations/index.js'),
        ]),
      ).to.deep.equal([]);
    });

    it('refuses shared/ importing a family, an adapter importing the composition root, and a value import of loadConfig', () => {
      expect(adapterViolations([probe('adapters/shared/x.ts', '../http/app.js')])[0]).to.include('imports no adapter family');
      expect(adapterViolations([probe('adapters/http/app.ts', '../../composition/container.js')])[0]).to.include('composition root');
      expect(adapterViolations([probe('adapters/http/app.ts', '../../start-up.js')])[0]).to.include('composition root');
      expect(adapterViolations([probe('adapters/http/server.ts', '../../config/env.js')])[0]).to.include('never loadConfig');
    });

    it('knows no family for a folder nobody declared', () => {
      expect(familyOf('adapters/sms/twilio-sender.ts')).to.equal(null);
      expect(familyOf('adapters/mail/smtp-mail-transport.ts')).to.equal('mail');
      expect(familyOf('adapters/persistence/knex/rows.ts')).to.equal('persistence/knex');
    });

    it('names a package, a node: module or an adapter that the domain or the application imports, and lets config use packages', () => {
      const application = confinedTo(
        [probe('application/sign-up.ts', 'knex'), probe('application/sign-up.ts', 'node:crypto'), probe('application/sign-up.ts', '../adapters/http/app.js'), probe('application/sign-up.ts', '../domain/user.js')],
        ['domain', 'application'],
        false,
        'the application imports only the domain and itself',
      );
      expect(application).to.deep.equal([
        'src/application/sign-up.ts imports knex: the application imports only the domain and itself',
        'src/application/sign-up.ts imports node:crypto: the application imports only the domain and itself',
        'src/application/sign-up.ts imports ../adapters/http/app.js: the application imports only the domain and itself',
      ]);
      expect(confinedTo([probe('config/jwt.ts', 'zod'), probe('config/jwt.ts', '../application/sign-up.js')], ['domain', 'config'], true, 'x')).to.have.length(1);
    });
  });
});
