import bcrypt from 'bcrypt';
import type { PasswordHasher } from '../../domain/ports/password-hasher.js';

/** bcrypt runs on libuv's thread pool, never on the event loop. */
export class BcryptPasswordHasher implements PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly cost: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  async verify(password: string, hash: string | null): Promise<boolean> {
    if (hash === null) {
      // Same cost as a real account, so an unknown email takes as long as a wrong password.
      this.dummyHash ??= bcrypt.hash('dummy password for timing parity', this.cost);
      await bcrypt.compare(password, await this.dummyHash);
      return false;
    }
    return bcrypt.compare(password, hash);
  }
}
