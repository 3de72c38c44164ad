import 'reflect-metadata';
import type { Knex } from 'knex';
import { createLogger } from './adapters/logging/logger.js';
import { buildContainer } from './composition/container.js';
import { TOKENS } from './composition/tokens.js';
import type { UseCases } from './composition/use-cases.js';
import { ConfigError, loadConfig } from './config/env.js';
import { DomainError } from './domain/errors.js';

const USAGE = 'usage: npm run admin -- grant|revoke <email> <role>';

/** Why a change was refused, for a person at a terminal. */
function refusal(err: DomainError, email: string, role: string): string {
  switch (err.code) {
    case 'USER_NOT_FOUND':
      return `no account has the email ${email}`;
    case 'VALIDATION_FAILED':
      return `refused: ${err.message} (a role is 1 to 32 of a-z, 0-9, _ and -, starting with a letter; got "${role}")`;
    case 'LAST_ADMIN':
      return `refused: ${email} is the last enabled administrator`;
    case 'ROLE_FROM_CONFIG':
      return `refused: ${email} holds admin through ADMIN_EMAILS; remove it there`;
    default:
      return `failed: ${err.message}`;
  }
}

/** `npm run admin -- grant|revoke <email> <role>`: roles from the command line, on the service's own composition root. */
async function main(argv: readonly string[]): Promise<number> {
  const [verb, email, role, ...rest] = argv;
  if ((verb !== 'grant' && verb !== 'revoke') || !email || !role || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    ({ config } = loadConfig());
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
    return 1;
  }
  const logger = createLogger({ level: 'warn', format: config.logFormat, terminal: process.stdout.isTTY === true });
  const container = buildContainer(config, logger);
  try {
    const user = await container.resolve<UseCases>(TOKENS.UseCases).changeRole.execute({ email, role, grant: verb === 'grant' });
    process.stdout.write(`${verb === 'grant' ? 'granted' : 'revoked'} ${role} ${verb === 'grant' ? 'to' : 'from'} ${user.email}; roles now: ${user.roles.join(', ') || '(none)'}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${err instanceof DomainError ? refusal(err, email, role) : `failed: ${(err as Error).message}`}\n`);
    return 1;
  } finally {
    await container.resolve<Knex>(TOKENS.Database).destroy();
    await container.resolve<{ close(): Promise<void> } | null>(TOKENS.SharedInvalidation)?.close();
    container.resolve<{ quit(): Promise<unknown> } | null>(TOKENS.Redis)?.quit().catch(() => undefined);
  }
}

process.exitCode = await main(process.argv.slice(2));
