import { expect } from 'chai';
import { dictionary } from '@zxcvbn-ts/language-common';
import { COMMON_PASSWORD_COUNT, ZxcvbnCommonPasswordList } from '../../../../src/adapters/passwords/zxcvbn-common-password-list.js';

describe('ZxcvbnCommonPasswordList', () => {
  const list = new ZxcvbnCommonPasswordList();

  it('holds the first 10,000 entries of the ranked passwords-common list, and no more', () => {
    const ranked = dictionary['passwords-common'];
    expect(COMMON_PASSWORD_COUNT).to.equal(10_000);
    expect(ranked.length).to.be.greaterThan(COMMON_PASSWORD_COUNT);
    expect(list.size).to.equal(new Set(ranked.slice(0, COMMON_PASSWORD_COUNT).map((p) => p.toLowerCase())).size);
    expect(list.isCommon(ranked[0]!)).to.equal(true);
    expect(list.isCommon(ranked[COMMON_PASSWORD_COUNT - 1]!.toLowerCase())).to.equal(true);
    const beyond = ranked.slice(COMMON_PASSWORD_COUNT).find((p) => !ranked.slice(0, COMMON_PASSWORD_COUNT).includes(p))!;
    expect(list.isCommon(beyond.toLowerCase())).to.equal(false);
  });

  it('knows the passwords the review registered', () => {
    expect(list.isCommon('password')).to.equal(true);
    expect(list.isCommon('12345678')).to.equal(true);
  });

  it('compares exactly what it is given (the caller lower-cases)', () => {
    expect(list.isCommon('correct horse battery')).to.equal(false);
    expect(list.isCommon('password ')).to.equal(false);
  });
});
