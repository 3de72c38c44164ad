import { dictionary } from '@zxcvbn-ts/language-common';
import type { CommonPasswordList } from '../../domain/ports/common-password-list.js';

/** docs/http-api.md: "among the 10,000 most common passwords". */
export const COMMON_PASSWORD_COUNT = 10_000;

/**
 * The most common passwords of @zxcvbn-ts/language-common (its `passwords-common` list is ranked,
 * most common first, and ships in the package: no network at run time), lower-cased into a set.
 */
export class ZxcvbnCommonPasswordList implements CommonPasswordList {
  private readonly passwords: ReadonlySet<string>;

  constructor(count = COMMON_PASSWORD_COUNT) {
    this.passwords = new Set(dictionary['passwords-common'].slice(0, count).map((p) => p.toLowerCase()));
  }

  isCommon(lowerCasedPassword: string): boolean {
    return this.passwords.has(lowerCasedPassword);
  }

  get size(): number {
    return this.passwords.size;
  }
}
