// Passkeys on the account page: "Sign in with a passkey" (discoverable, no email asked), and the
// card that adds, lists and removes them. The ceremonies run in @simplewebauthn/browser, which
// /vendor/simplewebauthn-browser.js defines as a global before the page's modules run.
import { api, client, post } from './api.js';

/** What the passkey problem codes mean to a person (merged into the page's own table). */
export const PASSKEY_MESSAGES = {
  PASSKEY_INVALID: 'That passkey could not sign you in. It may have been removed from its account.',
  PASSKEYS_NOT_CONFIGURED: 'Passkeys are not available on this service.',
};

/** What the browser's own refusals mean (the person cancelled, or the device has one already). */
function browserRefusal(err) {
  if (err?.name === 'InvalidStateError' || err?.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return 'This device already holds a passkey for this account.';
  }
  if (err?.name === 'NotAllowedError' || err?.name === 'AbortError') return 'No passkey was used: the request was cancelled or timed out.';
  return 'This browser could not use a passkey here.';
}

const when = (iso) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** Wires the flows into the page; `ui` is the page's own toolkit (messages, forms, views). */
export function passkeyFlows(ui) {
  const { $, act, onSubmit, show } = ui;
  const webauthn = globalThis.SimpleWebAuthnBrowser;
  // The service says whether it has passkeys; the browser, whether it can make them.
  if (!webauthn?.browserSupportsWebAuthn()) document.documentElement.dataset.passkeys = 'off';

  /** Runs a browser ceremony; a refusal of the browser's becomes a message next to `near`. */
  async function ceremony(start, near) {
    try {
      return await start();
    } catch (err) {
      show('error', browserRefusal(err), { near });
      return null;
    }
  }

  async function signIn() {
    const optionsJSON = await post('/auth/passkeys/authentication/options');
    const asserted = await ceremony(() => webauthn.startAuthentication({ optionsJSON }), $('tabs'));
    if (!asserted) return;
    const { user } = await client.signIn('/auth/passkeys/authentication', asserted);
    await ui.renderSignedIn(user);
  }

  $('passkey-signin').addEventListener('click', () => act(signIn));
  $('mfa-passkey').addEventListener('click', () => act(signIn));

  async function renderList() {
    const { passkeys } = await api('GET', '/auth/passkeys');
    const items = passkeys.map((p) => {
      const text = document.createElement('div');
      const name = Object.assign(document.createElement('div'), { className: 'what', textContent: p.name });
      const used = p.lastUsedAt ? `last used ${when(p.lastUsedAt)}` : 'not used yet';
      text.append(name, Object.assign(document.createElement('div'), { className: 'muted small', textContent: `Added ${when(p.createdAt)} · ${used}` }));
      const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Remove' });
      remove.setAttribute('aria-label', `Remove ${p.name}`);
      remove.addEventListener('click', () => act(async () => {
        await api('DELETE', `/auth/passkeys/${encodeURIComponent(p.id)}`);
        await Promise.all([renderList(), ui.refreshActivity()]);
        show('info', `Passkey “${p.name}” removed.`, { near: $('passkeys-card').firstElementChild });
      }));
      const item = document.createElement('li');
      item.append(text, remove);
      return item;
    });
    $('passkeys').replaceChildren(...items);
    if (!items.length) $('passkeys').append(Object.assign(document.createElement('li'), { className: 'muted small', textContent: 'No passkeys yet.' }));
  }

  onSubmit('passkey-form', async (data, form) => {
    const optionsJSON = await api('POST', '/auth/passkeys/registration/options');
    const created = await ceremony(() => webauthn.startRegistration({ optionsJSON }), form.previousElementSibling);
    if (!created) return;
    const name = data.name.trim();
    const passkey = await api('POST', `/auth/passkeys/registration${name ? `?name=${encodeURIComponent(name)}` : ''}`, created);
    form.reset();
    await Promise.all([renderList(), ui.refreshActivity()]);
    show('info', `Passkey “${passkey.name}” added. You can now sign in with it.`, { near: $('passkeys-card').firstElementChild });
  });

  return { renderList };
}
