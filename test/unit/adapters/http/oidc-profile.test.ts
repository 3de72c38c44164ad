import { expect } from 'chai';
import { toOidcProfile } from '../../../../src/adapters/http/strategies/oidc.js';

describe('toOidcProfile: what an OpenID Connect identity keeps of its claims', () => {
  const claims = { sub: '248289761001', email: 'ada@idp.example', email_verified: true, name: 'Ada', preferred_username: 'ada' };

  it('is (provider, sub), with the email only when email_verified is the boolean true', () => {
    expect(toOidcProfile('google', claims)).to.deep.equal({ provider: 'google', providerUserId: '248289761001', login: 'ada', name: 'Ada', verifiedEmail: 'ada@idp.example' });
    for (const notTrue of [false, 'true', 1, null, undefined]) {
      expect(toOidcProfile('google', { ...claims, email_verified: notTrue }).verifiedEmail, String(notTrue)).to.equal(null);
    }
  });

  it('keeps no empty or non-string login, name or email', () => {
    const profile = toOidcProfile('acme', { sub: 'x', email: '  ', email_verified: true, name: 42, preferred_username: '' });
    expect([profile.login, profile.name, profile.verifiedEmail]).to.deep.equal([null, null, null]);
  });
});
