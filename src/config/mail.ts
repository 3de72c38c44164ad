import { z } from 'zod';
import { EMAIL_VERIFICATION_MODES, type EmailVerificationMode } from '../domain/email-verification.js';
import { httpUrl, int, optional, type Findings } from './variables.js';


export const mailVariables = z.object({
  SMTP_URL: optional.pipe(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional()),
  MAIL_FROM: z.string().trim().min(3).max(254).default('no-reply@localhost'),
  MAIL_OUTBOX_DIR: z.string().trim().min(1).default('data/outbox'),
  MAIL_TEMPLATES_DIR: optional,
  EMAIL_VERIFICATION: z
    .string()
    .default('optional')
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(EMAIL_VERIFICATION_MODES, { error: 'must be off, optional or required' })),
  EMAIL_LINK_BASE_URL: optional.pipe(httpUrl.optional()),
  EMAIL_VERIFICATION_TTL: int(86_400, 60, 30 * 86_400),
  PASSWORD_RESET_TTL: int(1800, 60, 86_400),
  MAIL_PER_ADDRESS_PER_HOUR: int(3, 1, 1000),
  MAIL_PER_IP_PER_HOUR: int(20, 1, 1_000_000),
});

export interface MailConfig {
  /** Where mail leaves: SMTP, or (unset) `.eml` files in `outboxDir`. */
  readonly smtpUrl: string | null;
  readonly from: string;
  readonly outboxDir: string;
  /** A folder of templates replacing the shipped ones (every file of them); null: the shipped ones. */
  readonly templatesDir: string | null;
  readonly emailVerification: EmailVerificationMode;
  /** Where the links in mails point (no trailing slash): the page that spends the token. */
  readonly linkBaseUrl: string;
  readonly verificationTtlSeconds: number;
  readonly resetTtlSeconds: number;
  readonly perAddressPerHour: number;
  readonly perIpPerHour: number;
}

/** `webAppUrl`: WEB_APP_URL, itself PUBLIC_URL unless set; mail links go there unless EMAIL_LINK_BASE_URL says otherwise. */
export function mailConfig(e: z.output<typeof mailVariables>, webAppUrl: string, production: boolean, { warnings }: Findings): MailConfig {
  if (!e.SMTP_URL) {
    warnings.push(
      `SMTP_URL is not set: mail is not sent but written as .eml files to ${e.MAIL_OUTBOX_DIR} (MAIL_OUTBOX_DIR)` +
        (production ? '; users receive no verification or password-reset mail until SMTP_URL is set' : ''),
    );
  }
  return {
    smtpUrl: e.SMTP_URL ?? null,
    from: e.MAIL_FROM,
    outboxDir: e.MAIL_OUTBOX_DIR,
    templatesDir: e.MAIL_TEMPLATES_DIR?.trim() ?? null,
    emailVerification: e.EMAIL_VERIFICATION,
    linkBaseUrl: (e.EMAIL_LINK_BASE_URL ?? webAppUrl).replace(/\/+$/, ''),
    verificationTtlSeconds: e.EMAIL_VERIFICATION_TTL,
    resetTtlSeconds: e.PASSWORD_RESET_TTL,
    perAddressPerHour: e.MAIL_PER_ADDRESS_PER_HOUR,
    perIpPerHour: e.MAIL_PER_IP_PER_HOUR,
  };
}
