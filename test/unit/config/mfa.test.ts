import { expect } from 'chai';
import { loadConfig } from '../../../src/config/env.js';
import { mfaConfig, parseMfaKey } from '../../../src/config/mfa.js';
import { configError } from '../../support/config.js';

const HEX_KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const KEY_BYTES = Buffer.from(HEX_KEY, 'hex');
const BASE64URL_KEY = KEY_BYTES.toString('base64url');

const findings = () => ({ problems: [] as string[], warnings: [] as string[] });

describe('config: MFA_ENCRYPTION_KEY', () => {
  describe('parseMfaKey', () => {
    it('reads 64 hex digits, either case, as the 32 bytes they spell', () => {
      expect(parseMfaKey(HEX_KEY)).to.deep.equal(KEY_BYTES);
      expect(parseMfaKey(HEX_KEY.toUpperCase())).to.deep.equal(KEY_BYTES);
      expect(parseMfaKey(`  ${HEX_KEY}\n`), 'surrounding space').to.deep.equal(KEY_BYTES);
    });

    it('reads 43 base64url characters, with or without the padding', () => {
      expect(BASE64URL_KEY).to.have.length(43);
      expect(parseMfaKey(BASE64URL_KEY)).to.deep.equal(KEY_BYTES);
      expect(parseMfaKey(`${BASE64URL_KEY}=`)).to.deep.equal(KEY_BYTES);
      const urlChars = Buffer.alloc(32, 0xfb).toString('base64url');
      expect(urlChars).to.match(/[-_]/);
      expect(parseMfaKey(urlChars)).to.deep.equal(Buffer.alloc(32, 0xfb));
    });

    it('refuses anything else: short or long hex, plain base64 (+ and /), 16 or 48 bytes, a passphrase, nothing', () => {
      for (const bad of [
        HEX_KEY.slice(1),
        `${HEX_KEY}00`,
        `${HEX_KEY.slice(2)}zz`,
        Buffer.alloc(32, 0xfb).toString('base64'),
        Buffer.alloc(16, 0xff).toString('base64url'),
        Buffer.alloc(48, 0xff).toString('base64url'),
        'correct horse battery staple, long enough',
        '',
      ]) {
        expect(parseMfaKey(bad), bad).to.equal(null);
      }
    });
  });

  describe('mfaConfig', () => {
    it('uses a valid key, enrolment on, and says nothing', () => {
      for (const production of [true, false]) {
        const f = findings();
        expect(mfaConfig({ MFA_ENCRYPTION_KEY: HEX_KEY }, production, f)).to.deep.equal({ encryptionKey: KEY_BYTES, keyConfigured: true, enrolmentAvailable: true });
        expect(f).to.deep.equal({ problems: [], warnings: [] });
      }
    });

    it('in production without a key: enrolment off, with a warning naming MFA_ENCRYPTION_KEY and MFA_UNAVAILABLE', () => {
      const f = findings();
      const config = mfaConfig({ MFA_ENCRYPTION_KEY: undefined }, true, f);
      expect(config.enrolmentAvailable).to.equal(false);
      expect(config.keyConfigured).to.equal(false);
      expect(f.problems).to.deep.equal([]);
      expect(f.warnings).to.have.length(1);
      expect(f.warnings[0]).to.include('MFA_ENCRYPTION_KEY').and.include('MFA_UNAVAILABLE');
    });

    it('in development without a key: a random key of this start, enrolment on, with a warning naming MFA_ENCRYPTION_KEY', () => {
      const f = findings();
      const a = mfaConfig({ MFA_ENCRYPTION_KEY: undefined }, false, f);
      const b = mfaConfig({ MFA_ENCRYPTION_KEY: undefined }, false, findings());
      expect(a.enrolmentAvailable).to.equal(true);
      expect(a.keyConfigured).to.equal(false);
      expect(a.encryptionKey).to.have.length(32);
      expect(a.encryptionKey.equals(b.encryptionKey), 'random per start').to.equal(false);
      expect(f.warnings).to.have.length(1);
      expect(f.warnings[0]).to.include('MFA_ENCRYPTION_KEY');
    });

    it('reports an invalid key as a problem naming MFA_ENCRYPTION_KEY, in production and in development', () => {
      for (const production of [true, false]) {
        const f = findings();
        mfaConfig({ MFA_ENCRYPTION_KEY: 'not-a-key' }, production, f);
        expect(f.problems, String(production)).to.have.length(1);
        expect(f.problems[0]).to.include('MFA_ENCRYPTION_KEY');
      }
    });
  });

  describe('through loadConfig', () => {
    it('refuses to start with an invalid key, naming MFA_ENCRYPTION_KEY', () => {
      expect(configError({ MFA_ENCRYPTION_KEY: 'abc' }).problems.join('\n')).to.include('MFA_ENCRYPTION_KEY');
    });

    it('carries a valid key into config.mfa', () => {
      expect(loadConfig({ MFA_ENCRYPTION_KEY: BASE64URL_KEY }).config.mfa).to.deep.equal({ encryptionKey: KEY_BYTES, keyConfigured: true, enrolmentAvailable: true });
    });

    it('warns in development without a key, and keeps enrolment on', () => {
      const { config, warnings } = loadConfig({});
      expect(config.mfa.enrolmentAvailable).to.equal(true);
      expect(warnings.filter((w) => w.includes('MFA_ENCRYPTION_KEY'))).to.have.length(1);
    });
  });
});
