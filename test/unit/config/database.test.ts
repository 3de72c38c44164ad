import { expect } from 'chai';
import type { Knex } from 'knex';
import { knexConfig } from '../../../src/adapters/persistence/knex/database.js';
import { loadConfig } from '../../../src/config/env.js';
import { configError } from '../../support/config.js';

/** What the MySQL driver is given for this environment: the config's URL as knex reads it. */
function connectionFor(env: Record<string, string>) {
  const { config, warnings } = loadConfig(env);
  return { connection: knexConfig(config.databaseUrl).connection as Knex.MySql2ConnectionConfig, warnings };
}

describe('config: DATABASE_PASSWORD', () => {
  const AWKWARD = 'p@ss/wo:rd%41 100%';

  it('is the password, taken verbatim: @ / : and % need no encoding', () => {
    const { connection } = connectionFor({ DATABASE_URL: 'mysql://auth@db.internal:3306/auth', DATABASE_PASSWORD: AWKWARD });

    expect(connection).to.include({ host: 'db.internal', port: 3306, user: 'auth', password: AWKWARD, database: 'auth' });
  });

  it('overrides a password in the URL', () => {
    const { connection } = connectionFor({ DATABASE_URL: 'mysql://auth:in-the-url@db.internal/auth', DATABASE_PASSWORD: 'from-the-variable' });

    expect(connection.password).to.equal('from-the-variable');
  });

  it('works with mariadb:// and with a URL without a user name', () => {
    expect(connectionFor({ DATABASE_URL: 'mariadb://root@127.0.0.1/auth', DATABASE_PASSWORD: AWKWARD }).connection.password).to.equal(AWKWARD);
    expect(connectionFor({ DATABASE_URL: 'mysql://127.0.0.1/auth', DATABASE_PASSWORD: AWKWARD }).connection).to.include({ user: '', password: AWKWARD });
  });

  it('unset or empty: the URL’s own password (URL-encoded there) is used', () => {
    expect(connectionFor({ DATABASE_URL: 'mysql://auth:p%40ss@db.internal/auth' }).connection.password).to.equal('p@ss');
    expect(connectionFor({ DATABASE_URL: 'mysql://auth:p%40ss@db.internal/auth', DATABASE_PASSWORD: '' }).connection.password).to.equal('p@ss');
  });

  it('is ignored on SQLite, with a warning that says so', () => {
    const { config, warnings } = loadConfig({ DATABASE_URL: 'sqlite::memory:', DATABASE_PASSWORD: AWKWARD });

    expect(config.databaseUrl).to.equal('sqlite::memory:');
    expect(warnings).to.include('DATABASE_PASSWORD is ignored: DATABASE_URL is SQLite');
  });

  it('never appears in a warning or a refusal', () => {
    const { warnings } = loadConfig({ DATABASE_URL: 'mysql://auth@db.internal/auth', DATABASE_PASSWORD: AWKWARD });
    const error = configError({ DATABASE_URL: 'mysql://auth@db.internal/auth', DATABASE_PASSWORD: AWKWARD, PORT: 'not a port' });

    expect(warnings.join('\n')).not.to.include(AWKWARD);
    expect(error.message).not.to.include(AWKWARD).and.not.to.include(encodeURIComponent(AWKWARD));
  });
});

describe('config: the user cache (CACHE_TTL_MS, USER_CACHE_TTL_MS)', () => {
  it('with REDIS_URL: users cached for 30 s and invalidated across instances; sessions never cached', () => {
    const { config } = loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1/auth', REDIS_URL: 'redis://127.0.0.1:6379/0' });
    expect(config.userCache).to.deep.equal({ ttlMs: 30_000, shared: true });
    expect(config.cacheTtlMs).to.equal(0);
  });

  it('with REDIS_URL, USER_CACHE_TTL_MS sets how long (0 turns it off) and is capped at 300000', () => {
    const redis = { DATABASE_URL: 'sqlite::memory:', REDIS_URL: 'redis://127.0.0.1:6379/0' };
    expect(loadConfig({ ...redis, USER_CACHE_TTL_MS: '5000' }).config.userCache).to.deep.equal({ ttlMs: 5000, shared: true });
    expect(loadConfig({ ...redis, USER_CACHE_TTL_MS: '0' }).config.userCache.ttlMs).to.equal(0);
    expect(configError({ ...redis, USER_CACHE_TTL_MS: '300001' }).message).to.contain('USER_CACHE_TTL_MS');
  });

  it('without Redis: users follow CACHE_TTL_MS on this instance alone, and USER_CACHE_TTL_MS is ignored with a warning', () => {
    const { config, warnings } = loadConfig({ DATABASE_URL: 'sqlite::memory:', USER_CACHE_TTL_MS: '5000' });
    expect(config.userCache).to.deep.equal({ ttlMs: 1000, shared: false });
    expect(warnings.join('\n')).to.contain('USER_CACHE_TTL_MS is ignored without REDIS_URL');
    expect(loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1/auth' }).config.userCache).to.deep.equal({ ttlMs: 0, shared: false });
  });
});
