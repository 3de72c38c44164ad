import type { Knex } from 'knex';
import * as createUsers from './20261123000001_create_users.js';
import * as createSessions from './20261123000002_create_sessions.js';
import * as createIdentities from './20261123000003_create_identities.js';
import * as indexSessionsForPruning from './20261123000004_index_sessions_for_pruning.js';
import * as indexSessionsByRecentUse from './20261124000001_index_sessions_by_recent_use.js';
import * as normaliseEmails from './20261201000001_normalise_emails.js';
import * as cleanStoredNames from './20261201000002_clean_stored_names.js';
import * as addEmailVerified from './20261204000001_add_email_verified.js';
import * as createEmailTokens from './20261204000002_create_email_tokens.js';
import * as addRolesAndAdminFields from './20261205000001_add_roles_and_admin_fields.js';
import * as createSecurityEvents from './20261205000002_create_security_events.js';
import * as createPasskeys from './20261207100001_create_passkeys.js';
import * as createTotpFactors from './20261207200001_create_totp_factors.js';
import * as addSessionAmr from './20261207200002_add_session_amr.js';
import * as generaliseIdentities from './20261208100001_generalise_identities.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations listed in code, in order: the same list runs from TypeScript under tests and from
 * the compiled build in production, with no directory scanning or file-extension guessing.
 */
const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['20261123000001_create_users', createUsers],
  ['20261123000002_create_sessions', createSessions],
  ['20261123000003_create_identities', createIdentities],
  ['20261123000004_index_sessions_for_pruning', indexSessionsForPruning],
  ['20261124000001_index_sessions_by_recent_use', indexSessionsByRecentUse],
  ['20261201000001_normalise_emails', normaliseEmails],
  ['20261201000002_clean_stored_names', cleanStoredNames],
  ['20261204000001_add_email_verified', addEmailVerified],
  ['20261204000002_create_email_tokens', createEmailTokens],
  ['20261205000001_add_roles_and_admin_fields', addRolesAndAdminFields],
  ['20261205000002_create_security_events', createSecurityEvents],
  ['20261207100001_create_passkeys', createPasskeys],
  ['20261207200001_create_totp_factors', createTotpFactors],
  ['20261207200002_add_session_amr', addSessionAmr],
  ['20261208100001_generalise_identities', generaliseIdentities],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: () => Promise.resolve([...MIGRATIONS]),
  getMigrationName: ([name]) => name,
  getMigration: ([, migration]) => Promise.resolve(migration),
};
