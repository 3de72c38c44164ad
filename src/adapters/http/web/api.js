// The page's client of the API: cookie mode, the CSRF header on every unsafe request, one silent
// refresh when the access token has run out.
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// Only these 401s say the access token ran out or was refused, which a refresh can cure (the
// browser drops the access cookie when its token expires: TOKEN_MISSING). Any other 401 is the
// answer itself: retrying a wrong current password (INVALID_CREDENTIALS) would count it twice
// against the login throttle.
export const REFRESHABLE = new Set(['TOKEN_EXPIRED', 'INVALID_TOKEN', 'TOKEN_MISSING']);

function cookie(name) {
  const found = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

/** The readable CSRF cookie lives as long as the session's refresh token: without it there is no session to ask about. */
export const hasSession = () => cookie('csrf_token') !== null;

export class ProblemError extends Error {
  constructor(problem, status, retryAfter) {
    super(problem?.detail || problem?.title || `Request failed (${status})`);
    this.problem = problem;
    this.status = status;
    this.code = problem?.code;
    this.retryAfter = Number(retryAfter) || null;
  }
}

export function send(method, path, body) {
  const h = { Accept: 'application/json', 'X-Auth-Mode': 'cookie' };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const csrf = cookie('csrf_token');
  if (UNSAFE.has(method) && csrf) h['X-CSRF-Token'] = csrf;
  return fetch(path, { method, headers: h, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
}

export async function read(res) {
  const type = res.headers.get('content-type') || '';
  const data = res.status !== 204 && type.includes('json') ? await res.json() : null;
  if (!res.ok) throw new ProblemError(data, res.status, res.headers.get('Retry-After'));
  return data;
}

/** Calls the API; when the access token was expired or refused, refreshes the session once and retries. */
export async function api(method, path, body) {
  try {
    return await read(await send(method, path, body));
  } catch (err) {
    if (!(err instanceof ProblemError && REFRESHABLE.has(err.code) && hasSession())) throw err;
  }
  await read(await send('POST', '/auth/refresh'));
  return read(await send(method, path, body));
}

/** A request that needs no session (a mail link's token is the credential): no refresh is tried. */
export const post = async (path, body) => read(await send('POST', path, body));

const inSeconds = (s) => (s < 90 ? `${s} second${s === 1 ? '' : 's'}` : `${Math.ceil(s / 60)} minutes`);
export const tryAgain = (err) => `Try again ${err.retryAfter ? `in ${inSeconds(err.retryAfter)}` : 'later'}.`;
