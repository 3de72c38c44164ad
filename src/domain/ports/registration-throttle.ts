export interface RegistrationThrottle {
  /**
   * Counts one registration attempt from this address (whatever its outcome). Answers 0 while the
   * address is within its hourly allowance, otherwise the whole seconds until it may try again.
   */
  admit(clientIp: string): Promise<number>;
}
