import { z } from 'zod';
import { int } from './variables.js';

export const throttleVariables = z.object({
  LOGIN_MAX_FAILURES: int(5, 1, 1000),
  LOGIN_WINDOW_SECONDS: int(900, 1, 86_400),
  LOGIN_IP_MAX_FAILURES: int(100, 1, 1_000_000),
  LOGIN_ACCOUNT_MAX_FAILURES: int(100, 1, 100),
  REGISTER_PER_IP_PER_HOUR: int(30, 1, 1_000_000),
});

export interface ThrottleConfig {
  readonly maxFailures: number;
  readonly windowSeconds: number;
  readonly ipMaxFailures: number;
  /** Consecutive failed logins for one email, from all addresses, before its password logins are refused (NIST SP 800-63B §5.2.2). */
  readonly accountMaxFailures: number;
  /** Registration attempts per client IP per hour. */
  readonly registerPerIpPerHour: number;
}

export const throttleConfig = (e: z.output<typeof throttleVariables>): ThrottleConfig => ({
  maxFailures: e.LOGIN_MAX_FAILURES,
  windowSeconds: e.LOGIN_WINDOW_SECONDS,
  ipMaxFailures: e.LOGIN_IP_MAX_FAILURES,
  accountMaxFailures: e.LOGIN_ACCOUNT_MAX_FAILURES,
  registerPerIpPerHour: e.REGISTER_PER_IP_PER_HOUR,
});
