import { createHmac, type KeyObject } from 'node:crypto';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { ServiceUnavailableError } from '../../domain/errors.js';

/**
 * A counter's key: a keyed digest, so emails and addresses never sit in the store in clear, and
 * without the secret an address's key cannot be found by trying every IPv4 address.
 */
export const counterKey = (secret: KeyObject, ...parts: string[]): string =>
  createHmac('sha256', secret).update(parts.join('\n')).digest('base64url');

/** Whole seconds to wait for `ms` of a counter's life: at least 1, since the caller is refused. */
export const wholeSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** A store outage fails closed: no attempt is let through uncounted. */
export async function failClosed<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof RateLimiterRes) throw err;
    throw new ServiceUnavailableError('rate-limit store');
  }
}
