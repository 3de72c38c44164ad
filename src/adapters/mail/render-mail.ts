import type { AccountMail } from '../../domain/ports/mailer.js';
import { loadMailTemplates, type MailTemplates } from './mail-templates.js';

export interface MailSettings {
  /** APP_NAME: every subject names it. */
  readonly appName: string;
  /** The From header, `Name <address>` or an address. */
  readonly from: string;
  /** Where the web pages live, e.g. `https://auth.example.com` (a trailing slash is dropped). */
  readonly linkBaseUrl: string;
  readonly verificationTtlSeconds: number;
  readonly resetTtlSeconds: number;
}

/** A mail ready for a transport. */
export interface RenderedMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** A lifetime as a person reads it: 86400 -> "24 hours", 1800 -> "30 minutes". */
export function describeDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds >= 60 && seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

/**
 * The token travels only in the fragment: a browser never sends it to a server, so it stays out of
 * access logs, proxies and Referer headers (docs/security.md).
 */
const linkTo = (base: string, page: string, token: string): string => `${base.replace(/\/+$/, '')}/${page}#token=${encodeURIComponent(token)}`;

function valuesOf(mail: AccountMail, settings: MailSettings): Record<string, string> {
  const common = { appName: settings.appName, email: mail.to };
  switch (mail.template) {
    case 'verify_email':
      return { ...common, link: linkTo(settings.linkBaseUrl, 'verify-email', mail.token), validFor: describeDuration(settings.verificationTtlSeconds) };
    case 'reset_password':
      return { ...common, link: linkTo(settings.linkBaseUrl, 'reset-password', mail.token), validFor: describeDuration(settings.resetTtlSeconds) };
    case 'confirm_email_change':
      return {
        ...common,
        link: linkTo(settings.linkBaseUrl, 'confirm-email', mail.token),
        validFor: describeDuration(settings.verificationTtlSeconds),
        oldEmail: mail.oldEmail ?? '',
      };
    case 'email_change_requested':
    case 'email_changed':
      return { ...common, newEmail: mail.newEmail };
    case 'password_changed':
      return common;
    default: {
      const unknown: never = mail;
      throw new Error(`no mail template ${String((unknown as { template?: unknown }).template)}`);
    }
  }
}

const fill = (source: string, values: Record<string, string>, escape: (v: string) => string): string =>
  source.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_match, name: string) => escape(values[name] ?? ''));

let defaultTemplates: MailTemplates | undefined;

/**
 * The mail in words: subject and plain text filled as they are, the HTML part with every value
 * escaped (an address or a product name can hold `<`). `templates` defaults to the files beside
 * this module, read once.
 */
export function renderMail(mail: AccountMail, settings: MailSettings, templates?: MailTemplates): RenderedMail {
  const source = (templates ?? (defaultTemplates ??= loadMailTemplates()))[mail.template];
  if (!source) throw new Error(`no mail template ${String(mail.template)}`);
  const values = valuesOf(mail, settings);
  const asIs = (v: string) => v;
  return {
    to: mail.to,
    subject: fill(source.subject, values, asIs).replace(/[\r\n]+/g, ' '),
    text: fill(source.text, values, asIs),
    html: fill(source.html, values, escapeHtml),
  };
}
