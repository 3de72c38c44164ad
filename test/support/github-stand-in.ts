import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { startTestApp, type TestApp, type TestAppOptions } from './app.js';
import { freePort } from './http.js';

/**
 * A local stand-in for GitHub's OAuth and REST endpoints, so the service's real passport-github2
 * strategy runs unchanged against it (docs/http-api.md: the GitHub endpoints' URLs are configurable).
 */

export interface GithubEmail {
  readonly email: string;
  readonly primary: boolean;
  readonly verified: boolean;
  readonly visibility: 'public' | 'private' | null;
}

/** A GitHub account as the stand-in's /user and /user/emails describe it. */
export interface GithubAccount {
  readonly id: number;
  readonly login: string;
  readonly name: string | null;
  readonly emails: readonly GithubEmail[];
}

/** What the authorize endpoint was asked for. */
export interface AuthorizeRequest {
  readonly clientId: string | null;
  readonly redirectUri: string | null;
  readonly scope: string | null;
  readonly state: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: string | null;
  readonly responseType: string | null;
}

/** What the token endpoint was sent, and what it made of it. */
export interface TokenRequest {
  readonly contentType: string | null;
  readonly accept: string | null;
  readonly params: Readonly<Record<string, string>>;
  /** null when an access token was issued; otherwise the OAuth error the stand-in answered. */
  readonly refusal: string | null;
}

export interface ApiRequest {
  readonly path: string;
  readonly authorization: string | null;
}

/** How the token endpoint misbehaves: `server_error` answers 500, `bad_verification_code` a 200 with that error. */
export type TokenMode = 'ok' | 'server_error' | 'bad_verification_code';
/** How /user or /user/emails misbehaves. `forbidden` (403) stands for a token without the email scope. */
export type ApiMode = 'ok' | 'server_error' | 'malformed' | 'forbidden';

interface IssuedCode {
  readonly account: GithubAccount;
  readonly clientId: string;
  readonly redirectUri: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: string | null;
  used: boolean;
}

let accountSequence = 0;
/** A GitHub account with a unique numeric id and login, and a verified primary email unless told otherwise. */
export function aGithubAccount(overrides: Partial<GithubAccount> = {}): GithubAccount {
  const n = ++accountSequence;
  const id = overrides.id ?? 1_000_000 + n * 7 + Math.floor(Math.random() * 7);
  const login = overrides.login ?? `octo-${n}-${randomBytes(2).toString('hex')}`;
  return {
    id,
    login,
    name: 'Mona Octocat',
    emails: [{ email: `${login}@users.example.com`, primary: true, verified: true, visibility: 'public' }],
    ...overrides,
  };
}

