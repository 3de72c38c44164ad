import { z } from 'zod';
import type { SessionPolicy } from '../domain/session.js';
import { databaseConfig, databaseVariables, type DatabaseConfig } from './database.js';
import { githubConfig, githubVariables, type GithubConfig } from './github.js';
import { googleVariables, oidcProviders, type OidcProviderConfig } from './providers.js';
import { jwtConfig, jwtVariables, type JwtConfig } from './jwt.js';
import { adminConfig, adminVariables, type AdminConfig } from './admin.js';
import { mailConfig, mailVariables, type MailConfig } from './mail.js';
import { loggingConfig, loggingVariables, type LoggingConfig } from './logging.js';
import { metricsConfig, metricsVariables, type MetricsConfig } from './metrics.js';
import { mfaConfig, mfaVariables, type MfaConfig } from './mfa.js';
import { passkeyConfig, passkeyVariables, type PasskeyConfig } from './passkeys.js';
import { passwordConfig, passwordVariables, type PasswordConfig } from './passwords.js';
import { redisConfig, redisVariables, type RedisConfig } from './redis.js';
import { serverConfig, serverVariables, type ServerConfig } from './server.js';
import { sessionPolicy, sessionVariables } from './session.js';
import { throttleConfig, throttleVariables, type ThrottleConfig } from './throttle.js';
import type { Findings } from './variables.js';

/**
 * The only place that reads process.env: everything else receives a validated Config. Each
 * capability's variables, checks and settings live in a module of their own beside this one;
 * this file composes them.
 */

export interface Config extends ServerConfig, DatabaseConfig, RedisConfig, PasswordConfig, LoggingConfig {
  readonly production: boolean;
  readonly jwt: JwtConfig;
  readonly session: SessionPolicy;
  readonly throttle: ThrottleConfig;
  readonly metrics: MetricsConfig;
  readonly github: GithubConfig | null;
  /** Google and the OIDC_<NAME>_* issuers that are configured (docs/providers.md). */
  readonly oidc: readonly OidcProviderConfig[];
  readonly mail: MailConfig;
  readonly admin: AdminConfig;
  /** WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS; null: passkeys are off (their ceremonies answer 404 PASSKEYS_NOT_CONFIGURED). */
  readonly passkeys: PasskeyConfig | null;
  /** MFA_ENCRYPTION_KEY: the key TOTP secrets are sealed with. */
  readonly mfa: MfaConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  ...serverVariables.shape,
  ...databaseVariables.shape,
  ...redisVariables.shape,
  ...jwtVariables.shape,
  ...sessionVariables.shape,
  ...passwordVariables.shape,
  ...throttleVariables.shape,
  ...metricsVariables.shape,
  ...githubVariables.shape,
  ...googleVariables.shape,
  ...loggingVariables.shape,
  ...mailVariables.shape,
  ...adminVariables.shape,
  ...passkeyVariables.shape,
  ...mfaVariables.shape,
});

export interface LoadedConfig {
  readonly config: Config;
  /** Development defaults that were used, and settings that cannot work as meant; main logs each one. */
  readonly warnings: readonly string[];
}

/** Validates the whole environment at once and reports every problem, naming each variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): LoadedConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const findings: Findings = { problems: [], warnings: [] };

  const jwt = jwtConfig(e, production, findings);
  const session = sessionPolicy(e, findings);
  const redis = redisConfig(e);
  const database = databaseConfig(e, redis.redisUrl, findings);
  const server = serverConfig(e, findings);
  const metrics = metricsConfig(e, server.port, findings);
  const github = githubConfig(e, server.publicUrl, findings);
  const oidc = oidcProviders(e, env, server.publicUrl, production, findings);
  const mail = mailConfig(e, server.webAppUrl, production, findings);
  const admin = adminConfig(e, findings);
  const passkeys = passkeyConfig(e, server.publicUrl, server.webAppUrl, findings);
  const mfa = mfaConfig(e, production, findings);
  if (findings.problems.length > 0) throw new ConfigError(findings.problems);

  return {
    warnings: findings.warnings,
    config: {
      production,
      ...server,
      ...database,
      ...redis,
      jwt,
      session,
      ...passwordConfig(e),
      throttle: throttleConfig(e),
      metrics,
      github,
      oidc,
      mail,
      admin,
      passkeys,
      mfa,
      ...loggingConfig(e),
    },
  };
}
