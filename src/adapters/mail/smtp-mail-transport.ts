import { createTransport } from 'nodemailer';
import type { MailTransport } from './mail-transport.js';
import type { RenderedMail } from './render-mail.js';

export interface SmtpTimeouts {
  readonly connectionTimeoutMs: number;
  readonly greetingTimeoutMs: number;
  readonly socketTimeoutMs: number;
}

/**
 * Short enough that four attempts and the retry pauses of QueueingMailer stay within ten minutes
 * (nodemailer's own defaults wait up to two minutes to connect and ten on a silent socket).
 */
export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = { connectionTimeoutMs: 10_000, greetingTimeoutMs: 10_000, socketTimeoutMs: 15_000 };

/** SMTP_URL, `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465` (TLS at once), through nodemailer. */
export class SmtpMailTransport implements MailTransport {
  private readonly transporter: ReturnType<typeof createTransport>;

  constructor(smtpUrl: string, timeouts: SmtpTimeouts = DEFAULT_SMTP_TIMEOUTS) {
    this.transporter = createTransport({
      url: smtpUrl,
      connectionTimeout: timeouts.connectionTimeoutMs,
      greetingTimeout: timeouts.greetingTimeoutMs,
      socketTimeout: timeouts.socketTimeoutMs,
      // nodemailer logs nothing unless asked: the message and the credentials stay out of every log.
      logger: false,
      debug: false,
    });
  }

  async deliver(mail: RenderedMail, from: string): Promise<void> {
    await this.transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
