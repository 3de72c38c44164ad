import { expect } from 'chai';
import { loadConfig } from '../../../src/config/env.js';
import { configError } from '../../support/config.js';

const BASE = { PUBLIC_URL: 'http://localhost:3000' };
/** The message of the ConfigError this environment raises. */
const refused = (env: Record<string, string>) => configError(env).message;
const oidc = (env: Record<string, string>) => loadConfig({ ...BASE, ...env }).config.oidc;

describe('config: sign-in providers (GOOGLE_*, OIDC_<NAME>_*)', () => {
  it('has none unless configured', () => {
    expect(oidc({})).to.deep.equal([]);
  });

  it('turns Google on with its client id and secret: issuer accounts.google.com, callback on PUBLIC_URL', () => {
    expect(oidc({ GOOGLE_CLIENT_ID: 'gid', GOOGLE_CLIENT_SECRET: 'gsecret' })).to.deep.equal([
      { name: 'google', issuer: 'https://accounts.google.com', clientId: 'gid', clientSecret: 'gsecret', callbackUrl: 'http://localhost:3000/auth/google/callback', insecure: false },
    ]);
    const [google] = oidc({ GOOGLE_CLIENT_ID: 'gid', GOOGLE_CLIENT_SECRET: 'gsecret', GOOGLE_ISSUER: 'http://127.0.0.1:4455/', GOOGLE_CALLBACK_URL: 'http://localhost:3000/cb' });
    expect(google).to.include({ issuer: 'http://127.0.0.1:4455', callbackUrl: 'http://localhost:3000/cb', insecure: true });
  });

  it('refuses half a Google configuration, naming both variables', () => {
    expect(refused({ ...BASE, GOOGLE_CLIENT_ID: 'gid' })).to.match(/GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set together/);
  });

  it('finds each OIDC_<NAME>_ISSUER, lower-casing the name and turning _ into -', () => {
    const found = oidc({
      OIDC_ACME_ISSUER: 'https://id.acme.example',
      OIDC_ACME_CLIENT_ID: 'acme-id',
      OIDC_ACME_CLIENT_SECRET: 'acme-secret',
      OIDC_MY_CORP_ISSUER: 'https://login.corp.example/realms/main/',
      OIDC_MY_CORP_CLIENT_ID: 'corp-id',
      OIDC_MY_CORP_CLIENT_SECRET: 'corp-secret',
      OIDC_MY_CORP_CALLBACK_URL: 'http://localhost:3000/auth/my-corp/callback',
    });
    expect(found.map((p) => [p.name, p.issuer, p.callbackUrl])).to.deep.equal([
      ['acme', 'https://id.acme.example', 'http://localhost:3000/auth/acme/callback'],
      ['my-corp', 'https://login.corp.example/realms/main', 'http://localhost:3000/auth/my-corp/callback'],
    ]);
  });

  it('refuses an issuer without its client id and secret, a reserved name, and a name that is not [a-z0-9-]{1,32}', () => {
    expect(refused({ ...BASE, OIDC_ACME_ISSUER: 'https://id.acme.example' })).to.match(/OIDC_ACME_CLIENT_ID and OIDC_ACME_CLIENT_SECRET must be set together, with OIDC_ACME_ISSUER/);
    for (const reserved of ['ME', 'SESSIONS', 'GITHUB', 'GOOGLE', 'IDENTITIES', 'PASSKEYS', 'MFA', 'LOGIN']) {
      const env = { ...BASE, [`OIDC_${reserved}_ISSUER`]: 'https://id.example', [`OIDC_${reserved}_CLIENT_ID`]: 'id', [`OIDC_${reserved}_CLIENT_SECRET`]: 's' };
      expect(refused(env), reserved).to.match(new RegExp(`"${reserved.toLowerCase()}" is reserved`));
    }
    const long = 'A'.repeat(33);
    expect(refused({ ...BASE, [`OIDC_${long}_ISSUER`]: 'https://id.example', [`OIDC_${long}_CLIENT_ID`]: 'id', [`OIDC_${long}_CLIENT_SECRET`]: 's' })).to.match(/must be 1-32 of a-z, 0-9 and -/);
    expect(refused({ ...BASE, 'OIDC_ÄCME_ISSUER': 'https://id.example', 'OIDC_ÄCME_CLIENT_ID': 'id', 'OIDC_ÄCME_CLIENT_SECRET': 's' })).to.match(/must be 1-32 of a-z, 0-9 and -/);
  });

  it('allows plain http only for a loopback issuer outside production, with a warning', () => {
    const env = { ...BASE, OIDC_DEV_ISSUER: 'http://localhost:4455', OIDC_DEV_CLIENT_ID: 'id', OIDC_DEV_CLIENT_SECRET: 's' };
    const loaded = loadConfig(env);
    expect(loaded.config.oidc[0]?.insecure).to.equal(true);
    expect(loaded.warnings.join('\n')).to.match(/OIDC_DEV_ISSUER is plain http/);
    expect(refused({ ...env, OIDC_DEV_ISSUER: 'http://id.example.com' })).to.match(/OIDC_DEV_ISSUER must be https/);
    expect(refused({ ...env, NODE_ENV: 'production', JWT_ACCESS_SECRET: 'a'.repeat(48), JWT_REFRESH_SECRET: 'b'.repeat(48) })).to.match(/OIDC_DEV_ISSUER must be https/);
  });

  it('warns when a callback is on another host than PUBLIC_URL (the state cookie would never reach it)', () => {
    const { warnings } = loadConfig({ ...BASE, GOOGLE_CLIENT_ID: 'gid', GOOGLE_CLIENT_SECRET: 's', GOOGLE_CALLBACK_URL: 'http://127.0.0.1:3000/auth/google/callback' });
    expect(warnings.join('\n')).to.match(/GOOGLE_CALLBACK_URL is on host 127\.0\.0\.1 but PUBLIC_URL is on host localhost/);
  });
});
