// Sign-in providers on the account page: "Continue with …" for each OpenID Connect provider the
// service has (GitHub keeps its own button), and the "Linked accounts" card: list, link, unlink.
import { api } from './api.js';

const LABELS = { github: 'GitHub', google: 'Google' };
/** A provider as a person names it: a configured issuer shows its name, capitalised. */
export const providerLabel = (name) => LABELS[name] ?? name.charAt(0).toUpperCase() + name.slice(1);

/** What the identity problem codes mean to a person (merged into the page's own table). */
export const PROVIDER_MESSAGES = {
  LAST_SIGN_IN_METHOD: 'This is the last way to sign in to your account. Set a password (with "Forgot password?") or add a passkey before you unlink it.',
  IDENTITY_NOT_FOUND: 'That account is not linked any more.',
  PROVIDER_NOT_CONFIGURED: 'That way of signing in is not available on this service.',
};

/** The provider a sign-in was started with, so its callback's `?error=` can name it. */
const STARTED = 'auth-api:provider';
export const startedProvider = () => window.sessionStorage.getItem(STARTED) ?? 'github';
const remember = (name) => window.sessionStorage.setItem(STARTED, name);

const element = (tag, className, text) => Object.assign(document.createElement(tag), { className: className ?? '', textContent: text ?? '' });
const when = (iso) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** Wires the providers into the page; `ui` is the page's own toolkit (messages, forms, views). */
export function providerFlows(ui) {
  const { $, act, show } = ui;
  const root = document.documentElement;
  const oidc = (root.dataset.providers ?? '').split(' ').filter(Boolean);
  const configured = [...(root.dataset.github === 'on' ? ['github'] : []), ...oidc];

  $('provider-signins').replaceChildren(
    ...oidc.map((name) => {
      const link = element('a', 'button provider-button', `Continue with ${providerLabel(name)}`);
      link.href = `/auth/${encodeURIComponent(name)}`;
      link.addEventListener('click', () => remember(name));
      return link;
    }),
  );
  $('github-signin').addEventListener('click', () => remember('github'));

  /** The "Linked accounts" card: each identity with its unlink button, and a link button per provider not linked yet. */
  async function renderIdentities() {
    const { identities } = await api('GET', '/auth/identities');
    $('identities-card').hidden = configured.length === 0 && identities.length === 0;
    const items = identities.map((i) => {
      const text = element('div');
      const who = [i.login, i.email].filter(Boolean).join(' · ');
      text.append(element('div', 'what', providerLabel(i.provider)), element('div', 'muted small', `${who ? `${who} · ` : ''}linked ${when(i.linkedAt)}`));
      const unlink = element('button', '', 'Remove');
      unlink.type = 'button';
      unlink.setAttribute('aria-label', `Remove ${providerLabel(i.provider)} sign-in`);
      unlink.addEventListener('click', () => act(async () => {
        await api('DELETE', `/auth/identities/${encodeURIComponent(i.provider)}`);
        await ui.refreshView();
        show('info', `${providerLabel(i.provider)} is no longer linked.`, { near: $('identities-card').firstElementChild });
      }, $('identities')));
      const item = element('li');
      item.append(text, unlink);
      return item;
    });
    $('identities').replaceChildren(...(items.length ? items : [element('li', 'muted small', 'None yet.')]));
    const linked = new Set(identities.map((i) => i.provider));
    // GitHub's link button sits in the account card, as it always has.
    $('provider-links').replaceChildren(
      ...oidc.filter((name) => !linked.has(name)).map((name) => {
        const button = element('button', 'provider-button', `Link ${providerLabel(name)}`);
        button.type = 'button';
        button.addEventListener('click', () => act(async () => {
          const { url } = await api('POST', `/auth/${encodeURIComponent(name)}/link`);
          remember(name);
          window.location.assign(url);
        }));
        return button;
      }),
    );
  }

  return { renderIdentities };
}
