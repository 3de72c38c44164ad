import { createSecretKey } from 'node:crypto';
import { expect } from 'chai';
import { ConfigError, loadConfig, type Config } from '../../src/config/env.js';

export const TEST_ACCESS_SECRET = 'test-access-secret-0123456789-abcdefghij';
export const TEST_REFRESH_SECRET = 'test-refresh-secret-0123456789-abcdefghij';

/** A validated test configuration: low bcrypt cost, fixed secrets, in-memory SQLite unless told otherwise. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    BCRYPT_COST: '4',
    JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
    JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
    DATABASE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'silent',
    // Suites register many accounts from 127.0.0.1; the mail-throttle suites set their own limit.
    MAIL_PER_IP_PER_HOUR: '1000000',
    ...env,
  }).config;
}

/** The key rate-limit counter digests are made with in tests. */
export const TEST_COUNTER_KEY = createSecretKey(Buffer.from('test-counter-key-0123456789-abcdefghij'));

/** The ConfigError loadConfig throws for `env`; fails the test when it loads. */
export function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  return expect.fail('expected loadConfig to refuse the environment');
}
