import { expect } from 'chai';
import { loadConfig } from '../../../src/config/env.js';
import { configError } from '../../support/config.js';

const passkeyWarnings = (warnings: readonly string[]) => warnings.filter((w) => /passkey/i.test(w));

describe('config: WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS', () => {
  it('defaults the RP ID to the host of PUBLIC_URL and the origins to the origin of WEB_APP_URL', () => {
    const { config, warnings } = loadConfig({ PUBLIC_URL: 'https://auth.example.com', WEB_APP_URL: 'https://auth.example.com/app/' });
    expect(config.passkeys).to.deep.equal({ rpId: 'auth.example.com', origins: ['https://auth.example.com'] });
    expect(passkeyWarnings(warnings)).to.deep.equal([]);
  });

  it('follows HOST and PORT when PUBLIC_URL is not set: localhost', () => {
    expect(loadConfig({}).config.passkeys).to.deep.equal({ rpId: 'localhost', origins: ['http://localhost:3000'] });
  });

  it('turns passkeys off, with a start-up warning naming WEBAUTHN_RP_ID, when PUBLIC_URL is on an IP address', () => {
    for (const publicUrl of ['http://127.0.0.1:3000', 'http://[::1]:3000', 'https://192.0.2.10']) {
      const { config, warnings } = loadConfig({ PUBLIC_URL: publicUrl });
      expect(config.passkeys, publicUrl).to.equal(null);
      expect(passkeyWarnings(warnings), publicUrl).to.have.length(1);
      expect(passkeyWarnings(warnings)[0]).to.include('WEBAUTHN_RP_ID').and.include('off');
    }
  });

  it('keeps passkeys on with an IP PUBLIC_URL when WEBAUTHN_RP_ID is set', () => {
    const { config, warnings } = loadConfig({ PUBLIC_URL: 'http://127.0.0.1:3000', WEBAUTHN_RP_ID: 'Example.COM', WEBAUTHN_ORIGINS: 'https://app.example.com, https://example.com/' });
    expect(config.passkeys).to.deep.equal({ rpId: 'example.com', origins: ['https://app.example.com', 'https://example.com'] });
    expect(passkeyWarnings(warnings)).to.deep.equal([]);
  });

  it('refuses to start with an RP ID that is an IP address or a URL, and with an origin that has a path', () => {
    expect(configError({ WEBAUTHN_RP_ID: '127.0.0.1' }).problems.join('\n')).to.include('WEBAUTHN_RP_ID');
    expect(configError({ WEBAUTHN_RP_ID: 'https://example.com' }).problems.join('\n')).to.include('WEBAUTHN_RP_ID');
    expect(configError({ WEBAUTHN_ORIGINS: 'https://example.com/login' }).problems.join('\n')).to.include('WEBAUTHN_ORIGINS');
  });

  it('warns about an origin the RP ID does not cover (its ceremonies could never pass)', () => {
    const { warnings } = loadConfig({ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.org' });
    expect(passkeyWarnings(warnings)).to.have.length(1);
    expect(passkeyWarnings(warnings)[0]).to.include('https://example.org');
  });
});
