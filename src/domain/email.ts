import { ValidationFailedError } from './errors.js';
import { codePoints, hasControlCharacter, hasFormatCharacter, hasLoneSurrogate, trimWhiteSpace } from './text.js';

export const EMAIL_MAX_LENGTH = 254;

/**
 * A validated email address in the one form it is stored, compared and throttled under
 * (docs/http-api.md, Conventions): trimmed, NFC, lower-cased, the domain in its IDNA ASCII form. Only
 * parseEmail makes one, so a store typed on Email never sees another form.
 */
export type Email = string & { readonly __brand: 'Email' };

type Examined = { readonly email: Email } | { readonly problem: string; readonly text: string };

// Far beyond any address that could fit once normalised: refused before IDNA is asked about it.
const INPUT_GUARD = 4 * EMAIL_MAX_LENGTH;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_NAME_MAX = 253;
// The ASCII a domain may not hold before IDNA: all but letters, digits, `-` and `.`. The URL parser
// would read `/`, `?`, `#`, `%`, `\`, `:`, `@` ... as a delimiter or an escape, and so name another
// host. (Control characters are refused before this is asked; the class states the rule whole.)
// eslint-disable-next-line no-control-regex
const ASCII_OUTSIDE_LDH = /[\x00-\x2c\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]/;

/**
 * UTS #46 ToASCII, as the WHATWG URL parser does it (no package: it is the platform's own),
 * then the DNS rules URL leaves out: letters, digits and inner hyphens (STD 3), labels of 1–63,
 * at most 253 in all, at least two labels and a TLD that is not a number. Null when refused —
 * by URL (bad punycode, a disallowed code point) or by those rules (a trailing dot, an empty
 * label, an IPv4 address URL would rewrite, such as `0x7f.1`).
 */
export function domainToAscii(domain: string): string | null {
  if (domain === '' || ASCII_OUTSIDE_LDH.test(domain)) return null;
  let url: URL;
  try {
    url = new URL(`http://${domain}/`);
  } catch {
    return null;
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '' || url.port !== '') return null;
  const host = url.hostname;
  const labels = host.split('.');
  if (host.length > DNS_NAME_MAX || labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return null;
  return host;
}

const caseFolded = (s: string): string => s.normalize('NFC').toLowerCase().normalize('NFC');

function examine(raw: string): Examined {
  const trimmed = trimWhiteSpace(raw);
  if (trimmed.length > INPUT_GUARD) return { problem: `must be at most ${EMAIL_MAX_LENGTH} characters`, text: trimmed.toLowerCase() };
  const text = caseFolded(trimmed);
  const refuse = (problem: string): Examined => ({ problem, text });
  if (trimmed === '') return refuse('is required');
  if (hasLoneSurrogate(trimmed)) return refuse('must be valid Unicode text');
  if (hasControlCharacter(trimmed) || hasFormatCharacter(trimmed)) {
    return refuse('must not contain control characters or invisible formatting characters');
  }
  const parts = text.split('@');
  const [local, domain] = parts;
  if (parts.length !== 2 || !local || !domain || /\p{White_Space}/u.test(local)) return refuse('must be an email address');
  const ascii = domainToAscii(domain);
  if (ascii === null) return refuse('must be an email address with a valid domain');
  const email = `${local}@${ascii}`;
  if (codePoints(email) > EMAIL_MAX_LENGTH) return { problem: `must be at most ${EMAIL_MAX_LENGTH} characters`, text: email };
  return { email: email as Email };
}

/**
 * The form an address is compared and throttled under: its canonical form when it is valid;
 * otherwise trimmed, NFC and lower-cased, a key that can never equal a stored address.
 */
export function normalizeEmail(raw: string): string {
  const examined = examine(raw);
  return 'email' in examined ? examined.email : examined.text;
}

/** Why an address is refused (VALIDATION_FAILED), or null when parseEmail accepts it. */
export function emailProblem(raw: string): string | null {
  const examined = examine(raw);
  return 'problem' in examined ? examined.problem : null;
}

/** The canonical Email; throws ValidationFailedError naming `field` when the address is refused. */
export function parseEmail(raw: string, field = 'email'): Email {
  const examined = examine(raw);
  if ('problem' in examined) throw new ValidationFailedError([{ field, message: examined.problem }]);
  return examined.email;
}

/** The canonical Email, or null when the address is refused (a sign-in with it matches nothing). */
export function tryParseEmail(raw: string): Email | null {
  const examined = examine(raw);
  return 'email' in examined ? examined.email : null;
}

/** The part before the `@`. */
export const localPartOf = (email: Email): string => email.slice(0, email.lastIndexOf('@'));
