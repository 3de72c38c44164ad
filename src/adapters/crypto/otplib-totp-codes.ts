import { createHash, randomInt } from 'node:crypto';
import { generate, generateSecret, generateURI, verify } from 'otplib';
import { normaliseCode, RECOVERY_CODE_ALPHABET, RECOVERY_CODE_LENGTH, TOTP_DIGITS, TOTP_PERIOD_SECONDS } from '../../domain/mfa.js';
import type { TotpCodes } from '../../domain/ports/totp-codes.js';

const seconds = (at: Date): number => Math.floor(at.getTime() / 1000);

/**
 * RFC 6238 through otplib 13 (SHA-1, 6 digits, 30 s; its compare is constant-time). otplib's
 * `epochTolerance` is in seconds and 0 by default, so ±1 step is asked for as ±30 s.
 */
export class OtplibTotpCodes implements TotpCodes {
  newSecret(): string {
    return generateSecret({ length: 20 });
  }

  otpauthUrl({ secret, issuer, account }: { readonly secret: string; readonly issuer: string; readonly account: string }): string {
    return generateURI({ issuer, label: account, secret, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
  }

  async matchingStep(secret: string, code: string, at: Date, windowSteps: number): Promise<number | null> {
    // otplib throws on a code of another length or alphabet: that is simply no match.
    if (!/^[0-9]{6}$/.test(code)) return null;
    const result = await verify({ secret, token: code, epoch: seconds(at), epochTolerance: windowSteps * TOTP_PERIOD_SECONDS, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  }

  codeAt(secret: string, at: Date): Promise<string> {
    return generate({ secret, epoch: seconds(at), algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
  }

  newRecoveryCodes(count: number): string[] {
    // randomInt draws without modulo bias: 12 characters of 32 are 60 bits each.
    return Array.from({ length: count }, () => Array.from({ length: RECOVERY_CODE_LENGTH }, () => RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)]).join(''));
  }

  recoveryCodeDigest(userId: string, code: string): string {
    return createHash('sha256').update(`${userId}:${normaliseCode(code)}`, 'utf8').digest('hex');
  }
}
