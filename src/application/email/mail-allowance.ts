import { TooManyEmailsError } from '../../domain/errors.js';
import type { MailThrottle } from '../../domain/ports/mail-throttle.js';

/** Counts a request for a token mail and refuses it past the allowance (429 TOO_MANY_EMAILS, Retry-After). */
export async function admitMail(throttle: MailThrottle, email: string, clientIp: string): Promise<void> {
  const wait = await throttle.admit(email, clientIp);
  if (wait > 0) throw new TooManyEmailsError(wait);
}
