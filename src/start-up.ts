import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { migrateToLatest } from './adapters/persistence/knex/database.js';
import { createMissingDatabase } from './adapters/persistence/knex/missing-database.js';
import { buildContainer } from './composition/container.js';
import { TOKENS } from './composition/tokens.js';
import type { LoadedConfig } from './config/env.js';
import type { SecretBox } from './domain/ports/secret-box.js';
import type { TotpFactorStore } from './domain/ports/totp-factor-store.js';

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
  await assertMfaKeyOpensSecrets(container, config.mfa.keyConfigured);
  return container;
}

/**
 * Once anyone has TOTP, the service needs the key their secrets were sealed with: without
 * MFA_ENCRYPTION_KEY, or with one that does not open them, it refuses to start, naming it (a
 * service that cannot check codes would lock those users out, or be tempted to skip the check).
 */
export async function assertMfaKeyOpensSecrets(container: DependencyContainer, keyConfigured: boolean): Promise<void> {
  const sample = await container.resolve<TotpFactorStore>(TOKENS.TotpFactorStore).sampleSealedSecrets(3);
  if (sample.length === 0) return;
  if (!keyConfigured) {
    throw new Error('MFA_ENCRYPTION_KEY is not set, and users have TOTP on: set it to the key their secrets were sealed with');
  }
  const box = container.resolve<SecretBox>(TOKENS.SecretBox);
  for (const { userId, sealedSecret } of sample) {
    try {
      box.open(sealedSecret, userId);
    } catch {
      throw new Error('MFA_ENCRYPTION_KEY cannot decrypt the stored TOTP secrets: it is not the key they were sealed with');
    }
  }
}
