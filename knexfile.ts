import type { Knex } from 'knex';
import { migrationSource } from './migrations/index.js';
import { knexConfig } from './src/adapters/persistence/knex/database.js';
import { loadConfig } from './src/config/env.js';

/**
 * Knex settings per environment, all from DATABASE_URL (see README). The service itself uses
 * `npm run migrate` / MIGRATE_ON_START; this file serves the knex CLI and tooling.
 */
const url = (fallback: string) => {
  try {
    return loadConfig().config.databaseUrl;
  } catch {
    return fallback;
  }
};

const withMigrations = (config: Knex.Config): Knex.Config => ({ ...config, migrations: { migrationSource } });

const config: Record<'development' | 'test' | 'production', Knex.Config> = {
  development: withMigrations(knexConfig(url('sqlite:data/dev.sqlite3'))),
  test: withMigrations(knexConfig('sqlite::memory:')),
  production: withMigrations(knexConfig(url('sqlite:data/prod.sqlite3'))),
};

export default config;
