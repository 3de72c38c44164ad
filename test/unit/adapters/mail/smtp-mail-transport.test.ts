import { expect } from 'chai';
import type { AddressObject } from 'mailparser';
import { renderMail } from '../../../../src/adapters/mail/render-mail.js';
import { SmtpMailTransport } from '../../../../src/adapters/mail/smtp-mail-transport.js';
import { startSmtpServer, type LoopbackSmtpServer } from '../../../support/smtp-server.js';
import { ONE_OF_EACH, SETTINGS, TOKEN } from './fixtures.js';

const addressOf = (field: AddressObject | AddressObject[] | undefined) => (Array.isArray(field) ? field[0] : field)?.value[0]?.address;

describe('SmtpMailTransport (a real SMTP server on the loopback)', () => {
  let server: LoopbackSmtpServer;
  beforeEach(async () => {
    server = await startSmtpServer();
  });
  afterEach(() => server.close());

  it('delivers From, To, Subject, the text and the HTML part, and the link', async () => {
    const transport = new SmtpMailTransport(server.url);
    const rendered = renderMail(ONE_OF_EACH.reset_password, SETTINGS);
    await transport.deliver(rendered, SETTINGS.from);
    await transport.close();

    const mail = await server.waitForMail((m) => m.subject === rendered.subject);
    expect(addressOf(mail.from)).to.equal('no-reply@acme.test');
    expect(addressOf(mail.to)).to.equal('alice@example.com');
    expect(mail.subject).to.include('Acme Login');
    expect(mail.text).to.include(`https://auth.acme.test/reset-password#token=${TOKEN}`);
    expect(mail.html).to.be.a('string').and.include(`href="https://auth.acme.test/reset-password#token=${TOKEN}"`);
  });

  it('authenticates with the user and password of SMTP_URL', async () => {
    const transport = new SmtpMailTransport(server.url.replace('smtp://', 'smtp://mailer:s3cret@'));
    await transport.deliver(renderMail(ONE_OF_EACH.password_changed, SETTINGS), SETTINGS.from);
    await transport.close();
    expect(server.logins).to.deep.equal(['mailer']);
  });

  it('rejects when the server refuses the message, with the SMTP reply code', async () => {
    server.rejectNext(1, 451);
    const transport = new SmtpMailTransport(server.url);
    const error = await transport.deliver(renderMail(ONE_OF_EACH.password_changed, SETTINGS), SETTINGS.from).then(
      () => null,
      (err: unknown) => err,
    );
    await transport.close();
    expect(error).to.have.property('responseCode', 451);
    expect(server.messages).to.have.length(0);
  });
});
