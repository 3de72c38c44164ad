import type { Logger } from 'pino';
import type { AccountMail, Mailer, MailTemplate } from '../../domain/ports/mailer.js';
import type { MailTransport } from './mail-transport.js';
import type { MailTemplates } from './mail-templates.js';
import { renderMail, type MailSettings, type RenderedMail } from './render-mail.js';

/** Starts `callback` after `delayMs`; the function it returns cancels it. */
export type MailTimer = (callback: () => void, delayMs: number) => () => void;

/** A pending retry does not keep a stopping process alive; close() is the orderly way out. */
export const realTimer: MailTimer = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

/** Three retries, the last one 7.5 minutes after the first attempt: within ten minutes even with slow attempts (see DEFAULT_SMTP_TIMEOUTS). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [30_000, 120_000, 300_000];
export const MAX_RETRIES = 3;
export const MAX_RETRY_SPAN_MS = 10 * 60_000;

export const MAIL_LOG_CODES = {
  sent: 'MAIL_SENT',
  failed: 'MAIL_SEND_FAILED',
  givenUp: 'MAIL_GIVEN_UP',
  renderFailed: 'MAIL_RENDER_FAILED',
} as const;

export interface QueueingMailerOptions {
  readonly transport: MailTransport;
  readonly settings: MailSettings;
  readonly logger: Logger;
  /** loadMailTemplates() at start-up; the files beside the module when left out. */
  readonly templates?: MailTemplates;
  /** The pause before each retry: at most three, adding up to at most ten minutes. */
  readonly retryDelaysMs?: readonly number[];
  readonly timer?: MailTimer;
}

/** `alice@example.com` -> `a***@example.com`: enough to tell two recipients apart in a log, not to harvest them. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '***';
  return `${at > 0 ? [...address.slice(0, at)][0] : ''}***${address.slice(at)}`;
}

/**
 * What of a failure may be logged: nodemailer's code, the SMTP reply code and command. Never the
 * message: a relay's reply can quote the recipient, and no line may carry the body or the link.
 */
function failureOf(err: unknown): Record<string, unknown> {
  if (typeof err !== 'object' || err === null) return { type: typeof err };
  const e = err as { name?: unknown; code?: unknown; responseCode?: unknown; command?: unknown };
  const out: Record<string, unknown> = { type: typeof e.name === 'string' ? e.name : 'Error' };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.responseCode === 'number') out.responseCode = e.responseCode;
  if (typeof e.command === 'string') out.command = e.command.split(' ')[0];
  return out;
}

/**
 * The Mailer: renders at once, then delivers in the background, so no HTTP answer waits on (or
 * reveals, by its timing or its status) the mail. A failed delivery is retried after each of
 * `retryDelaysMs`, then given up; every step is logged with a stable code and never with the
 * token, the link, the body, or the whole address.
 */
export class QueueingMailer implements Mailer {
  private readonly transport: MailTransport;
  private readonly settings: MailSettings;
  private readonly logger: Logger;
  private readonly templates: MailTemplates | undefined;
  private readonly delays: readonly number[];
  private readonly timer: MailTimer;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pendingRetries = new Set<() => void>();
  private closed = false;

  constructor(options: QueueingMailerOptions) {
    const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    if (delays.length > MAX_RETRIES) throw new RangeError(`at most ${MAX_RETRIES} mail retries, not ${delays.length}`);
    if (delays.some((d) => !Number.isFinite(d) || d < 0)) throw new RangeError('mail retry delays are non-negative milliseconds');
    if (delays.reduce((a, b) => a + b, 0) > MAX_RETRY_SPAN_MS) throw new RangeError(`mail retries must end within ${MAX_RETRY_SPAN_MS} ms`);
    this.transport = options.transport;
    this.settings = options.settings;
    this.logger = options.logger;
    this.templates = options.templates;
    this.delays = delays;
    this.timer = options.timer ?? realTimer;
  }

  send(mail: AccountMail): void {
    try {
      const template: MailTemplate | string = String(mail.template);
      const to = maskEmail(String(mail.to));
      if (this.closed) {
        this.logger.warn({ code: MAIL_LOG_CODES.givenUp, template, to, attempts: 0, reason: 'closed' }, 'mail not sent: the mailer is closed');
        return;
      }
      let rendered: RenderedMail;
      try {
        rendered = renderMail(mail, this.settings, this.templates);
      } catch (err) {
        this.logger.error({ code: MAIL_LOG_CODES.renderFailed, template, to, err: failureOf(err) }, 'mail not sent: it could not be rendered');
        return;
      }
      const delivery = this.deliver(rendered, template, to).catch(() => undefined);
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    } catch {
      // The port promises send() never throws: even a logger that fails must not fail the request.
    }
  }

  /** Resolves when no mail is being delivered or waiting for a retry. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Takes no more mail, gives up the pending retries (logged MAIL_GIVEN_UP), waits for the attempts under way, closes the transport. */
  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of [...this.pendingRetries]) cancel();
    await this.drain();
    await this.transport.close();
  }

  private async deliver(mail: RenderedMail, template: string, to: string): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.transport.deliver(mail, this.settings.from);
        this.logger.info({ code: MAIL_LOG_CODES.sent, template, to, attempt }, 'mail delivered');
        return;
      } catch (err) {
        const delay = this.delays[attempt - 1];
        const retry = delay !== undefined && !this.closed;
        this.logger.warn(
          { code: MAIL_LOG_CODES.failed, template, to, attempt, err: failureOf(err), ...(retry ? { retryInMs: delay } : {}) },
          retry ? 'mail delivery failed; it will be retried' : 'mail delivery failed',
        );
        if (!retry || !(await this.wait(delay))) {
          this.logger.error({ code: MAIL_LOG_CODES.givenUp, template, to, attempts: attempt, reason: this.closed ? 'closed' : 'retries exhausted' }, 'mail given up');
          return;
        }
      }
    }
  }

  /** True after `delayMs`; false at once when close() cancels it. */
  private wait(delayMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let stop = () => {};
      const cancel = () => {
        stop();
        settle(false);
      };
      const settle = (elapsed: boolean) => {
        this.pendingRetries.delete(cancel);
        resolve(elapsed);
      };
      this.pendingRetries.add(cancel);
      stop = this.timer(() => settle(true), delayMs);
    });
  }
}
