import { BcryptPasswordHasher } from '../../src/adapters/crypto/bcrypt-password-hasher.js';
import type { NewPassword } from '../../src/domain/password.js';
import type { PasswordHasher } from '../../src/domain/ports/password-hasher.js';

/** The real bcrypt hasher (cost 4), counting its work: an attempt refused by a throttle must never reach it. */
export class CountingPasswordHasher implements PasswordHasher {
  hashes = 0;
  verifies = 0;
  private readonly inner = new BcryptPasswordHasher(4);

  hash(password: NewPassword): Promise<string> {
    this.hashes += 1;
    return this.inner.hash(password);
  }

  verify(password: string, hash: string | null): Promise<boolean> {
    this.verifies += 1;
    return this.inner.verify(password, hash);
  }
}

let addresses = 0;
/** A client address no other attempt of this run used (10.0.0.0/8), as each machine of a botnet has its own. */
export const freshAddress = (): string => {
  addresses += 1;
  return `10.${(addresses >> 16) & 255}.${(addresses >> 8) & 255}.${addresses & 255}`;
};

/** The header a proxy in front (TRUST_PROXY=true) appends for a client at `ip`. */
export const from = (ip: string) => ({ 'x-forwarded-for': ip });
