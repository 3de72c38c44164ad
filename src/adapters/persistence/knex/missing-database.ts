import knex, { type Knex } from 'knex';

// What the server answers a connection to a database that does not exist (errno 1049).
const UNKNOWN_DATABASE = 'ER_BAD_DB_ERROR';
// An account with no privilege on a database hears this (1044) whether the database exists or not.
const NOT_ALLOWED = 'ER_DBACCESS_DENIED_ERROR';
// CREATE DATABASE refused for want of the privilege.
const CREATE_REFUSED = new Set([NOT_ALLOWED, 'ER_SPECIFIC_ACCESS_DENIED_ERROR']);

const codeOf = (err: unknown): string | null => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
};

const quoteName = (name: string): string => `\`${name.replaceAll('`', '``')}\``;
const quoteString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** The statement that makes the database, with the character set and collation the migrations expect. */
export const createDatabaseStatement = (name: string): string =>
  `CREATE DATABASE IF NOT EXISTS ${quoteName(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

/** The database is missing (or not this account's) and the account may not create it: what an administrator runs instead. Names no password. */
export class DatabaseNotCreatedError extends Error {
  constructor(
    readonly database: string,
    account: string,
    why: string,
  ) {
    super(
      `${why}. As a MySQL administrator, run:\n  ${createDatabaseStatement(database)};\n  GRANT ALL PRIVILEGES ON ${quoteName(database)}.* TO ${account};\nthen start again.`,
    );
    this.name = 'DatabaseNotCreatedError';
  }
}

/** The account the server knows this connection by (`'auth'@'%'`), for the GRANT; the URL's user on any host when it will not say. */
async function accountOf(server: Knex, user: string): Promise<string> {
  try {
    const [rows] = (await server.raw('SELECT CURRENT_USER() AS account')) as [Array<{ account: string }>];
    const account = rows[0]?.account ?? '';
    const at = account.lastIndexOf('@');
    if (at > 0) return `${quoteString(account.slice(0, at))}@${quoteString(account.slice(at + 1))}`;
  } catch {
    // Said below in the generic form.
  }
  return `${quoteString(user)}@'%'`;
}

// Its own connections say nothing: what they meet is answered here, in a line of its own.
const quiet: Knex.Config['log'] = { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined };

/** A one-connection knex on the same server and account, on `database` (or none); knex keeps the password as a hidden property, which a spread would lose. */
const connectionTo = (config: Knex.Config, connection: Knex.MySql2ConnectionConfig, database: string | undefined): Knex =>
  knex({
    client: 'mysql2',
    connection: { ...connection, password: connection.password, database },
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: config.acquireConnectionTimeout,
    log: quiet,
  });

/** What the server answers a connection to the database: null when it is there and this account may use it. */
async function refusalOf(config: Knex.Config, connection: Knex.MySql2ConnectionConfig): Promise<string | null> {
  const probe = connectionTo(config, connection, connection.database);
  try {
    await probe.raw('SELECT 1');
    return null;
  } catch (err) {
    return codeOf(err) ?? 'no error code';
  } finally {
    await probe.destroy();
  }
}

/**
 * On MySQL, when the server answers that DATABASE_URL's database does not exist, creates it
 * (connected without a database) and returns its name; otherwise returns null and leaves every
 * other failure (a server down, a wrong password) to the migrations and /readyz, as before.
 * When the account may not create it, or may not use it at all (the server then says no more,
 * missing or not), it throws DatabaseNotCreatedError, whose message gives the statements to run;
 * never the driver's own text.
 */
export async function createMissingDatabase(db: Knex): Promise<string | null> {
  const config = db.client.config as Knex.Config;
  if (config.client !== 'mysql2') return null;
  const connection = config.connection as Knex.MySql2ConnectionConfig;
  const name = connection.database;
  if (!name) return null;
  const refusal = await refusalOf(config, connection);
  if (refusal !== UNKNOWN_DATABASE && refusal !== NOT_ALLOWED) return null;

  const server = connectionTo(config, connection, undefined);
  try {
    if (refusal === NOT_ALLOWED) {
      const account = await accountOf(server, connection.user ?? '');
      throw new DatabaseNotCreatedError(name, account, `the account ${account} may not use database ${quoteName(name)} (${refusal}), which may not exist yet`);
    }
    try {
      await server.raw(createDatabaseStatement(name));
      return name;
    } catch (err) {
      const code = codeOf(err) ?? 'no error code';
      if (!CREATE_REFUSED.has(code)) throw new Error(`database ${quoteName(name)} does not exist and could not be created (${code})`, { cause: err });
      const account = await accountOf(server, connection.user ?? '');
      throw new DatabaseNotCreatedError(name, account, `database ${quoteName(name)} does not exist, and the account ${account} may not create it (${code})`);
    }
  } finally {
    await server.destroy();
  }
}
