import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { migrateToLatest } from './adapters/persistence/knex/database.js';
import { createMissingDatabase } from './adapters/persistence/knex/missing-database.js';
import { buildContainer } from './composition/container.js';
import { TOKENS } from './composition/tokens.js';
import type { LoadedConfig } from './config/env.js';

/**
 * What the service does between reading its configuration and listening, as main runs it (and
 * the tests, so they see the same start-up log): the configuration's warnings first, so they are
 * the first lines a person sees; then the database, created when it is missing, and migrated.
 */
export async function prepareService({ config, warnings }: LoadedConfig, logger: Logger): Promise<DependencyContainer> {
  for (const warning of warnings) logger.warn(warning);
  const container = buildContainer(config, logger);
  const db = container.resolve<Knex>(TOKENS.Database);
  const created = await createMissingDatabase(db);
  if (created !== null) logger.info({ database: created }, 'database created: it did not exist (utf8mb4, utf8mb4_unicode_ci)');
  if (config.migrateOnStart) {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  return container;
}
