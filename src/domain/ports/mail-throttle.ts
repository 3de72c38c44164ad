/**
 * Token mails per address and per client IP (MAIL_PER_ADDRESS_PER_HOUR, at least 60 s apart;
 * MAIL_PER_IP_PER_HOUR). Every request that asks for a token mail counts, whether or not a mail
 * then leaves, and an address no account has counts exactly like a known one.
 */
export interface MailThrottle {
  /** Counts one request for a mail to `email` from `clientIp`: 0 when it may go on, otherwise the whole seconds to wait. */
  admit(email: string, clientIp: string): Promise<number>;
  /** Whole seconds until a request for a mail to `email` from `clientIp` would be admitted; 0 now. Counts nothing. */
  retryAfter(email: string, clientIp: string): Promise<number>;
}
