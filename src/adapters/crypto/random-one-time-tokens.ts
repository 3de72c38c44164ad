import { createHash, randomBytes } from 'node:crypto';
import type { OneTimeTokens } from '../../domain/ports/one-time-tokens.js';

/** 256 bits from the OS CSPRNG; SHA-256 is enough to keep: the token's entropy makes it unguessable. */
export class RandomOneTimeTokens implements OneTimeTokens {
  newToken(): string {
    return randomBytes(32).toString('base64url');
  }

  digest(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }
}
