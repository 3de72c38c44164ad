import { expect } from 'chai';
import { loadConfig } from '../../../src/config/env.js';

const GITHUB = { GITHUB_CLIENT_ID: 'client-id', GITHUB_CLIENT_SECRET: 'client-secret' };
const mismatch = (warnings: readonly string[]) => warnings.filter((w) => w.startsWith('GITHUB_CALLBACK_URL is on host'));

describe('config: GitHub callback on another host than PUBLIC_URL', () => {
  it('warns when the browser is on localhost and the callback on 127.0.0.1, naming both and the invalid_state it causes', () => {
    const { warnings } = loadConfig({ ...GITHUB, PUBLIC_URL: 'http://localhost:3000', GITHUB_CALLBACK_URL: 'http://127.0.0.1:3000/auth/github/callback' });

    expect(mismatch(warnings)).to.have.length(1);
    expect(mismatch(warnings)[0]).to.include('host 127.0.0.1').and.include('host localhost').and.include('invalid_state').and.include('same host');
  });

  it('warns the other way round too, and against the PUBLIC_URL that follows HOST and PORT', () => {
    const other = loadConfig({ ...GITHUB, PUBLIC_URL: 'http://127.0.0.1:3000', GITHUB_CALLBACK_URL: 'http://localhost:3000/auth/github/callback' });
    const derived = loadConfig({ ...GITHUB, GITHUB_CALLBACK_URL: 'http://127.0.0.1:3000/auth/github/callback' });

    expect(mismatch(other.warnings)).to.have.length(1);
    expect(mismatch(derived.warnings)).to.have.length(1);
  });

  it('says nothing when the hosts match, whatever the ports and paths (a cookie belongs to a host name)', () => {
    for (const [publicUrl, callback] of [
      ['http://localhost:3000', 'http://localhost:3000/auth/github/callback'],
      ['http://localhost:3000', 'http://localhost:4000/auth/github/callback'],
      ['https://Auth.Example.com', 'https://auth.example.com/auth/github/callback'],
    ] as const) {
      expect(mismatch(loadConfig({ ...GITHUB, PUBLIC_URL: publicUrl, GITHUB_CALLBACK_URL: callback }).warnings), `${publicUrl} ${callback}`).to.deep.equal([]);
    }
    expect(mismatch(loadConfig({ ...GITHUB, PORT: '4000', GITHUB_CALLBACK_URL: 'http://localhost:4000/auth/github/callback' }).warnings)).to.deep.equal([]);
  });

  it('says nothing without GitHub', () => {
    expect(mismatch(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).warnings)).to.deep.equal([]);
  });
});
