// The account page: signing in and up, sessions, the password; the mail-link flows live in email.js.
import { api, client, hasSession, ProblemError, REFRESHABLE, tryAgain } from './api.js';
import { renderActivity } from './activity.js';
import { EMAIL_FORMS, EMAIL_MESSAGES, emailFlows } from './email.js';
import { MFA_FORMS, MFA_MESSAGES, mfaFlows } from './mfa.js';
import { PASSKEY_MESSAGES, passkeyFlows } from './passkeys.js';
import { PROVIDER_MESSAGES, providerFlows, providerLabel, startedProvider } from './providers.js';

const $ = (id) => document.getElementById(id);

/** What each problem code means to a person (codes not here show the server's own `detail`). */
const MESSAGES = {
  INVALID_CREDENTIALS: 'That email and password do not match.',
  EMAIL_ALREADY_REGISTERED: 'An account with this email already exists. Sign in instead.',
  TOO_MANY_ATTEMPTS: (err) => `Too many failed attempts. ${tryAgain(err)}`,
  CSRF_FAILED: 'Your session could not be verified. Reload the page and try again.',
  VALIDATION_FAILED: 'Please check the form:',
  PASSWORD_TOO_WEAK: 'Please choose a stronger password.',
  INVALID_TOKEN: 'Your session has ended. Please sign in again.',
  ACCOUNT_DISABLED: 'This account is disabled. Ask an administrator to enable it again.',
  SERVICE_UNAVAILABLE: 'The service is briefly unavailable. Please try again in a moment.',
  ...EMAIL_MESSAGES,
  ...MFA_MESSAGES,
  ...PASSKEY_MESSAGES,
  ...PROVIDER_MESSAGES,
};
/** Codes whose `detail` tells a person why (shown under the message when no field list does). */
const REASONED = new Set(['PASSWORD_TOO_WEAK']);

/** Per form: what a code means there, and the field to correct. */
const IN_FORM = {
  'signin-form': { INVALID_CREDENTIALS: { field: 'password' } },
  'signup-form': {
    EMAIL_ALREADY_REGISTERED: { field: 'email' },
    PASSWORD_TOO_WEAK: { field: 'password' },
    // REGISTER_PER_IP_PER_HOUR: nothing failed, this network has simply signed up often.
    TOO_MANY_ATTEMPTS: { text: (err) => `Too many sign-ups from this network. ${tryAgain(err)}` },
  },
  'password-form': {
    INVALID_CREDENTIALS: { field: 'currentPassword', text: 'The current password is not correct.' },
    PASSWORD_TOO_WEAK: { field: 'newPassword' },
  },
  ...EMAIL_FORMS,
  ...MFA_FORMS,
};

/** What a provider callback's `?error=` codes mean to a person, for the provider (`p`: "GitHub", "Google") the sign-in was started with. */
const CALLBACK_ERRORS = {
  invalid_state: (p) => `The ${p} sign-in expired or was started elsewhere. Please try again.`,
  access_denied: (p) => `${p} sign-in was cancelled.`,
  github_unavailable: () => 'GitHub could not be reached. Please try again in a moment.',
  provider_unavailable: (p) => `${p} could not be reached. Please try again in a moment.`,
  invalid_id_token: (p) => `${p} answered with a sign-in we could not verify. Please try again.`,
  account_exists: (p) => `An account with your ${p} email already exists. Sign in with your password, then link ${p}.`,
  already_linked: (p) => `That ${p} account is already linked to another account.`,
  email_not_verified: () => 'Verify your email address first: open the link in the mail we sent you.',
  account_disabled: () => 'This account is disabled.',
  server_error: () => 'Something went wrong on our side. Please try again.',
};

const element = (tag, className, text) => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** The label a person reads for a form field ("New password"), for naming it in a message. */
function labelOf(form, field) {
  const input = form?.elements?.namedItem(field);
  return input?.labels?.[0]?.firstChild?.textContent.trim() || field;
}

/** Shows one message, just above what it is about (a form, the session list) or under the title. */
function show(kind, text, { near, reason, errors, form } = {}) {
  const box = $('message');
  box.className = kind;
  box.replaceChildren(element('p', '', text));
  if (reason) box.append(element('p', 'reason', reason));
  if (errors?.length) {
    const list = element('ul');
    for (const e of errors) list.append(element('li', '', `${labelOf(form, e.field)}: ${e.message}`));
    box.append(list);
  }
  (near ?? $('top')).after(box);
  box.hidden = false;
}

function clearMessage() {
  $('message').hidden = true;
  for (const field of document.querySelectorAll('[aria-invalid]')) field.removeAttribute('aria-invalid');
}

function showError(err, form) {
  const near = form?.previousElementSibling ?? undefined;
  if (!(err instanceof ProblemError)) return show('error', 'The service could not be reached. Check your connection and try again.', { near });
  const p = err.problem;
  if (!err.code) return show('error', `The service answered with an error (${err.status}). Please try again.`, { near });
  if (err.status === 401 && REFRESHABLE.has(p.code)) {
    renderSignedOut();
    return show('error', MESSAGES.INVALID_TOKEN);
  }
  const here = IN_FORM[form?.id]?.[p.code];
  const message = here?.text ?? MESSAGES[p.code];
  const text = typeof message === 'function' ? message(err) : message || p.detail || p.title;
  const reason = REASONED.has(p.code) && !p.errors?.length ? p.detail : undefined;
  show('error', text, { near, reason, errors: p.errors, form });
  const field = form?.elements?.namedItem(p.errors?.[0]?.field ?? here?.field);
  if (field instanceof HTMLInputElement) {
    field.setAttribute('aria-invalid', 'true');
    field.focus();
    field.select();
  }
}

