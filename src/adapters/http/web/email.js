// The mail flows of the account page: forgotten password, the links mailed for verification,
// reset and email change, and the email card of the signed-in view.
import { api, hasSession, post, ProblemError, tryAgain } from './api.js';

/** What the mail flows' problem codes mean to a person (merged into the page's own table). */
export const EMAIL_MESSAGES = {
  LINK_INVALID: 'This link is invalid or has expired.',
  TOO_MANY_EMAILS: (err) => `Too many emails were asked for. ${tryAgain(err)}`,
  EMAIL_ALREADY_VERIFIED: 'Your email address is already verified.',
  EMAIL_NOT_VERIFIED: 'Please verify your email address first: open the link we mailed you.',
};

/** Per form of these flows: what a code means there, and the field to correct. */
export const EMAIL_FORMS = {
  'reset-form': { PASSWORD_TOO_WEAK: { field: 'newPassword' } },
  'forgot-form': { TOO_MANY_EMAILS: { field: 'email', text: (err) => `Too many emails were sent to this address. ${tryAgain(err)}` } },
  'email-form': {
    INVALID_CREDENTIALS: { field: 'currentPassword', text: 'The current password is not correct.' },
    EMAIL_ALREADY_REGISTERED: { field: 'newEmail', text: 'Another account already uses this address.' },
  },
  'confirm-form': { EMAIL_ALREADY_REGISTERED: { text: 'Another account already uses this address, so it cannot become yours.' } },
};

/** The pages a mail links to, and the form each shows. */
const LINK_FORMS = { '/verify-email': 'verify-form', '/reset-password': 'reset-form', '/confirm-email': 'confirm-form' };

const isLinkInvalid = (err) => err instanceof ProblemError && err.code === 'LINK_INVALID';

/**
 * The token a mail link carries in its fragment (the browser never sends a fragment to a server,
 * so a scanner fetching the link spends nothing), read once and then removed from the address bar
 * and the history, so it does not linger for whoever uses the browser next.
 */
function takeToken() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  window.history.replaceState(null, '', '/');
  return token;
}

