import { z } from 'zod';
import { optional, type Findings } from './variables.js';

export const metricsVariables = z.object({
  METRICS_TOKEN: optional,
  METRICS_PORT: optional.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be a port number from 1 to 65535')
      .transform(Number)
      .pipe(z.number().int().min(1, 'must be at least 1').max(65_535, 'must be at most 65535'))
      .optional(),
  ),
});

/** Who may read /metrics: open (development without a token), a bearer token, a port of its own, or nobody. */
export interface MetricsConfig {
  readonly token: string | null;
  readonly port: number | null;
}

/** `port`: the main port, which METRICS_PORT must not be. */
export function metricsConfig(e: z.output<typeof metricsVariables>, port: number, { problems }: Findings): MetricsConfig {
  if (e.METRICS_TOKEN !== undefined && Buffer.byteLength(e.METRICS_TOKEN, 'utf8') < 16) {
    problems.push('METRICS_TOKEN must be at least 16 bytes');
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT === port) {
    problems.push('METRICS_PORT must differ from PORT');
  }
  return { token: e.METRICS_TOKEN ?? null, port: e.METRICS_PORT ?? null };
}
