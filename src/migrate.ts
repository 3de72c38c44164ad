import { createDatabase, migrateToLatest } from './adapters/persistence/knex/database.js';
import { createMissingDatabase } from './adapters/persistence/knex/missing-database.js';
import { ConfigError, loadConfig } from './config/env.js';

/** `npm run migrate`: apply pending migrations to DATABASE_URL, for deployments that start with MIGRATE_ON_START=false. */
try {
  const { config } = loadConfig();
  const db = createDatabase(config.databaseUrl);
  try {
    const created = await createMissingDatabase(db);
    if (created !== null) process.stdout.write(`created database ${created}: it did not exist\n`);
    const applied = await migrateToLatest(db);
    process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
  } finally {
    await db.destroy();
  }
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `migration failed: ${(err as Error).message}`}\n`);
  process.exitCode = 1;
}