/** Wires the flows into the page; `ui` is the page's own toolkit (messages, forms, views). */
export function emailFlows(ui) {
  const { $, act, onSubmit, show } = ui;
  let token = null;

  function showForgot() {
    const email = $('signin-form').elements.namedItem('email').value;
    for (const id of ['signin-form', 'signup-form']) $(id).hidden = true;
    for (const id of ['tab-signin', 'tab-signup']) $(id).setAttribute('aria-selected', 'false');
    const form = $('forgot-form');
    form.hidden = false;
    const field = form.elements.namedItem('email');
    if (email && !field.value) field.value = email;
    field.focus();
  }

  function backToSignIn() {
    ui.renderSignedOut();
  }

  $('forgot-open').addEventListener('click', () => {
    ui.clearMessage();
    showForgot();
  });
  $('forgot-back').addEventListener('click', () => {
    ui.clearMessage();
    backToSignIn();
  });

  // The same answer whatever the address (the server's 202 says nothing of the account); only a
  // refusal of the request itself (400, 429) or a failure to reach the service is an error.
  onSubmit('forgot-form', async (data, form) => {
    await post('/auth/password/forgot', data);
    form.reset();
    backToSignIn();
    $('signin-form').elements.namedItem('email').value = data.email;
    show('info', 'If an account has this address, a link is on its way. Check your inbox.', { near: $('signin-form').previousElementSibling });
  });

  /** A spent or expired link: say so, and offer what asks for a new one. */
  async function linkInvalid(again) {
    // Signed in, a person changes the password from the account instead of asking for a new link.
    if (again === 'forgot' && hasSession()) again = 'You are signed in: change your password below.';
    if (again === 'forgot') {
      ui.renderSignedOut();
      showForgot();
      show('error', 'This link is invalid or has expired.', { reason: 'Ask for a new one here.', near: $('forgot-form').previousElementSibling });
      return;
    }
    await ui.refreshView();
    show('error', 'This link is invalid or has expired.', { reason: again });
  }

  onSubmit('reset-form', async (data, form) => {
    try {
      await post('/auth/password/reset', { token, newPassword: data.newPassword });
    } catch (err) {
      if (!isLinkInvalid(err)) throw err;
      form.reset();
      return linkInvalid('forgot');
    }
    form.reset();
    ui.signedOut('Password changed; sign in with it.');
  });

  onSubmit('verify-form', async () => {
    try {
      await post('/auth/email/verify', { token });
    } catch (err) {
      if (!isLinkInvalid(err)) throw err;
      return linkInvalid('Send yourself a new one from your account (sign in first).');
    }
    await ui.refreshView();
    show('info', 'Your email address is verified.');
  });

  onSubmit('confirm-form', async () => {
    let user;
    try {
      user = await post('/auth/email/confirm-change', { token });
    } catch (err) {
      if (!isLinkInvalid(err)) throw err;
      return linkInvalid('Ask for the change again from your account (sign in first).');
    }
    // Every session ended with the change: the page signs in again with the new address.
    ui.renderSignedOut();
    const form = $('signin-form');
    form.elements.namedItem('email').value = user.email;
    form.elements.namedItem('password').focus();
    show('info', `Your email is now ${user.email}; sign in again.`);
  });

  $('send-verification').addEventListener('click', () => act(async () => {
    const near = $('user-since').parentElement;
    try {
      await api('POST', '/auth/email/verification');
    } catch (err) {
      if (!(err instanceof ProblemError && err.code === 'EMAIL_ALREADY_VERIFIED')) throw err;
      renderEmail(await api('GET', '/auth/me'));
      return show('info', EMAIL_MESSAGES.EMAIL_ALREADY_VERIFIED, { near });
    }
    show('info', 'Check your inbox: a verification link is on its way.', { near });
  }));

  function toggleEmailForm(open) {
    $('email-form').hidden = !open;
    $('email-change-open').hidden = open;
    if (open) $('email-form').elements.namedItem('newEmail').focus();
    else $('email-form').reset();
  }
  $('email-change-open').addEventListener('click', () => {
    ui.clearMessage();
    toggleEmailForm(true);
  });
  $('email-change-cancel').addEventListener('click', () => {
    ui.clearMessage();
    toggleEmailForm(false);
    $('email-change-open').focus();
  });

  // GitHub-only accounts have no password, and the user object does not say which kind this is:
  // the field is always there, and an empty one is not sent.
  onSubmit('email-form', async (data) => {
    const body = { newEmail: data.newEmail };
    if (data.currentPassword) body.currentPassword = data.currentPassword;
    await api('POST', '/auth/email/change', body);
    toggleEmailForm(false);
    show('info', `Check ${data.newEmail} for a confirmation link.`, { near: $('email-card').firstElementChild });
    $('email-change-open').focus();
  });

  /** The signed-in view's email line: verified or not, and the button that mails a new link. */
  function renderEmail(user) {
    $('email-status').hidden = !user.email;
    $('email-state').textContent = user.emailVerified ? 'verified' : 'not verified';
    $('email-state').classList.toggle('warn', !user.emailVerified);
    $('send-verification').hidden = Boolean(user.emailVerified);
    toggleEmailForm(false);
  }

  /** On a page a mail links to: shows its form (true), or nothing to do here (false). */
  function openLink() {
    const formId = LINK_FORMS[window.location.pathname];
    if (!formId) return false;
    token = takeToken();
    if (!token) {
      ui.refreshView().then(() => show('error', 'This link is incomplete.', { reason: 'Open it again from the mail, or copy the whole address into the browser.' }));
      return true;
    }
    for (const id of ['signed-in', 'signed-out']) $(id).hidden = true;
    for (const id of Object.values(LINK_FORMS)) $(id).hidden = id !== formId;
    $('email-link').hidden = false;
    const form = $(formId);
    (form.querySelector('input') ?? form.querySelector('button[type="submit"]')).focus();
    return true;
  }

  return { renderEmail, openLink };
}
