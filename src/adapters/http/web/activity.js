// Security events in words a person reads: the account page's "Recent security activity" card, and
// the same lines on the admin page.
import { api } from './api.js';

const REASONS = { account_disabled: ' (the account is disabled)', email_not_verified: ' (the email was not verified yet)' };
const reason = (e) => REASONS[e.detail?.reason] ?? '';
const ended = (e) => (typeof e.detail?.ended === 'number' ? ` (${e.detail.ended} session${e.detail.ended === 1 ? '' : 's'})` : '');

/** What an admin changed, from the event's `detail` ("disabled the account", "changed the roles to admin"). */
function adminChange(e) {
  if (e.detail?.disabled === true) return 'An administrator disabled the account';
  if (e.detail?.disabled === false) return 'An administrator enabled the account';
  if (Array.isArray(e.detail?.roles)) return `An administrator set the roles to ${e.detail.roles.join(', ') || 'none'}`;
  const fields = Array.isArray(e.detail?.fields) ? e.detail.fields.join(', ') : '';
  return `An administrator changed the account${fields ? ` (${fields})` : ''}`;
}

/** A provider as a person names it, as the page's providers.js does: a configured issuer shows its name, capitalised. */
const providerName = (e) => {
  const name = String(e.detail?.provider ?? 'a provider');
  return { github: 'GitHub', google: 'Google' }[name] ?? name.charAt(0).toUpperCase() + name.slice(1);
};

/** How a sign-in was proved (`login.succeeded`'s `detail.method`). */
const SIGNED_IN_WITH = {
  github: 'Signed in with GitHub',
  passkey: 'Signed in with a passkey',
  totp: 'Signed in, with a code from the authenticator app',
  recovery_code: 'Signed in, with a recovery code',
};

/** One line per event type; a type not here shows its own name, so a new one is never hidden. */
const WORDS = {
  'user.registered': 'Account created',
  'login.succeeded': (e) => SIGNED_IN_WITH[e.detail?.method] ?? 'Signed in with password',
  'login.failed': (e) => {
    if (e.detail?.method === 'passkey' && !e.detail?.reason?.startsWith('account_')) return 'A passkey sign-in was refused';
    return e.detail?.reason || e.detail?.method === 'github' ? `Sign-in refused${reason(e)}` : 'Wrong password';
  },
  'login.throttled': 'Sign-in blocked after too many failed attempts',
  'session.reuse_detected': 'A refresh token was reused: that session was ended',
  'session.ended': (e) => (e.detail?.by === 'session_list' ? 'A session was ended from the session list' : 'Signed out'),
  'sessions.ended_all': (e) => `Signed out everywhere${ended(e)}`,
  'password.changed': 'Password changed',
  'password.reset_requested': 'Password reset link requested',
  'password.reset': 'Password reset from an emailed link',
  'email.verification_requested': 'Verification email requested',
  'email.verified': 'Email address verified',
  'email.change_requested': 'Email change requested',
  'email.changed': 'Email address changed',
  'github.signed_in': 'Signed in with GitHub',
  'github.linked': 'GitHub account linked',
  'identity.signed_in': (e) => `Signed in with ${providerName(e)}`,
  'identity.linked': (e) => `${providerName(e)} account linked`,
  'identity.unlinked': (e) => `${providerName(e)} account unlinked`,
  'mfa.enabled': 'Two-step verification turned on',
  'mfa.disabled': 'Two-step verification turned off',
  'mfa.failed': (e) => (e.detail?.method === 'passkey' ? 'A passkey could not be added' : 'Wrong two-step verification code'),
  'passkey.added': 'Passkey added',
  'passkey.removed': 'Passkey removed',
  'admin.user_updated': adminChange,
  'admin.user_deleted': 'An administrator deleted the account',
  'admin.sessions_ended': (e) => `An administrator ended every session${ended(e)}`,
};

export function describeEvent(e) {
  const words = WORDS[e.type];
  return typeof words === 'function' ? words(e) : (words ?? e.type);
}

// A few patterns are enough to name a device to its owner (the session list names it from the server's fuller parse).
const BROWSERS = [[/Edg\//, 'Edge'], [/Firefox\//, 'Firefox'], [/Chrom(e|ium)\//, 'Chrome'], [/Safari\//, 'Safari'], [/^curl\//, 'curl']];
const SYSTEMS = [[/Android/, 'Android'], [/iPhone|iPad|iPod/, 'iOS'], [/Windows/, 'Windows'], [/Mac OS X|Macintosh/, 'macOS'], [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux']];
const first = (list, ua) => list.find(([pattern]) => pattern.test(ua))?.[1];

export function deviceOf(ua) {
  if (!ua) return null;
  const [browser, system] = [first(BROWSERS, ua), first(SYSTEMS, ua)];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? (system ? `Unknown browser on ${system}` : 'Unknown device');
}

const MINUTE = 60_000;
/** "just now", "5 minutes ago", "3 hours ago"; older ones as a local date and time. */
export function ago(iso, now = Date.now()) {
  const ms = now - new Date(iso).getTime();
  if (ms < MINUTE) return 'just now';
  if (ms < 60 * MINUTE) return `${Math.floor(ms / MINUTE)} minute${ms < 2 * MINUTE ? '' : 's'} ago`;
  if (ms < 24 * 60 * MINUTE) return `${Math.floor(ms / (60 * MINUTE))} hour${ms < 120 * MINUTE ? '' : 's'} ago`;
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

const element = (tag, className, text) => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
};

/**
 * One list item per event. `ownView`: the account's own page, where an administrator's device and
 * address are not shown (they are the administrator's, not the account's).
 */
export function eventItems(events, { ownView = false } = {}) {
  return events.map((e) => {
    const item = element('li');
    item.append(element('div', 'what', describeEvent(e)));
    const byAdmin = e.actorId && e.actorId !== e.userId;
    const where = ownView && byAdmin ? [] : [deviceOf(e.userAgent), e.ip].filter(Boolean);
    const time = element('time', '', ago(e.at));
    time.dateTime = e.at;
    time.title = new Date(e.at).toLocaleString();
    const meta = element('div', 'muted small');
    meta.append(time);
    if (where.length) meta.append(` · ${where.join(' · ')}`);
    item.append(meta);
    return item;
  });
}

/** Fills the account page's activity list from GET /auth/events. */
export async function renderActivity(list) {
  const { events } = await api('GET', '/auth/events');
  const items = eventItems(events, { ownView: true });
  list.replaceChildren(...(items.length ? items : [element('li', 'muted', 'Nothing yet.')]));
}
