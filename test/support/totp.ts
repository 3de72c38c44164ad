import { generate } from 'otplib';

/** The code an authenticator app shows at `at` (RFC 6238 as API.md fixes it: SHA-1, 6 digits, 30 s), computed by otplib. */
export const totpCodeAt = (secret: string, at: Date): Promise<string> =>
  generate({ secret, epoch: Math.floor(at.getTime() / 1000), algorithm: 'sha1', digits: 6, period: 30 });

/** A six-digit code that is not `right`. */
export const otherCode = (right: string): string => (right === '000000' ? '111111' : '000000');
