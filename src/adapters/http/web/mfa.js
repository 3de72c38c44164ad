// Two-step verification on the account page: the second step of a sign-in (after the password, or
// after GitHub's `?mfa=required`), and the card that turns TOTP on (QR code, key, recovery codes) and off.
import { generate } from '/vendor/lean-qr.mjs';
import { api, client, ProblemError } from './api.js';

/** What the MFA problem codes mean to a person (merged into the page's own table). */
export const MFA_MESSAGES = {
  MFA_CODE_INVALID: 'That code is not right, or it was already used. Enter the newest code from your app.',
  MFA_TOKEN_INVALID: 'This sign-in took too long or had too many wrong codes. Please sign in again.',
  MFA_UNAVAILABLE: 'Two-step verification cannot be set up on this service right now.',
  TOTP_ALREADY_ENABLED: 'Two-step verification is already on.',
  TOTP_NOT_ENABLED: 'Two-step verification is already off.',
  RECENT_SIGN_IN_REQUIRED: 'Please confirm your password first.',
};

/** Per form of these flows: what a code means there, and the field to correct. */
export const MFA_FORMS = {
  'mfa-form': { MFA_CODE_INVALID: { field: 'code', text: 'That code is not right, or it was already used. Enter the newest code from your app, or a recovery code.' } },
  'totp-password-form': { INVALID_CREDENTIALS: { field: 'currentPassword', text: 'The current password is not correct.' } },
  'totp-confirm-form': { MFA_CODE_INVALID: { field: 'code', text: 'That code is not right. Enter the code the app shows now.' } },
  'totp-disable-form': { MFA_CODE_INVALID: { field: 'code', text: 'That code is not right, or it was already used.' } },
};

/** The key as a person types it into an app: groups of four. */
const grouped = (secret) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

/** Wires the flows into the page; `ui` is the page's own toolkit (messages, forms, views). */
export function mfaFlows(ui) {
  const { $, act, onSubmit, show } = ui;
  /** The pending step's token; null after a provider sign-in, whose token is the mfa_token cookie. */
  let mfaToken = null;
  let totpOn = false;

  // ---- the second step of a sign-in

  function startStep({ token = null, methods = [] } = {}) {
    mfaToken = token;
    for (const id of ['signin-form', 'signup-form', 'forgot-form', 'tabs', 'other-ways']) $(id).hidden = true;
    const form = $('mfa-form');
    form.reset();
    // A GitHub sign-in's step does not say which methods the user has: offer the passkey as well.
    $('mfa-passkey').hidden = !(token === null || methods.includes('passkey'));
    form.hidden = false;
    form.elements.namedItem('code').focus();
  }

  /** After a GitHub sign-in of a user with TOTP: the callback sent the browser to `?mfa=required`. */
  function openFromRedirect() {
    const params = new URLSearchParams(window.location.search);
    if (params.get('mfa') !== 'required') return false;
    params.delete('mfa');
    const rest = params.toString();
    window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : ''));
    ui.renderSignedOut();
    startStep();
    return true;
  }

  onSubmit('mfa-form', async (data, form) => {
    try {
      const { user } = await client.verifyMfa(mfaToken ? { mfaToken, code: data.code } : { code: data.code });
      mfaToken = null;
      form.reset();
      await ui.renderSignedIn(user);
    } catch (err) {
      if (!(err instanceof ProblemError && err.code === 'MFA_TOKEN_INVALID')) throw err;
      // The step is over (spent, expired or voided): start again from the password.
      mfaToken = null;
      ui.renderSignedOut();
      show('error', MFA_MESSAGES.MFA_TOKEN_INVALID, { near: $('tabs') });
    }
  });

  $('mfa-cancel').addEventListener('click', () => {
    mfaToken = null;
    ui.clearMessage();
    ui.renderSignedOut();
  });

  // ---- the card of the signed-in view

  const PANELS = ['totp-password-form', 'totp-setup', 'recovery-codes', 'totp-disable-form'];

  /** The card at rest: its state, and the one button that changes it. */
  function renderCard(on = totpOn) {
    totpOn = on;
    for (const id of PANELS) $(id).hidden = true;
    for (const id of ['totp-password-form', 'totp-confirm-form', 'totp-disable-form']) $(id).reset();
    $('mfa-state').textContent = on ? 'on' : 'off';
    $('mfa-state').classList.toggle('off', !on);
    $('mfa-off-text').textContent = on
      ? 'Signing in asks for a code from your authenticator app after your password.'
      : 'Ask for a code from an authenticator app after your password.';
    $('totp-start').hidden = on;
    $('totp-disable-open').hidden = !on;
  }

  function showSetup({ secret, otpauthUrl }) {
    for (const id of PANELS) $(id).hidden = true;
    $('totp-start').hidden = true;
    $('totp-qr').src = generate(otpauthUrl).toDataURL({ scale: 1, padding: 4 });
    $('totp-secret').textContent = grouped(secret);
    $('totp-setup').hidden = false;
    $('totp-confirm-form').elements.namedItem('code').focus();
  }

  async function startTotp(body) {
    try {
      showSetup(await api('POST', '/auth/mfa/totp', body));
    } catch (err) {
      if (!(err instanceof ProblemError && err.code === 'RECENT_SIGN_IN_REQUIRED')) throw err;
      $('totp-start').hidden = true;
      const form = $('totp-password-form');
      form.hidden = false;
      form.elements.namedItem('currentPassword').focus();
    }
  }

  $('totp-start').addEventListener('click', () => act(() => startTotp({})));
  onSubmit('totp-password-form', (data) => startTotp({ currentPassword: data.currentPassword }));

  onSubmit('totp-confirm-form', async (data) => {
    const { recoveryCodes } = await api('POST', '/auth/mfa/totp/confirm', { code: data.code });
    renderCard(true);
    $('totp-disable-open').hidden = true;
    $('recovery-code-list').replaceChildren(...recoveryCodes.map((c) => Object.assign(document.createElement('li'), { textContent: c })));
    $('recovery-codes').hidden = false;
    $('recovery-saved').focus();
    await ui.refreshActivity();
  });

  $('recovery-saved').addEventListener('click', () => {
    // Shown once: gone from the page as well once the person says they kept them.
    $('recovery-code-list').replaceChildren();
    renderCard(true);
    show('info', 'Two-step verification is on.', { near: $('mfa-card').firstElementChild });
  });

  $('totp-disable-open').addEventListener('click', () => {
    $('totp-disable-open').hidden = true;
    const form = $('totp-disable-form');
    form.hidden = false;
    form.elements.namedItem('code').focus();
  });

  onSubmit('totp-disable-form', async (data) => {
    await api('DELETE', '/auth/mfa/totp', { code: data.code });
    renderCard(false);
    show('info', 'Two-step verification is off.', { near: $('mfa-card').firstElementChild });
    await ui.refreshActivity();
  });

  for (const cancel of document.querySelectorAll('.totp-cancel')) {
    cancel.addEventListener('click', () => {
      ui.clearMessage();
      renderCard();
    });
  }

  return { startStep, openFromRedirect, renderCard };
}
