import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { createDatabase } from '../../../../src/adapters/persistence/knex/database.js';
import { createMissingDatabase, DatabaseNotCreatedError } from '../../../../src/adapters/persistence/knex/missing-database.js';
import { TOKENS } from '../../../../src/composition/tokens.js';
import { loadConfig } from '../../../../src/config/env.js';
import { prepareService } from '../../../../src/start-up.js';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from '../../../support/config.js';
import { mysqlUrl, warnMysqlSkipped } from '../../../support/databases.js';
import { freePort } from '../../../support/http.js';
import { capturingLogger } from '../../../support/log-capture.js';

interface Entry {
  readonly level: number;
  readonly msg: string;
  readonly database?: string;
}

/** A password a URL cannot hold unencoded: DATABASE_PASSWORD takes it as it is. */
const awkwardPassword = () => `p@ss/wo:rd%41-${randomBytes(4).toString('hex')}`;

describe('createMissingDatabase without a database server to ask', () => {
  it('leaves a server that does not answer to the migrations and /readyz, as before (null, nothing thrown)', async () => {
    const db = createDatabase(`mysql://auth@127.0.0.1:${await freePort()}/auth`);
    try {
      expect(await createMissingDatabase(db)).to.equal(null);
    } finally {
      await db.destroy();
    }
  });

  it('does nothing on SQLite', async () => {
    const db = createDatabase('sqlite::memory:');
    expect(await createMissingDatabase(db)).to.equal(null);
    await db.destroy();
  });
});

describe('start-up on MySQL/MariaDB when the database does not exist', function () {
  this.timeout(20_000);
  let admin: Knex;
  const databases: string[] = [];
  const users: string[] = [];

  before(function () {
    const base = mysqlUrl();
    if (base === null) {
      warnMysqlSkipped();
      return this.skip();
    }
    const server = new URL(base);
    admin = knex({
      client: 'mysql2',
      connection: { host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username), password: decodeURIComponent(server.password) },
      pool: { min: 0, max: 1 },
    });
  });
  after(async () => {
    if (!admin) return;
    for (const name of databases) await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
    for (const user of users) await admin.raw("DROP USER IF EXISTS ?@'%'", [user]);
    await admin.destroy();
  });

  /** A database name nothing has used, dropped after the suite whatever the test made of it. */
  const freshName = () => {
    const name = `auth_test_missing_${randomBytes(5).toString('hex')}`;
    databases.push(name);
    return name;
  };

  /** A temporary account with `password`, granted `grant` on `database` (or nothing); dropped after the suite. */
  async function temporaryUser(password: string, database: string, grant: string | null): Promise<string> {
    const user = `auth_tmp_${randomBytes(4).toString('hex')}`;
    users.push(user);
    await admin.raw("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
    if (grant) await admin.raw(`GRANT ${grant} ON ??.* TO ?@'%'`, [database, user]);
    return user;
  }

  const exists = async (name: string) => {
    const [rows] = (await admin.raw('SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])) as [
      Array<{ charset: string; collation: string }>,
    ];
    return rows[0] ?? null;
  };

  /** prepareService as main runs it, for `user` with DATABASE_PASSWORD on `database`; the log it wrote, or what it threw. */
  async function startAs(user: string, password: string, database: string) {
    const server = new URL(mysqlUrl() ?? '');
    const capture = capturingLogger<Entry>();
    const loaded = loadConfig({
      DATABASE_URL: `mysql://${user}@${server.host}/${database}`,
      DATABASE_PASSWORD: password,
      JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
      JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
    });
    try {
      const container = await prepareService(loaded, capture.logger);
      await container.resolve<Knex>(TOKENS.Database).destroy();
      return { entries: capture.entries(), lines: capture.lines, error: null };
    } catch (error) {
      return { entries: capture.entries(), lines: capture.lines, error: error as Error };
    }
  }

  it('creates it (utf8mb4, utf8mb4_unicode_ci) when the account may, says so in one info line, and migrates it: with a DATABASE_PASSWORD holding @ / : %', async () => {
    const name = freshName();
    const password = awkwardPassword();
    const user = await temporaryUser(password, name, 'ALL PRIVILEGES');

    const { entries, lines, error } = await startAs(user, password, name);

    expect(error).to.equal(null);
    expect(await exists(name)).to.deep.equal({ charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' });
    const created = entries.filter((e) => e.msg.startsWith('database created'));
    expect(created).to.have.length(1);
    expect(created[0]).to.include({ level: 30, database: name });
    const [tables] = (await admin.raw('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [name, 'users'])) as [Array<{ n: number }>];
    expect(Number(tables[0]?.n)).to.equal(1);
    expect(lines.join('\n')).not.to.include(password).and.not.to.include(encodeURIComponent(password));
  });

  it('says nothing of creating when the database exists', async () => {
    const name = freshName();
    await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
    const password = awkwardPassword();
    const user = await temporaryUser(password, name, 'ALL PRIVILEGES');

    const { entries, error } = await startAs(user, password, name);

    expect(error).to.equal(null);
    expect(entries.filter((e) => e.msg.startsWith('database created'))).to.deep.equal([]);
  });

  for (const [who, grant] of [
    ['an account with a privilege on it but not CREATE', 'SELECT'],
    ['an account with no privilege on it at all (the server then will not say whether it exists)', null],
  ] as const) {
    it(`stops ${who}, giving the statements to run, naming the database and account, never the password`, async () => {
      const name = freshName();
      const password = awkwardPassword();
      const user = await temporaryUser(password, name, grant);

      const { lines, error } = await startAs(user, password, name);

      expect(error).to.be.instanceOf(DatabaseNotCreatedError);
      const message = error?.message ?? '';
      expect(message).to.include(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`);
      expect(message).to.include(`GRANT ALL PRIVILEGES ON \`${name}\`.* TO '${user}'@'%';`);
      for (const text of [message, lines.join('\n')]) expect(text).not.to.include(password).and.not.to.include(encodeURIComponent(password)).and.not.to.include('p@ss');
      expect(await exists(name)).to.equal(null);
    });
  }
});