const b64urlSha256 = (s: string): string => createHash('sha256').update(s).digest('base64url');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export class GithubStandIn {
  readonly clientId = `Iv1.${randomBytes(8).toString('hex')}`;
  readonly clientSecret = randomBytes(20).toString('hex');

  /** Who signs in and consents at the next authorize request. */
  account: GithubAccount = aGithubAccount();
  /** When true, the authorize endpoint answers `error=access_denied` (the user clicked Cancel). */
  denyConsent = false;
  tokenMode: TokenMode = 'ok';
  /** When set, the token endpoint refuses every code with a 400 carrying this OAuth error (RFC 6749 §5.2). */
  tokenError: { readonly error: string; readonly description: string } | null = null;
  userMode: ApiMode = 'ok';
  emailsMode: ApiMode = 'ok';
  /**
   * When above 1, answers to GET /user/emails wait until that many are waiting, then all go out at
   * once: concurrent callbacks reach the service's use case together (a race made deterministic).
   */
  emailsBarrier = 0;
  private waitingForEmails: Array<() => void> = [];

  readonly authorizeRequests: AuthorizeRequest[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  readonly apiRequests: ApiRequest[] = [];
  /** Every access token the stand-in handed out (none may ever reach a browser). */
  readonly issuedAccessTokens: string[] = [];

  private readonly codes = new Map<string, IssuedCode>();
  private readonly accessTokens = new Map<string, GithubAccount>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<GithubStandIn> {
    // The server exists before the stand-in that answers on it (its URL needs the port).
    const holder: { standIn?: GithubStandIn } = {};
    const server = createServer((req, res) => {
      holder.standIn?.handle(req, res).catch(() => {
        if (!res.headersSent) json(res, 500, { message: 'stand-in failure' });
        else res.destroy();
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    holder.standIn = new GithubStandIn(server, `http://127.0.0.1:${port}`);
    return holder.standIn;
  }

  get authorizeUrl(): string {
    return `${this.url}/login/oauth/authorize`;
  }

  get tokenUrl(): string {
    return `${this.url}/login/oauth/access_token`;
  }

  /** Back to a well-behaved GitHub with a fresh account, keeping the logs. */
  reset(account: GithubAccount = aGithubAccount()): void {
    this.account = account;
    this.denyConsent = false;
    this.tokenMode = 'ok';
    this.tokenError = null;
    this.userMode = 'ok';
    this.emailsMode = 'ok';
    this.emailsBarrier = 0;
    this.releaseEmails();
  }

  private releaseEmails(): void {
    const waiting = this.waitingForEmails;
    this.waitingForEmails = [];
    for (const go of waiting) go();
  }

  lastAuthorizeRequest(): AuthorizeRequest {
    const last = this.authorizeRequests.at(-1);
    if (!last) throw new Error('the stand-in received no authorize request');
    return last;
  }

  lastTokenRequest(): TokenRequest {
    const last = this.tokenRequests.at(-1);
    if (!last) throw new Error('the stand-in received no token request');
    return last;
  }

  close(): Promise<void> {
    this.releaseEmails();
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') return this.authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') return this.token(req, res);
    if (req.method === 'GET' && url.pathname === '/user') return this.api(req, res, '/user');
    if (req.method === 'GET' && url.pathname === '/user/emails') {
      if (this.emailsBarrier > 1) {
        const released = new Promise<void>((resolve) => this.waitingForEmails.push(resolve));
        if (this.waitingForEmails.length >= this.emailsBarrier) this.releaseEmails();
        await released;
      }
      return this.api(req, res, '/user/emails');
    }
    json(res, 404, { message: 'Not Found' });
  }

  private authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const request: AuthorizeRequest = {
      clientId: q.get('client_id'),
      redirectUri: q.get('redirect_uri'),
      scope: q.get('scope'),
      state: q.get('state'),
      codeChallenge: q.get('code_challenge'),
      codeChallengeMethod: q.get('code_challenge_method'),
      responseType: q.get('response_type'),
    };
    this.authorizeRequests.push(request);
    if (request.clientId !== this.clientId || !request.redirectUri) {
      json(res, 404, { message: 'unknown client or no redirect_uri' });
      return;
    }
    const back = new URL(request.redirectUri);
    if (this.denyConsent) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user has denied your application access.');
    } else {
      const code = randomBytes(10).toString('hex');
      this.codes.set(code, {
        account: this.account,
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: request.codeChallengeMethod,
        used: false,
      });
      back.searchParams.set('code', code);
    }
    if (request.state !== null) back.searchParams.set('state', request.state);
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const contentType = req.headers['content-type'] ?? null;
    const accept = req.headers.accept ?? null;
    let params: Record<string, string> = {};
    if (contentType?.startsWith('application/json')) {
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        params = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
      } catch {
        params = {};
      }
    } else {
      params = Object.fromEntries(new URLSearchParams(text));
    }

    const refuse = (error: string) => {
      this.tokenRequests.push({ contentType, accept, params, refusal: error });
      answer({ error, error_description: `stand-in: ${error}` });
    };
    const answer = (body: Record<string, string>) => {
      if (accept?.includes('application/json')) return json(res, 200, body);
      const form = new URLSearchParams(body).toString();
      res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
      res.end(form);
    };

    if (this.tokenMode === 'server_error') {
      this.tokenRequests.push({ contentType, accept, params, refusal: 'server_error' });
      return json(res, 500, { message: 'Internal Server Error' });
    }
    if (this.tokenMode === 'bad_verification_code') return refuse('bad_verification_code');
    if (this.tokenError) {
      this.tokenRequests.push({ contentType, accept, params, refusal: this.tokenError.error });
      return json(res, 400, { error: this.tokenError.error, error_description: this.tokenError.description });
    }
    if (params.client_id !== this.clientId || params.client_secret !== this.clientSecret) return refuse('incorrect_client_credentials');
    const issued = params.code === undefined ? undefined : this.codes.get(params.code);
    if (!issued || issued.used || issued.clientId !== params.client_id) return refuse('bad_verification_code');
    issued.used = true; // single use, even when the rest is refused
    if (issued.redirectUri !== null && params.redirect_uri !== issued.redirectUri) return refuse('redirect_uri_mismatch');
    if (issued.codeChallenge !== null) {
      const verifier = params.code_verifier;
      const method = issued.codeChallengeMethod ?? 'plain';
      const derived = verifier === undefined ? undefined : method === 'S256' ? b64urlSha256(verifier) : verifier;
      if (derived !== issued.codeChallenge) return refuse('invalid_grant');
    }
    const accessToken = `gho_${randomBytes(18).toString('base64url')}`;
    this.accessTokens.set(accessToken, issued.account);
    this.issuedAccessTokens.push(accessToken);
    this.tokenRequests.push({ contentType, accept, params, refusal: null });
    answer({ access_token: accessToken, token_type: 'bearer', scope: 'user:email' });
  }

  private api(req: IncomingMessage, res: ServerResponse, path: '/user' | '/user/emails'): void {
    const authorization = req.headers.authorization ?? null;
    this.apiRequests.push({ path, authorization });
    const token = /^(?:Bearer|token) (\S+)$/i.exec(authorization ?? '')?.[1];
    const account = token === undefined ? undefined : this.accessTokens.get(token);
    if (!account) return json(res, 401, { message: 'Bad credentials' });
    const mode = path === '/user' ? this.userMode : this.emailsMode;
    if (mode === 'server_error') return json(res, 500, { message: 'Server Error' });
    if (mode === 'forbidden') return json(res, 403, { message: 'Resource not accessible by integration' });
    if (mode === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"id": 1, "login": "oops",');
      return;
    }
    if (path === '/user') return json(res, 200, { id: account.id, login: account.login, name: account.name, type: 'User' });
    json(res, 200, account.emails);
  }
}

// -----------------------------------------------------------------------------------------------
// The service, configured against the stand-in

export const WEB_APP_URL = 'http://web.example.test/app';

/** The GitHub part of the environment, for a service that will listen on `appUrl`. */
export function githubEnv(standIn: GithubStandIn, appUrl: string): Record<string, string> {
  return {
    PUBLIC_URL: appUrl,
    WEB_APP_URL,
    GITHUB_CLIENT_ID: standIn.clientId,
    GITHUB_CLIENT_SECRET: standIn.clientSecret,
    GITHUB_CALLBACK_URL: `${appUrl}/auth/github/callback`,
    GITHUB_AUTHORIZE_URL: standIn.authorizeUrl,
    GITHUB_TOKEN_URL: standIn.tokenUrl,
    GITHUB_API_URL: standIn.url,
  };
}

export interface GithubTestApp extends TestApp {
  /** Removes a user (and, as the database's cascade does, their identities): the only way to have "a user who is gone". */
  deleteUser(id: string): Promise<void>;
  /** How many accounts the service holds (to show a refused flow created none). */
  userCount(): Promise<number>;
  close(): Promise<void>;
}

export interface GithubTestAppOptions {
  /** Environment on top of the test defaults and the GitHub settings; `{}` with `standIn: null` runs with GitHub off. */
  readonly env?: Record<string, string>;
  /** 'memory' (default): in-memory adapters over one InMemoryAccounts; 'sqlite': the knex adapters on a migrated in-memory SQLite. */
  readonly persistence?: 'memory' | 'sqlite';
  /** Return the browser to the service's own page (WEB_APP_URL = the app's URL), as the browser test does. */
  readonly webAppIsService?: boolean;
  /** The logger the app writes to (default: silent). */
  readonly logger?: Logger;
  /** Extra registrations on the app's child container (a failing store, say). */
  readonly override?: TestAppOptions['override'];
  /** The service's clock (a FixedClock the test moves, for TOTP steps). */
  readonly clock?: TestAppOptions['clock'];
}


/**
 * The real app, built as startTestApp builds it, but on a port chosen before the config is made,
 * so GITHUB_CALLBACK_URL and PUBLIC_URL name the address it really listens on.
 */
export async function startGithubTestApp(standIn: GithubStandIn | null, options: GithubTestAppOptions = {}): Promise<GithubTestApp> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOn(port, standIn, options);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw err;
    }
  }
}

