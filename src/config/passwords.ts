import { z } from 'zod';
import { int } from './variables.js';

export const passwordVariables = z.object({
  BCRYPT_COST: int(12, 4, 15),
  APP_NAME: z.string().trim().min(1).max(100).default('auth-api'),
});

export interface PasswordConfig {
  readonly bcryptCost: number;
  /** The product name, in mails, TOTP and the weak-password rule. */
  readonly appName: string;
}

export const passwordConfig = (e: z.output<typeof passwordVariables>): PasswordConfig => ({ bcryptCost: e.BCRYPT_COST, appName: e.APP_NAME });
