// The admin page: find users, see one, disable or enable it, end its sessions. Every request goes
// through api.js (cookie mode, the CSRF header); the API's role guard is the only authority here:
// the page shows what its answers (401, 403) say, it never decides from the user object itself.
import { api, hasSession, ProblemError, REFRESHABLE } from './api.js';
import { ago, eventItems } from './activity.js';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;

/** What the admin API's problem codes mean to the person at this page. */
const MESSAGES = {
  LAST_ADMIN: 'That would leave no enabled administrator, so nothing was changed.',
  ROLE_FROM_CONFIG: 'This account’s admin role comes from the ADMIN_EMAILS setting; change it there.',
  USER_NOT_FOUND: 'That user no longer exists.',
  CSRF_FAILED: 'Your session could not be verified. Reload the page and try again.',
  FORBIDDEN: 'You no longer hold the admin role.',
};

const element = (tag, className, text) => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
};

const when = (iso) => (iso ? ago(iso) : 'never');

/** Shows one message just above what it is about (`above`), or under the title. */
function show(kind, text, above) {
  const box = $('message');
  box.className = kind;
  box.replaceChildren(element('p', '', text));
  if (above) above.before(box);
  else $('top').after(box);
  box.hidden = false;
}

const clearMessage = () => {
  $('message').hidden = true;
};

/** Which of the page's views is on: 'loading', 'signed-out', 'forbidden' or 'console'. */
function view(name) {
  for (const id of ['loading', 'signed-out', 'forbidden', 'console']) $(id).hidden = id !== name;
}

function showError(err, above) {
  if (err instanceof ProblemError && err.status === 401 && (REFRESHABLE.has(err.code) || !hasSession())) return view('signed-out');
  if (err instanceof ProblemError && err.status === 403 && err.code === 'FORBIDDEN') return view('forbidden');
  if (!(err instanceof ProblemError)) return show('error', 'The service could not be reached. Check your connection and try again.', above);
  const p = err.problem;
  show('error', MESSAGES[err.code] ?? p?.detail ?? p?.title ?? `The service answered with an error (${err.status}).`, above);
}

async function act(fn, above) {
  clearMessage();
  try {
    await fn();
  } catch (err) {
    showError(err, above);
  }
}

const state = { q: '', next: null, selected: null };

function badges(user) {
  const out = [];
  for (const role of user.roles) out.push(element('span', 'badge', role));
  if (user.disabled) out.push(element('span', 'badge warn', 'disabled'));
  return out;
}

function userItem(user) {
  const button = element('button', 'user');
  button.type = 'button';
  button.dataset.id = user.id;
  button.setAttribute('aria-pressed', String(state.selected === user.id));
  const line = element('span', 'who', user.email ?? user.githubLogin ?? user.id);
  line.append(...badges(user));
  const meta = element('span', 'muted small', `${user.name ?? 'No name'} · last sign-in ${when(user.lastSignInAt)}`);
  button.append(line, meta);
  button.addEventListener('click', () => act(() => select(user.id), $('details')));
  const item = element('li');
  item.append(button);
  return item;
}

async function search(q, { more = false } = {}) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (q) params.set('q', q);
  if (more && state.next) params.set('cursor', state.next);
  const page = await api('GET', `/admin/users?${params}`);
  state.q = q;
  state.next = page.nextCursor;
  const items = page.users.map(userItem);
  if (more) $('users').append(...items);
  else $('users').replaceChildren(...items);
  // The button goes away on the last page: focus moves to the first user it brought, not to the page's top.
  if (more) items[0]?.querySelector('button').focus();
  const shown = $('users').children.length;
  $('users-summary').textContent = shown === 0 ? (q ? `No user matches “${q}”.` : 'No users yet.') : `${shown} user${shown === 1 ? '' : 's'} shown${state.next ? ', more to load' : ''}.`;
  $('load-more').hidden = !state.next;
  return page;
}

/** Replaces a user's line in the list, as the API now answers for it. */
function refreshItem(user) {
  const old = $('users').querySelector(`button[data-id="${CSS.escape(user.id)}"]`);
  old?.parentElement.replaceWith(userItem(user));
}

function fact(term, value) {
  return [element('dt', '', term), element('dd', '', value)];
}

async function select(id) {
  const [user, { events }] = await Promise.all([
    api('GET', `/admin/users/${encodeURIComponent(id)}`),
    api('GET', `/admin/events?${new URLSearchParams({ userId: id, limit: '10' })}`),
  ]);
  state.selected = id;
  for (const b of $('users').querySelectorAll('button.user')) b.setAttribute('aria-pressed', String(b.dataset.id === id));
  renderDetails(user, events);
  $('details').hidden = false;
  $('details-title').focus();
}

function renderDetails(user, events) {
  $('details-title').textContent = user.email ?? user.githubLogin ?? user.id;
  const identities = (user.identities ?? []).map((i) => (i.login ? `${i.provider} (${i.login})` : i.provider)).join(', ');
  $('details-facts').replaceChildren(
    ...fact('Name', user.name ?? '—'),
    ...fact('Roles', user.roles.length ? user.roles.join(', ') : 'none'),
    ...fact('Status', user.disabled ? 'Disabled: cannot sign in' : 'Enabled'),
    ...fact('Email', user.emailVerified ? 'verified' : 'not verified'),
    ...fact('Sessions', String(user.sessions)),
    ...fact('Last sign-in', when(user.lastSignInAt)),
    ...fact('Member since', new Date(user.createdAt).toLocaleDateString(undefined, { dateStyle: 'medium' })),
    ...(identities ? fact('Linked', identities) : []),
  );
  const toggle = $('toggle-disabled');
  toggle.textContent = user.disabled ? 'Enable' : 'Disable';
  toggle.className = user.disabled ? 'primary' : 'danger';
  toggle.onclick = () => act(() => setDisabled(user, !user.disabled), $('details'));
  $('end-sessions').onclick = () => act(() => endSessions(user), $('details'));
  const items = eventItems(events);
  $('user-events').replaceChildren(...(items.length ? items : [element('li', 'muted', 'Nothing yet.')]));
}

const nameOf = (user) => user.email ?? user.githubLogin ?? 'The user';

async function setDisabled(user, disabled) {
  const updated = await api('PATCH', `/admin/users/${encodeURIComponent(user.id)}`, { disabled });
  refreshItem(updated);
  await select(user.id);
  show('info', disabled ? `${nameOf(updated)} is disabled: every session ended, and it cannot sign in.` : `${nameOf(updated)} is enabled again and can sign in.`, $('details'));
  $('toggle-disabled').focus();
}

async function endSessions(user) {
  await api('DELETE', `/admin/users/${encodeURIComponent(user.id)}/sessions`);
  await select(user.id);
  show('info', `Every session of ${nameOf(user)} was ended: it must sign in again.`, $('details'));
  $('end-sessions').focus();
}

$('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = String(new FormData(e.target).get('q') ?? '').trim();
  act(() => search(q), $('search-form'));
});

$('load-more').addEventListener('click', () => act(() => search(state.q, { more: true }), $('load-more')));

async function start() {
  if (!hasSession()) return view('signed-out');
  try {
    await search('');
    view('console');
    $('search-form').elements.namedItem('q').focus();
  } catch (err) {
    $('loading').hidden = true;
    showError(err);
  }
}

start();
