import { expect } from 'chai';
import { loadConfig } from '../../../src/config/env.js';
import { configError } from '../../support/config.js';

const smtpWarning = (warnings: readonly string[]) => warnings.filter((w) => w.startsWith('SMTP_URL is not set'));

describe('config: mail', () => {
  it('has the documented defaults: the outbox, optional verification, 24 h and 30 min, 3 and 20 per hour, links to WEB_APP_URL', () => {
    const { config, warnings } = loadConfig({ PORT: '3005' });
    expect(config.mail).to.deep.equal({
      smtpUrl: null,
      from: 'no-reply@localhost',
      outboxDir: 'data/outbox',
      templatesDir: null,
      emailVerification: 'optional',
      linkBaseUrl: 'http://localhost:3005',
      verificationTtlSeconds: 86_400,
      resetTtlSeconds: 1800,
      perAddressPerHour: 3,
      perIpPerHour: 20,
    });
    expect(smtpWarning(warnings)).to.have.length(1);
    expect(smtpWarning(warnings)[0]).to.include('data/outbox').and.include('MAIL_OUTBOX_DIR');
  });

  it('warns in production that no user gets a mail, and says nothing once SMTP_URL is set (never quoting it)', () => {
    const secrets = { NODE_ENV: 'production', JWT_ACCESS_SECRET: 'a'.repeat(40), JWT_REFRESH_SECRET: 'b'.repeat(40) };
    expect(smtpWarning(loadConfig(secrets).warnings)[0]).to.include('users receive no verification or password-reset mail');
    const { config, warnings } = loadConfig({ ...secrets, SMTP_URL: 'smtps://mailer:s3cret@smtp.acme.test:465' });
    expect(smtpWarning(warnings)).to.deep.equal([]);
    expect(config.mail.smtpUrl).to.equal('smtps://mailer:s3cret@smtp.acme.test:465');
    expect(warnings.join('\n')).to.not.include('s3cret');
  });

  it('links to EMAIL_LINK_BASE_URL without its trailing slash, else to WEB_APP_URL', () => {
    expect(loadConfig({ EMAIL_LINK_BASE_URL: 'https://app.acme.test/account/' }).config.mail.linkBaseUrl).to.equal('https://app.acme.test/account');
    expect(loadConfig({ WEB_APP_URL: 'https://web.acme.test' }).config.mail.linkBaseUrl).to.equal('https://web.acme.test');
  });

  it('reads EMAIL_VERIFICATION in any case, and refuses anything but off, optional, required', () => {
    expect(loadConfig({ EMAIL_VERIFICATION: ' Required ' }).config.mail.emailVerification).to.equal('required');
    expect(configError({ EMAIL_VERIFICATION: 'sometimes' }).problems.join('\n')).to.include('EMAIL_VERIFICATION').and.include('off, optional or required');
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://, and lifetimes out of range, naming each variable but no value', () => {
    const problems = configError({ SMTP_URL: 'http://user:hunter2@mail.acme.test', PASSWORD_RESET_TTL: '5', MAIL_PER_IP_PER_HOUR: '0' }).problems.join('\n');
    expect(problems).to.include('SMTP_URL').and.include('PASSWORD_RESET_TTL').and.include('MAIL_PER_IP_PER_HOUR');
    expect(problems).to.not.include('hunter2');
  });
});
