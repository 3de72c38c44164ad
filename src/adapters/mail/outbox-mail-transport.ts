import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { MailTransport } from './mail-transport.js';
import type { RenderedMail } from './render-mail.js';

/**
 * Writes every mail as an RFC 5322 `.eml` file (CRLF line ends) into a folder instead of sending
 * it: for development and the browser tests, which open the newest file to follow its link.
 * Names sort by time (`20260102T030405.678Z-000001-<random>.eml`; the counter orders mails of
 * one millisecond, the random part keeps two processes apart), and a file appears whole: it is
 * written under a temporary name and renamed.
 */
export class OutboxMailTransport implements MailTransport {
  private readonly composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  private sequence = 0;
  private ready: Promise<unknown> | null = null;

  constructor(
    private readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async deliver(mail: RenderedMail, from: string): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true }).catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    await this.ready;
    const info = await this.composer.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    const stamp = this.now().toISOString().replace(/[-:]/g, '');
    this.sequence += 1;
    const name = `${stamp}-${String(this.sequence).padStart(6, '0')}-${randomBytes(4).toString('hex')}.eml`;
    const temporary = join(this.dir, `.${name}.tmp`);
    await writeFile(temporary, info.message as Buffer, { flag: 'wx', mode: 0o600 });
    await rename(temporary, join(this.dir, name));
  }

  async close(): Promise<void> {
    this.composer.close();
  }
}
