import { z } from 'zod';
import { tryParseEmail, type Email } from '../domain/email.js';
import { int, optional, type Findings } from './variables.js';

export const adminVariables = z.object({
  ADMIN_EMAILS: optional,
  AUDIT_RETENTION_DAYS: int(90, 1, 3650),
});

export interface AdminConfig {
  /** Verified emails that hold `admin` while listed, normalised as emails are. */
  readonly adminEmails: readonly Email[];
  /** Security events older than this are pruned. */
  readonly auditRetentionDays: number;
}

export function adminConfig(e: z.output<typeof adminVariables>, { problems }: Findings): AdminConfig {
  const listed = (e.ADMIN_EMAILS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const adminEmails: Email[] = [];
  listed.forEach((raw, i) => {
    const email = tryParseEmail(raw);
    if (email === null) problems.push(`ADMIN_EMAILS: entry ${i + 1} is not an email address`);
    else adminEmails.push(email);
  });
  return { adminEmails: [...new Set(adminEmails)], auditRetentionDays: e.AUDIT_RETENTION_DAYS };
}
