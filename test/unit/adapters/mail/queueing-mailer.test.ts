import { expect } from 'chai';
import type { AccountMail } from '../../../../src/domain/ports/mailer.js';
import type { MailTransport } from '../../../../src/adapters/mail/mail-transport.js';
import { DEFAULT_RETRY_DELAYS_MS, maskEmail, QueueingMailer, type MailTimer, type QueueingMailerOptions } from '../../../../src/adapters/mail/queueing-mailer.js';
import type { RenderedMail } from '../../../../src/adapters/mail/render-mail.js';
import { SmtpMailTransport } from '../../../../src/adapters/mail/smtp-mail-transport.js';
import { capturingLogger } from '../../../support/log-capture.js';
import { startSmtpServer, type LoopbackSmtpServer } from '../../../support/smtp-server.js';
import { ALICE, ONE_OF_EACH, SETTINGS, TOKEN } from './fixtures.js';

interface Entry {
  readonly level: number;
  readonly code?: string;
  readonly template?: string;
  readonly attempt?: number;
  readonly attempts?: number;
  readonly to?: string;
  readonly reason?: string;
  readonly retryInMs?: number;
}

/** A timer that fires on the next turn, whatever the delay, and remembers the delays it was asked for. */
function instantTimer() {
  const delays: number[] = [];
  const timer: MailTimer = (callback, delayMs) => {
    delays.push(delayMs);
    const handle = setImmediate(callback);
    return () => clearImmediate(handle);
  };
  return { delays, timer };
}

/** A timer that fires only when the test says so. */
function heldTimer() {
  const pending: { delayMs: number; fire: () => void }[] = [];
  const timer: MailTimer = (callback, delayMs) => {
    const entry = { delayMs, fire: callback };
    pending.push(entry);
    return () => pending.splice(pending.indexOf(entry), 1);
  };
  return { pending, timer };
}

const codes = (entries: readonly Entry[]) => entries.map((e) => e.code).filter(Boolean);