async function startOn(port: number, standIn: GithubStandIn | null, options: GithubTestAppOptions): Promise<GithubTestApp> {
  const url = `http://127.0.0.1:${port}`;
  const sqlite = options.persistence === 'sqlite';
  const app = await startTestApp({
    port,
    persistence: sqlite ? 'database' : 'memory',
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.override ? { override: options.override } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    env: {
      PUBLIC_URL: url,
      WEB_APP_URL,
      ...(standIn ? githubEnv(standIn, url) : {}),
      ...(options.webAppIsService ? { WEB_APP_URL: `${url}/` } : {}),
      ...options.env,
    },
  });
  const db = sqlite ? app.container.resolve<Knex>(TOKENS.Database) : null;
  if (db) await migrateToLatest(db);
  const accounts = app.accounts;
  return {
    ...app,
    deleteUser: async (id) => {
      if (db) {
        await db('users').where({ id }).del();
        return;
      }
      const user = accounts?.users.get(id);
      accounts?.users.delete(id);
      if (user?.email) accounts?.userIdByEmail.delete(user.email.toLowerCase());
      for (const [key, identity] of accounts?.identities ?? []) if (identity.userId === id) accounts?.identities.delete(key);
    },
    userCount: async () => {
      if (!db) return accounts?.users.size ?? 0;
      const row = (await db('users').count({ n: '*' }).first()) as { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    },
    close: async () => {
      await app.close();
      await db?.destroy();
    },
  };
}
