// The demo page: cookie mode, the CSRF header on every unsafe request, one silent refresh on a 401.
const $ = (id) => document.getElementById(id);
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function cookie(name) {
  const found = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

class ProblemError extends Error {
  constructor(problem, status) {
    super(problem?.detail || problem?.title || `Request failed (${status})`);
    this.problem = problem;
    this.status = status;
  }
}

async function send(method, path, body, headers = {}) {
  const h = { Accept: 'application/json', 'X-Auth-Mode': 'cookie', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const csrf = cookie('csrf_token');
  if (UNSAFE.has(method) && csrf) h['X-CSRF-Token'] = csrf;
  return fetch(path, { method, headers: h, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
}

async function parse(res) {
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') || '';
  const data = type.includes('json') ? await res.json() : null;
  if (!res.ok) throw new ProblemError(data, res.status);
  return data;
}

/** Calls the API; on a 401 refreshes the session once and retries. */
async function api(method, path, body) {
  let res = await send(method, path, body);
  if (res.status === 401 && path !== '/auth/refresh' && cookie('csrf_token')) {
    const refreshed = await send('POST', '/auth/refresh');
    if (refreshed.ok) res = await send(method, path, body);
  }
  return parse(res);
}

function show(kind, text, errors) {
  const box = $('message');
  box.className = kind;
  box.textContent = text;
  if (errors?.length) {
    const list = document.createElement('ul');
    for (const e of errors) {
      const item = document.createElement('li');
      item.textContent = `${e.field}: ${e.message}`;
      list.append(item);
    }
    box.append(list);
  }
  box.hidden = false;
}

const clearMessage = () => ($('message').hidden = true);

/** What the GitHub callback's `?error=` codes mean to a person. */
const GITHUB_ERRORS = {
  invalid_state: 'The GitHub sign-in expired or was started elsewhere. Please try again.',
  access_denied: 'GitHub sign-in was cancelled.',
  github_unavailable: 'GitHub could not be reached. Please try again in a moment.',
  account_exists: 'An account with your GitHub email already exists. Sign in with your password, then link GitHub.',
  already_linked: 'That GitHub account is already linked to another account.',
  server_error: 'Something went wrong on our side. Please try again.',
};

const MESSAGES = {
  INVALID_CREDENTIALS: 'That email and password do not match.',
  EMAIL_ALREADY_REGISTERED: 'An account with this email already exists. Sign in instead.',
  TOO_MANY_ATTEMPTS: 'Too many failed attempts. Try again later.',
  CSRF_FAILED: 'Your session could not be verified. Reload the page and try again.',
  VALIDATION_FAILED: 'Please check the form:',
};

function showError(err) {
  if (err instanceof ProblemError && err.problem) {
    const p = err.problem;
    let text = MESSAGES[p.code] || p.detail || p.title;
    if (p.code === 'TOO_MANY_ATTEMPTS' && err.retryAfter) text += ` (in ${err.retryAfter} s)`;
    show('error', text, p.errors);
  } else {
    show('error', 'The service could not be reached. Check your connection and try again.');
  }
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

async function renderSignedIn(user) {
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  $('user-name').textContent = user.name || user.email || user.githubLogin || 'You';
  $('user-email').textContent = user.email || '';
  $('user-since').textContent = new Date(user.createdAt).toLocaleDateString();
  $('user-github').hidden = !user.githubLogin;
  $('user-github-login').textContent = user.githubLogin || '';
  $('github-link').hidden = Boolean(user.githubLogin);
  await renderSessions();
}

function renderSignedOut() {
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
}

async function renderSessions() {
  const list = $('sessions');
  const sessions = await api('GET', '/auth/sessions');
  list.replaceChildren();
  for (const s of sessions) {
    const item = document.createElement('li');
    const text = document.createElement('div');
    const agent = document.createElement('div');
    agent.className = 'agent';
    agent.textContent = s.userAgent || 'Unknown device';
    if (s.current) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = 'this device';
      agent.append(badge);
    }
    const when = document.createElement('div');
    when.className = 'muted small';
    when.textContent = `Signed in ${new Date(s.createdAt).toLocaleString()} · last used ${new Date(s.lastUsedAt).toLocaleString()}`;
    text.append(agent, when);
    const end = document.createElement('button');
    end.type = 'button';
    end.textContent = s.current ? 'Sign out' : 'End';
    end.dataset.sessionId = s.id;
    end.addEventListener('click', () => act(async () => {
      await api('DELETE', `/auth/sessions/${encodeURIComponent(s.id)}`);
      if (s.current) return refreshView();
      show('info', 'Session ended.');
      await renderSessions();
    }));
    item.append(text, end);
    list.append(item);
  }
}

async function refreshView() {
  try {
    const user = await api('GET', '/auth/me');
    await renderSignedIn(user);
  } catch (err) {
    if (err instanceof ProblemError && err.status === 401) renderSignedOut();
    else showError(err);
  }
}

async function act(fn) {
  clearMessage();
  try {
    await fn();
  } catch (err) {
    showError(err);
  }
}

function selectTab(signup) {
  $('tab-signup').classList.toggle('active', signup);
  $('tab-signin').classList.toggle('active', !signup);
  $('signup-form').hidden = !signup;
  $('signin-form').hidden = signup;
  clearMessage();
}

$('tab-signin').addEventListener('click', () => selectTab(false));
$('tab-signup').addEventListener('click', () => selectTab(true));

$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act(async () => {
    const res = await send('POST', '/auth/login', formData(e.target));
    if (res.status === 429) {
      const err = new ProblemError(await res.json(), 429);
      err.retryAfter = res.headers.get('Retry-After');
      throw err;
    }
    const { user } = await parse(res);
    e.target.reset();
    await renderSignedIn(user);
  });
});

$('signup-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act(async () => {
    const data = formData(e.target);
    if (!data.name) delete data.name;
    const { user } = await parse(await send('POST', '/auth/register', data));
    e.target.reset();
    await renderSignedIn(user);
  });
});

$('signout').addEventListener('click', () => act(async () => {
  await api('POST', '/auth/logout');
  renderSignedOut();
  show('info', 'Signed out.');
}));

$('signout-all').addEventListener('click', () => act(async () => {
  await api('POST', '/auth/logout-all');
  renderSignedOut();
  show('info', 'Signed out on every device.');
}));

$('github-link').addEventListener('click', () => act(async () => {
  const { url } = await api('POST', '/auth/github/link');
  window.location.assign(url);
}));

$('password-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act(async () => {
    await api('POST', '/auth/password', formData(e.target));
    e.target.reset();
    show('info', 'Password changed. Every other session was signed out.');
    await renderSessions();
  });
});

function showCallbackError() {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('error');
  if (!code) return;
  show('error', GITHUB_ERRORS[code] || 'GitHub sign-in did not complete.');
  params.delete('error');
  const rest = params.toString();
  window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : ''));
}

showCallbackError();
refreshView();
