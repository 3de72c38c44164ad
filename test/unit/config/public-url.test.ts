import { expect } from 'chai';
import { loadConfig } from '../../../src/config/env.js';
import { configError } from '../../support/config.js';

const publicUrlOf = (env: Record<string, string>) => loadConfig(env).config.publicUrl;

describe('config: PUBLIC_URL when it is not set follows HOST and PORT', () => {
  it('is http://localhost:3000 with neither set', () => {
    expect(publicUrlOf({})).to.equal('http://localhost:3000');
  });

  it('follows PORT alone: PORT=4000 gives http://localhost:4000, and WEB_APP_URL follows it', () => {
    const { config } = loadConfig({ PORT: '4000' });

    expect(config.publicUrl).to.equal('http://localhost:4000');
    expect(config.webAppUrl).to.equal('http://localhost:4000');
  });

  for (const host of ['127.0.0.1', '::1', 'localhost', 'LOCALHOST', '0.0.0.0', '::']) {
    it(`names localhost for HOST=${host} (loopback or every address: a browser on this machine says localhost)`, () => {
      expect(publicUrlOf({ HOST: host, PORT: '4000' })).to.equal('http://localhost:4000');
    });
  }

  it('names any other HOST: HOST=10.0.0.5 gives http://10.0.0.5:3000', () => {
    expect(publicUrlOf({ HOST: '10.0.0.5' })).to.equal('http://10.0.0.5:3000');
    expect(publicUrlOf({ HOST: 'auth.internal', PORT: '8080' })).to.equal('http://auth.internal:8080');
  });

  it('puts an IPv6 HOST in brackets', () => {
    expect(publicUrlOf({ HOST: '2001:db8::5', PORT: '4000' })).to.equal('http://[2001:db8::5]:4000');
    expect(publicUrlOf({ HOST: 'fe80::1' })).to.equal('http://[fe80::1]:3000');
  });

  it('is what PUBLIC_URL says when set, whatever HOST and PORT are', () => {
    expect(publicUrlOf({ PUBLIC_URL: 'https://auth.example.com', HOST: '10.0.0.5', PORT: '4000' })).to.equal('https://auth.example.com');
  });

  it('refuses a HOST that makes no URL, asking for PUBLIC_URL', () => {
    expect(configError({ HOST: 'not a host' }).message).to.include('PUBLIC_URL').and.include('HOST');
  });

  it('still refuses a PUBLIC_URL that is not http(s)', () => {
    expect(configError({ PUBLIC_URL: 'ftp://auth.example.com' }).message).to.include('PUBLIC_URL');
  });
});
