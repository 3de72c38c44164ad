import { expect } from 'chai';
import { BcryptPasswordHasher } from '../../../../src/adapters/crypto/bcrypt-password-hasher.js';

describe('BcryptPasswordHasher', () => {
  const hasher = new BcryptPasswordHasher(4);
  let hash: string;
  before(async () => {
    hash = await hasher.hash('correct horse battery');
  });

  it('hashes with bcrypt at the configured cost', () => {
    expect(hash).to.match(/^\$2[aby]\$04\$[./A-Za-z0-9]{53}$/);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('correct horse battery')).not.to.equal(hash);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    expect(await hasher.verify('correct horse battery', hash)).to.equal(true);
    expect(await hasher.verify('correct horse batterY', hash)).to.equal(false);
    expect(await hasher.verify('', hash)).to.equal(false);
  });

  it('answers false, not a pending promise, for a null hash (no such account)', async () => {
    const result = hasher.verify('correct horse battery', null);

    expect(result).to.be.instanceOf(Promise);
    expect(await result).to.equal(false);
    expect(await hasher.verify('dummy password for timing parity', null)).to.equal(false);
    expect(await hasher.verify('', null)).to.equal(false);
  });

  it('never truncates at a NUL character', async () => {
    const withNul = await hasher.hash('password\u0000suffix');

    expect(await hasher.verify('password', withNul)).to.equal(false);
    expect(await hasher.verify('password\u0000suffix', withNul)).to.equal(true);
  });

  it('sees only the first 72 bytes, which is why the use cases refuse longer passwords', async () => {
    const seventyTwo = await hasher.hash('x'.repeat(72));

    expect(await hasher.verify(`${'x'.repeat(72)}anything`, seventyTwo)).to.equal(true);
  });
});