/** Runs an action of the page, showing its failure next to `form` (or under the title). */
async function act(fn, form) {
  clearMessage();
  try {
    await fn();
  } catch (err) {
    showError(err, form);
  }
}

const formData = (form) => Object.fromEntries(new FormData(form).entries());
const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

async function renderSignedIn(user) {
  $('email-link').hidden = true;
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  const title = user.name || user.email || user.githubLogin || 'You';
  $('user-name').textContent = title;
  $('user-email').textContent = user.email || '';
  $('user-email').hidden = !user.email || user.email === title;
  $('user-since').textContent = new Date(user.createdAt).toLocaleDateString(undefined, { dateStyle: 'medium' });
  $('user-github').hidden = !user.githubLogin;
  $('user-github-login').textContent = user.githubLogin || '';
  $('github-link').hidden = Boolean(user.githubLogin);
  $('admin-link').hidden = !user.roles?.includes('admin');
  flows.renderEmail(user);
  mfa.renderCard(Boolean(user.mfa?.totp));
  await Promise.all([renderSessions(), refreshActivity(), passkeys.renderList(), providers.renderIdentities()]);
}

function renderSignedOut() {
  $('email-link').hidden = true;
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
  // Passwords and codes typed into the signed-in view must not wait there for whoever signs in next.
  for (const id of ['password-form', 'email-form', 'passkey-form']) $(id).reset();
  mfa.renderCard(false);
  $('mfa-form').hidden = true;
  for (const id of ['tabs', 'other-ways']) $(id).hidden = false;
  showTab(false);
  $('signin-form').querySelector('input').focus();
}

const refreshActivity = () => renderActivity($('activity'));

async function renderSessions() {
  const sessions = await api('GET', '/auth/sessions');
  const items = sessions.map((s) => {
    const device = element('div', 'device', s.device || 'Unknown device');
    // The raw User-Agent, for whoever wants to know exactly what signed in.
    if (s.userAgent) device.title = s.userAgent;
    if (s.current) device.append(element('span', 'badge', 'this device'));
    const text = element('div');
    text.append(device, element('div', 'muted small', `Signed in ${when(s.createdAt)} · last used ${when(s.lastUsedAt)}`));
    const end = element('button', '', s.current ? 'Sign out' : 'End');
    end.type = 'button';
    end.addEventListener('click', () => act(async () => {
      await api('DELETE', `/auth/sessions/${encodeURIComponent(s.id)}`);
      if (s.current) return refreshView();
      await renderSessions();
      show('info', 'Session ended.', { near: $('sessions-card').firstElementChild });
    }));
    const item = element('li');
    item.append(text, end);
    return item;
  });
  $('sessions').replaceChildren(...items);
}

async function refreshView() {
  if (!hasSession()) return renderSignedOut();
  try {
    await renderSignedIn(await api('GET', '/auth/me'));
  } catch (err) {
    if (err instanceof ProblemError && err.status === 401) renderSignedOut();
    else showError(err);
  }
}

function showTab(signup) {
  $('forgot-form').hidden = true;
  for (const [tab, form, selected] of [['tab-signin', 'signin-form', !signup], ['tab-signup', 'signup-form', signup]]) {
    $(tab).setAttribute('aria-selected', String(selected));
    $(form).hidden = !selected;
  }
}

function selectTab(signup) {
  showTab(signup);
  clearMessage();
  (signup ? $('signup-form') : $('signin-form')).querySelector('input').focus();
}

$('tab-signin').addEventListener('click', () => selectTab(false));
$('tab-signup').addEventListener('click', () => selectTab(true));

/** A form's submit: the action runs with the form's values, and its failure shows on the form. */
function onSubmit(id, action) {
  const form = $(id);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act(() => action(formData(form), form), form);
  });
}

onSubmit('signin-form', async (data, form) => {
  const result = await client.login(data);
  form.reset();
  // The password was right, and the account asks for its second step.
  if (result.kind === 'mfa_required') return mfa.startStep({ token: result.mfaToken, methods: result.methods });
  await renderSignedIn(result.user);
});

onSubmit('signup-form', async (data, form) => {
  if (!data.name) delete data.name;
  const { user } = await client.register(data);
  form.reset();
  await renderSignedIn(user);
});

onSubmit('password-form', async (data, form) => {
  await api('POST', '/auth/password', data);
  form.reset();
  await Promise.all([renderSessions(), refreshActivity()]);
  show('info', 'Password changed. Every other session was signed out.', { near: form.previousElementSibling });
});

function signedOut(text) {
  renderSignedOut();
  show('info', text);
}

$('signout').addEventListener('click', () => act(async () => {
  await client.logout();
  signedOut('Signed out.');
}));

$('signout-all').addEventListener('click', () => act(async () => {
  // Not client.logoutAll(), which takes a session already ended elsewhere as done: the person should hear that it had ended.
  await api('POST', '/auth/logout-all');
  signedOut('Signed out on every device.');
}));

$('github-link').addEventListener('click', () => act(async () => {
  const { url } = await api('POST', '/auth/github/link');
  window.location.assign(url);
}));

function showCallbackError() {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('error');
  if (!code) return;
  const provider = providerLabel(startedProvider());
  show('error', CALLBACK_ERRORS[code]?.(provider) ?? `${provider} sign-in did not complete.`);
  params.delete('error');
  const rest = params.toString();
  window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : ''));
}

const ui = { $, act, onSubmit, show, showError, clearMessage, renderSignedIn, renderSignedOut, refreshView, refreshActivity, signedOut };
const flows = emailFlows(ui);
const mfa = mfaFlows(ui);
const passkeys = passkeyFlows(ui);
const providers = providerFlows(ui);

showCallbackError();
if (!flows.openLink() && !mfa.openFromRedirect()) refreshView();
