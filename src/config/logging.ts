import { z } from 'zod';
import { optional } from './variables.js';

export const loggingVariables = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: optional.pipe(z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional()),
});

type Variables = z.output<typeof loggingVariables>;

export interface LoggingConfig {
  readonly logLevel: Variables['LOG_LEVEL'];
  /** `json` lines, `pretty` lines for a person, or null: pretty when stdout is a terminal (main decides). */
  readonly logFormat: Exclude<Variables['LOG_FORMAT'], undefined> | null;
}

export const loggingConfig = (e: Variables): LoggingConfig => ({ logLevel: e.LOG_LEVEL, logFormat: e.LOG_FORMAT ?? null });