describe('QueueingMailer', () => {
  let server: LoopbackSmtpServer;
  let log: ReturnType<typeof capturingLogger<Entry>>;
  let mailers: QueueingMailer[];

  const mailerOn = (transport: MailTransport, options: Partial<QueueingMailerOptions> = {}) => {
    const mailer = new QueueingMailer({ transport, settings: SETTINGS, logger: log.logger, ...options });
    mailers.push(mailer);
    return mailer;
  };

  beforeEach(async () => {
    server = await startSmtpServer();
    log = capturingLogger<Entry>('debug');
    mailers = [];
  });

  afterEach(async () => {
    await Promise.all(mailers.map((m) => m.close()));
    await server.close();
    // The rule every scenario keeps: no token, no link, no body, no whole address in any line.
    for (const line of log.lines) {
      expect(line).not.to.include(TOKEN);
      expect(line).not.to.include('#token=');
      expect(line).not.to.include('https://auth.acme.test');
      expect(line).not.to.include('alice@example.com');
      expect(line).not.to.include('s3cret');
      expect(line).not.to.match(/Hello|<p>/);
    }
  });

  it('returns from send() before the mail is delivered', async () => {
    let release: () => void = () => {};
    const delivered: RenderedMail[] = [];
    const slow: MailTransport = {
      deliver: (mail) =>
        new Promise<void>((resolve) => {
          release = () => {
            delivered.push(mail);
            resolve();
          };
        }),
      close: async () => {},
    };
    const mailer = mailerOn(slow);
    const result = mailer.send(ONE_OF_EACH.verify_email) as unknown;
    expect(result).to.equal(undefined);
    await new Promise((r) => setImmediate(r));
    expect(delivered).to.have.length(0);
    release();
    await mailer.drain();
    expect(delivered).to.have.length(1);
  });

  it('delivers through SMTP and logs MAIL_SENT with the template and a masked recipient', async () => {
    const mailer = mailerOn(new SmtpMailTransport(server.url));
    mailer.send(ONE_OF_EACH.reset_password);
    await mailer.drain();
    expect(server.messages).to.have.length(1);
    expect(server.messages[0]?.text).to.include(`/reset-password#token=${TOKEN}`);
    const sent = log.entries().find((e) => e.code === 'MAIL_SENT');
    expect(sent).to.include({ template: 'reset_password', attempt: 1, to: 'a***@example.com' });
  });

  it('retries when the server refuses twice, then delivers the mail exactly once', async () => {
    server.rejectNext(2);
    const { delays, timer } = instantTimer();
    const mailer = mailerOn(new SmtpMailTransport(server.url), { timer });
    mailer.send(ONE_OF_EACH.verify_email);
    await mailer.drain();

    expect(server.attempts()).to.equal(3);
    expect(server.messages).to.have.length(1);
    expect(delays).to.deep.equal([30_000, 120_000]);
    const entries = log.entries();
    expect(codes(entries)).to.deep.equal(['MAIL_SEND_FAILED', 'MAIL_SEND_FAILED', 'MAIL_SENT']);
    expect(entries.filter((e) => e.code === 'MAIL_SEND_FAILED').map((e) => [e.attempt, e.template, e.retryInMs])).to.deep.equal([
      [1, 'verify_email', 30_000],
      [2, 'verify_email', 120_000],
    ]);
    expect(entries.find((e) => e.code === 'MAIL_SENT')?.attempt).to.equal(3);
  });

  it('gives up after exactly one attempt and three retries, within ten minutes, and logs MAIL_GIVEN_UP', async () => {
    server.rejectAll();
    const { delays, timer } = instantTimer();
    const mailer = mailerOn(new SmtpMailTransport(server.url), { timer });
    mailer.send(ONE_OF_EACH.confirm_email_change);
    await mailer.drain();

    expect(server.attempts()).to.equal(4);
    expect(server.messages).to.have.length(0);
    expect(delays).to.deep.equal([...DEFAULT_RETRY_DELAYS_MS]);
    expect(delays.reduce((a, b) => a + b, 0)).to.be.at.most(10 * 60_000);
    const entries = log.entries();
    expect(codes(entries)).to.deep.equal(['MAIL_SEND_FAILED', 'MAIL_SEND_FAILED', 'MAIL_SEND_FAILED', 'MAIL_SEND_FAILED', 'MAIL_GIVEN_UP']);
    expect(entries.filter((e) => e.code === 'MAIL_SEND_FAILED').map((e) => e.attempt)).to.deep.equal([1, 2, 3, 4]);
    expect(entries.at(-1)).to.include({ code: 'MAIL_GIVEN_UP', template: 'confirm_email_change', attempts: 4, to: 'a***@example.org' });
  });

  it('waits for the timer between attempts: nothing is retried before the delay has passed', async () => {
    server.rejectNext(1);
    const { pending, timer } = heldTimer();
    const mailer = mailerOn(new SmtpMailTransport(server.url), { timer });
    mailer.send(ONE_OF_EACH.password_changed);
    for (let i = 0; i < 100 && pending.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(pending.map((p) => p.delayMs)).to.deep.equal([30_000]);
    expect(server.attempts()).to.equal(1);
    pending[0]?.fire();
    await mailer.drain();
    expect(server.attempts()).to.equal(2);
    expect(server.messages).to.have.length(1);
  });

  it('refuses more than three retries or retries beyond ten minutes', () => {
    const transport = new SmtpMailTransport(server.url);
    const make = (retryDelaysMs: number[]) => () => new QueueingMailer({ transport, settings: SETTINGS, logger: log.logger, retryDelaysMs });
    expect(make([1, 1, 1, 1])).to.throw(RangeError);
    expect(make([300_000, 300_001])).to.throw(RangeError);
    expect(make([30_000, 120_000, 300_000])).not.to.throw();
  });

  it('never throws from send(), whether rendering, the transport or the logger blows up', async () => {
    const exploding: MailTransport = {
      deliver: () => {
        throw new Error(`boom with ${TOKEN}`);
      },
      close: async () => {},
    };
    const { timer } = instantTimer();
    const mailer = mailerOn(exploding, { timer });
    expect(() => mailer.send({ template: 'no_such_template', to: ALICE, token: TOKEN } as unknown as AccountMail)).not.to.throw();
    expect(() => mailer.send(null as unknown as AccountMail)).not.to.throw();
    expect(() => mailer.send(ONE_OF_EACH.verify_email)).not.to.throw();
    await mailer.drain();
    expect(codes(log.entries())).to.include('MAIL_RENDER_FAILED').and.include('MAIL_GIVEN_UP');

    const brokenLogger = log.logger.child({});
    brokenLogger.warn = () => {
      throw new Error('log sink down');
    };
    brokenLogger.error = brokenLogger.warn;
    const quiet = mailerOn(exploding, { timer, logger: brokenLogger });
    expect(() => quiet.send({ template: 'no_such_template', to: ALICE } as unknown as AccountMail)).not.to.throw();
    expect(() => quiet.send(ONE_OF_EACH.reset_password)).not.to.throw();
    await quiet.drain();
  });

  it('close() gives up the pending retries, logs them, and takes no more mail', async () => {
    server.rejectAll();
    const { pending, timer } = heldTimer();
    const mailer = mailerOn(new SmtpMailTransport(server.url), { timer });
    mailer.send(ONE_OF_EACH.email_changed);
    for (let i = 0; i < 100 && pending.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    await mailer.close();
    expect(pending).to.have.length(0);
    mailer.send(ONE_OF_EACH.password_changed);
    await mailer.drain();
    expect(server.attempts()).to.equal(1);
    const given = log.entries().filter((e) => e.code === 'MAIL_GIVEN_UP');
    expect(given.map((e) => [e.template, e.reason])).to.deep.equal([
      ['email_changed', 'closed'],
      ['password_changed', 'closed'],
    ]);
  });

  it('masks a recipient to its first character and domain', () => {
    expect(maskEmail('alice@example.com')).to.equal('a***@example.com');
    expect(maskEmail('b@x.org')).to.equal('b***@x.org');
    expect(maskEmail('no-at-sign')).to.equal('***');
  });
});
