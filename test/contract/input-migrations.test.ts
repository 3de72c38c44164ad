import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrationSource } from '../../migrations/index.js';
import { EmailNormalisationError } from '../../migrations/20261201000001_normalise_emails.js';
import { createDatabase, migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { KnexUserRepository } from '../../src/adapters/persistence/knex/knex-user-repository.js';
import { parseEmail } from '../../src/domain/email.js';
import { mysqlDatabaseOrSkip, sqliteFileTestDatabase, type TestDatabase } from '../support/databases.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturingLogger } from '../support/log-capture.js';

const NORMALISE_EMAILS = '20261201000001_normalise_emails';

interface Row {
  id: string;
  email: string | null;
  name?: string | null;
}

/** Back to the schema just before the email migration, every later one undone in reverse order. */
async function beforeEmailMigration(db: Knex): Promise<void> {
  const applied = async () => ((await db.migrate.list({ migrationSource })) as [Array<{ name: string } | string>, unknown[]])[0].map((m) => (typeof m === 'string' ? m : m.name));
  while ((await applied()).includes(NORMALISE_EMAILS)) await db.migrate.down({ migrationSource });
}

async function seed(db: Knex, rows: readonly Row[]): Promise<void> {
  await db('users').insert(rows.map((r) => ({ id: r.id, email: r.email, name: r.name ?? null, password_hash: null, created_at: new Date('2026-01-01T00:00:00.000Z') })));
}

const stored = async (db: Knex): Promise<Record<string, { email: string | null; name: string | null }>> =>
  Object.fromEntries(((await db('users').select('id', 'email', 'name')) as Array<{ id: string; email: string | null; name: string | null }>).map((r) => [r.id, { email: r.email, name: r.name }]));


const BACKENDS: ReadonlyArray<{ readonly name: string; open(suite: Mocha.Context): Promise<TestDatabase> }> = [
  {
    name: 'SQLite',
    open: async () => {
      // A file, so the run under test can have a connection (and logger) of its own.
      const dir = mkdtempSync(join(tmpdir(), 'auth-migrate-'));
      const database = await sqliteFileTestDatabase(join(dir, 'db.sqlite3'));
      return { ...database, close: async () => (await database.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  },
  { name: 'MySQL/MariaDB', open: (suite) => mysqlDatabaseOrSkip(suite) },
];

for (const backend of BACKENDS) {
  describe(`migration: stored emails and names to the input rules (${backend.name})`, function () {
    this.timeout(60_000);
    let database: TestDatabase | undefined;

    beforeEach(async function () {
      database = await backend.open(this);
      await beforeEmailMigration(database.db);
    });
    afterEach(async () => {
      await database?.close();
      database = undefined;
    });

    /** The migrations as a deployment runs them: on a connection of its own, logging through pino. */
    async function migrateAsDeployed(): Promise<{ result: Promise<string[]>; lines: string[] }> {
      const { logger, lines } = capturingLogger('debug');
      const db = createDatabase(database!.url, logger);
      const result = migrateToLatest(db).finally(() => db.destroy());
      await result.catch(() => undefined);
      return { result, lines };
    }

    it('rewrites every stored email into its canonical form (NFC, lower case, IDNA ASCII domain) and leaves the rest as it was', async () => {
      const db = database!.db;
      await seed(db, [
        { id: 'u-idn', email: 'anna@b\u00fccher.de' },
        { id: 'u-nfd', email: 'jose\u0301@example.com' },
        { id: 'u-upper', email: 'Grace@Example.COM' },
        { id: 'u-plain', email: 'plain@example.com' },
        { id: 'u-none', email: null },
      ]);

      const { result } = await migrateAsDeployed();
      expect(await result).to.include(NORMALISE_EMAILS);

      const after = await stored(db);
      expect(after['u-idn']?.email).to.equal('anna@xn--bcher-kva.de');
      expect(after['u-nfd']?.email).to.equal('jos\u00e9@example.com');
      expect(after['u-upper']?.email).to.equal('grace@example.com');
      expect(after['u-plain']?.email).to.equal('plain@example.com');
      expect(after['u-none']?.email).to.equal(null);

      // The repository now finds them by whatever form a person types.
      const users = new KnexUserRepository(db);
      expect((await users.findByEmail(parseEmail('anna@xn--bcher-kva.de')))?.id).to.equal('u-idn');
      expect((await users.findByEmail(parseEmail('JOS\u00c9@example.com')))?.id).to.equal('u-nfd');
    });

    it('refuses to migrate when two accounts would share an address: names their ids and the count, never the emails, and changes nothing', async () => {
      const db = database!.db;
      const rows: Row[] = [
        { id: 'dup-a1', email: 'alpha.local@b\u00fccher.de' },
        { id: 'dup-a2', email: 'alpha.local@xn--bcher-kva.de' },
        { id: 'dup-b1', email: 'ren\u00e9.local@example.com' },
        { id: 'dup-b2', email: 'rene\u0301.local@example.com' },
        { id: 'dup-b3', email: 'REN\u00c9.LOCAL@example.com' },
        { id: 'bad-1', email: 'zero\u200bwidth.local@example.com' },
        { id: 'ok-1', email: 'fine.local@b\u00fccher.de' },
      ];
      await seed(db, rows);
      const before = await stored(db);

      const { result, lines } = await migrateAsDeployed();
      const error = await result.then(
        () => expect.fail('the migration must refuse'),
        (err: unknown) => err,
      );

      expect(error).to.be.instanceOf(Error);
      const message = (error as Error).message;
      expect(error).to.be.instanceOf(EmailNormalisationError);
      expect((error as EmailNormalisationError).duplicates).to.deep.equal([
        ['dup-a1', 'dup-a2'],
        ['dup-b1', 'dup-b2', 'dup-b3'],
      ]);
      expect((error as EmailNormalisationError).refused).to.deep.equal(['bad-1']);
      expect(message).to.include('5 accounts in 2 groups').and.include('[dup-a1, dup-a2]').and.include('[dup-b1, dup-b2, dup-b3]');
      expect(message).to.include('1 accounts have an email the new rules refuse').and.include('bad-1');
      expect(message).to.match(/never merged silently/).and.match(/run the migrations again/);
      for (const text of [message, ...lines]) {
        for (const row of rows) {
          expect(text, 'no email in the message or a log line').not.to.include(row.email!);
          expect(text).not.to.include(row.email!.split('@')[0]!.normalize('NFC'));
        }
        expect(text).not.to.match(/\.local|example\.com|b\u00fccher|xn--bcher/i);
      }

      expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).to.include('database: a migration failed');

      expect(await stored(db), 'nothing changed, the normalisable row included').to.deep.equal(before);
      const [done] = (await db.migrate.list({ migrationSource })) as [Array<{ name: string } | string>, unknown[]];
      expect(done.map((m) => (typeof m === 'string' ? m : m.name))).not.to.include(NORMALISE_EMAILS);
    });

    it('migrates once the operator resolved what it named, as the message says', async () => {
      const db = database!.db;
      await seed(db, [
        { id: 'keep', email: 'dup@b\u00fccher.de' },
        { id: 'other', email: 'dup@xn--bcher-kva.de' },
        { id: 'bad', email: 'bad\u0000@example.com' },
      ]);
      expect(await (await migrateAsDeployed()).result.catch((err: unknown) => err)).to.be.instanceOf(EmailNormalisationError);

      await db('users').where({ id: 'other' }).update({ email: 'dup.second@xn--bcher-kva.de' });
      await db('users').where({ id: 'bad' }).update({ email: null });

      expect(await (await migrateAsDeployed()).result).to.include(NORMALISE_EMAILS);
      const after = await stored(db);
      expect(after.keep?.email).to.equal('dup@xn--bcher-kva.de');
      expect(after.other?.email).to.equal('dup.second@xn--bcher-kva.de');
    });

    it('cleans stored names of control and format characters (CR/LF, ESC, U+202E, U+200B); nothing left becomes null', async () => {
      const db = database!.db;
      await seed(db, [
        { id: 'n-crlf', email: null, name: 'Ada\r\n{"level":50}' },
        { id: 'n-esc', email: null, name: '\u001b[31mAda\u001b[0m' },
        { id: 'n-bidi', email: null, name: 'Ada\u202e\u200bLovelace' },
        { id: 'n-empty', email: null, name: '\u200b\u0000' },
        { id: 'n-ok', email: null, name: 'Zo\u00eb \u{1f984} e\u0301' },
        { id: 'n-null', email: null, name: null },
      ]);

      expect(await (await migrateAsDeployed()).result).to.include('20261201000002_clean_stored_names');

      const after = await stored(db);
      expect(after['n-crlf']?.name).to.equal('Ada{"level":50}');
      expect(after['n-esc']?.name).to.equal('[31mAda[0m');
      expect(after['n-bidi']?.name).to.equal('AdaLovelace');
      expect(after['n-empty']?.name).to.equal(null);
      expect(after['n-ok']?.name).to.equal('Zo\u00eb \u{1f984} e\u0301');
      expect(after['n-null']?.name).to.equal(null);
    });

    it('pages through more rows than one batch', async () => {
      const db = database!.db;
      const rows: Row[] = Array.from({ length: 2_345 }, (_, i) => ({ id: `p-${String(i).padStart(5, '0')}`, email: `Person.${i}@B\u00fccher.de`, name: i % 2 ? `Name\n${i}` : null }));
      for (let i = 0; i < rows.length; i += 400) await seed(db, rows.slice(i, i + 400));

      await (await migrateAsDeployed()).result;

      const after = await stored(db);
      expect(after['p-00000']?.email).to.equal('person.0@xn--bcher-kva.de');
      expect(after['p-02344']?.email).to.equal('person.2344@xn--bcher-kva.de');
      expect(after['p-02343']?.name).to.equal('Name2343');
      expect(Object.values(after).filter((u) => u.email?.includes('\u00fc'))).to.deep.equal([]);
    });
  });
}
