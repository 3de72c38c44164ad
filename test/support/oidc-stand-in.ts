import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/**
 * A local OpenID Connect issuer speaking the real protocol (discovery, JWKS, authorization code flow
 * with PKCE and nonce, token, userinfo), so the service's OpenID Connect strategy runs unchanged
 * against it: as Google (GOOGLE_ISSUER) or as any other issuer (OIDC_<NAME>_ISSUER), API.md "Sign-in
 * providers". The authorize endpoint consents at once for `account`; failure modes are set per test.
 */

/** The person who signs in, as the id_token and userinfo describe them. */
export interface OidcAccount {
  readonly sub: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name: string;
  readonly preferredUsername: string;
}

/** What the authorize endpoint was asked for, and whether it refused (a 400 page) before redirecting. */
export interface OidcAuthorizeRequest {
  readonly clientId: string | null;
  readonly redirectUri: string | null;
  readonly scope: string | null;
  readonly state: string | null;
  readonly nonce: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: string | null;
  readonly responseType: string | null;
  /** null when it redirected back (with a code, or `error=access_denied`); otherwise why it answered 400. */
  readonly refusal: string | null;
}

/** How a token request authenticated the client (RFC 6749 §2.3.1). */
export type ClientAuthentication = 'client_secret_basic' | 'client_secret_post' | 'both' | 'none';

/** What the token endpoint was sent, and what it made of it. */
export interface OidcTokenRequest {
  readonly contentType: string | null;
  /** The form body as sent (client_secret included when posted). */
  readonly params: Readonly<Record<string, string>>;
  readonly clientAuthentication: ClientAuthentication;
  /** The client id the request authenticated as (from the Basic header or the body), checked or not. */
  readonly clientId: string | null;
  /** null when tokens were issued; otherwise the OAuth error answered (`server_error` for tokenMode's 500). */
  readonly refusal: string | null;
}

export interface OidcUserinfoRequest {
  readonly method: string;
  readonly authorization: string | null;
  /** null when claims were answered; otherwise `invalid_token` (401) or `server_error` (500). */
  readonly refusal: string | null;
}

/**
 * How the id_token is wrong. `foreign_key`: signed by a key not in the JWKS but under the JWKS key's
 * `kid`; `wrong_aud`/`wrong_iss`: another audience or issuer; `no_nonce`/`wrong_nonce`: the nonce of
 * the authorize request missing or replaced; `expired`: iat two hours and exp one hour ago;
 * `alg_none`: an unsecured JWT (`alg: none`, no signature).
 */
export type IdTokenMode = 'ok' | 'foreign_key' | 'wrong_aud' | 'wrong_iss' | 'no_nonce' | 'wrong_nonce' | 'expired' | 'alg_none';
/** `server_error`: the endpoint answers 500 (an outage). */
export type EndpointMode = 'ok' | 'server_error';

export interface OidcStandInOptions {
  /**
   * A path for the issuer (`/realms/test`: issuer `http://127.0.0.1:<port>/realms/test`, discovery at
   * `<issuer>/.well-known/openid-configuration`). Default none, as Google's `https://accounts.google.com`.
   */
  readonly issuerPath?: string;
  /** The issuer's clock in milliseconds since the epoch, for iat/exp (default `Date.now`). */
  readonly now?: () => number;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** When set, only these redirect URIs are accepted (exact match, as real issuers register them). */
  readonly redirectUris?: readonly string[];
  /** The first account (default a fresh `anOidcAccount()`). */
  readonly account?: OidcAccount;
  /** Lifetime of the id_token and access token, in seconds (default 3600). */
  readonly tokenTtlSeconds?: number;
}

interface IssuedCode {
  readonly account: OidcAccount;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly nonce: string | null;
  readonly codeChallenge: string;
  used: boolean;
}

interface IssuedAccessToken {
  readonly account: OidcAccount;
  readonly expiresAt: number;
}

let accountSequence = 0;
/** An account with a unique subject, email and username; the email is verified unless told otherwise. */
export function anOidcAccount(overrides: Partial<OidcAccount> = {}): OidcAccount {
  const n = ++accountSequence;
  const tag = `${n}-${randomBytes(3).toString('hex')}`;
  const preferredUsername = overrides.preferredUsername ?? `oidc-user-${tag}`;
  return {
    sub: `${100_000_000_000 + n}${randomBytes(4).readUInt32BE(0)}`,
    email: `${preferredUsername}@oidc.example.com`,
    emailVerified: true,
    name: 'Olivia Idcee',
    preferredUsername,
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

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function page(res: ServerResponse, status: number, message: string): void {
  const text = `<!doctype html><title>Sign-in error</title><h1>Sign-in error</h1><p>${message.replace(/[<>&]/g, '')}</p>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** An outage: a 500 that is no OAuth error body (what a load balancer in trouble answers). */
function outage(res: ServerResponse): void {
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Internal Server Error');
}

/** `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1), or null when it is no such header. */
function basicCredentials(authorization: string | undefined): { id: string; secret: string } | null {
  const encoded = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (encoded === undefined) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function aSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export class OidcStandIn {
  /** Who signs in and consents at the next authorize request. */
  account: OidcAccount;
  /** When true, the authorize endpoint redirects back with `error=access_denied` (the user said no). */
  denyConsent = false;
  /** When true, a code may be redeemed again (some issuers do): the service's own single-use state must stop a replay. */
  acceptCodeTwice = false;
  idTokenMode: IdTokenMode = 'ok';
  tokenMode: EndpointMode = 'ok';
  jwksMode: EndpointMode = 'ok';
  /** `wrong_sub`: userinfo answers for another subject than the id_token's. */
  userinfoMode: EndpointMode | 'wrong_sub' = 'ok';
  discoveryMode: EndpointMode = 'ok';

  readonly authorizeRequests: OidcAuthorizeRequest[] = [];
  readonly tokenRequests: OidcTokenRequest[] = [];
  readonly userinfoRequests: OidcUserinfoRequest[] = [];
  /** Every id_token and access token handed out (none may ever reach a browser). */
  readonly issuedIdTokens: string[] = [];
  readonly issuedAccessTokens: string[] = [];
  /** GET /jwks and GET /.well-known/openid-configuration, each answered or not. */
  jwksFetches = 0;
  discoveryFetches = 0;

  private readonly codes = new Map<string, IssuedCode>();
  private readonly accessTokens = new Map<string, IssuedAccessToken>();

  private constructor(
    private readonly server: Server,
    /** The issuer identifier, exactly as discovery and every id_token's `iss` name it. */
    readonly url: string,
    readonly clientId: string,
    readonly clientSecret: string,
    private readonly key: SigningKey,
    /** Same kid, not published: what `foreign_key` signs with. */
    private readonly foreignKey: SigningKey,
    private readonly options: OidcStandInOptions,
  ) {
    this.account = options.account ?? anOidcAccount();
  }

  static async start(options: OidcStandInOptions = {}): Promise<OidcStandIn> {
    const issuerPath = (options.issuerPath ?? '').replace(/\/+$/, '');
    if (issuerPath !== '' && !issuerPath.startsWith('/')) throw new Error('issuerPath starts with "/"');
    const kid = `standin-${randomBytes(4).toString('hex')}`;
    const [key, foreignKey] = await Promise.all([aSigningKey(kid), aSigningKey(kid)]);
    // The server exists before the stand-in that answers on it (its URL needs the port).
    const holder: { standIn?: OidcStandIn } = {};
    const server = createServer((req, res) => {
      holder.standIn?.handle(req, res).catch(() => {
        if (!res.headersSent) json(res, 500, { error: 'server_error', error_description: 'stand-in failure' });
        else res.destroy();
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    holder.standIn = new OidcStandIn(
      server,
      `http://127.0.0.1:${port}${issuerPath}`,
      options.clientId ?? `client-${randomBytes(6).toString('hex')}`,
      options.clientSecret ?? randomBytes(24).toString('base64url'),
      key,
      foreignKey,
      options,
    );
    return holder.standIn;
  }

  /** The issuer identifier (the same as `url`). */
  get issuer(): string {
    return this.url;
  }

  get discoveryUrl(): string {
    return `${this.url}/.well-known/openid-configuration`;
  }

  get authorizationEndpoint(): string {
    return `${this.url}/authorize`;
  }

  get tokenEndpoint(): string {
    return `${this.url}/token`;
  }

  get userinfoEndpoint(): string {
    return `${this.url}/userinfo`;
  }

  get jwksUri(): string {
    return `${this.url}/jwks`;
  }

  /** The kid of the published signing key (and of the foreign one). */
  get kid(): string {
    return this.key.kid;
  }

  /** Back to a well-behaved issuer with a fresh account, keeping the logs and issued codes. */
  reset(account: OidcAccount = anOidcAccount()): void {
    this.account = account;
    this.denyConsent = false;
    this.acceptCodeTwice = false;
    this.idTokenMode = 'ok';
    this.tokenMode = 'ok';
    this.jwksMode = 'ok';
    this.userinfoMode = 'ok';
    this.discoveryMode = 'ok';
  }

  lastAuthorizeRequest(): OidcAuthorizeRequest {
    const last = this.authorizeRequests.at(-1);
    if (!last) throw new Error('the stand-in received no authorize request');
    return last;
  }

  lastTokenRequest(): OidcTokenRequest {
    const last = this.tokenRequests.at(-1);
    if (!last) throw new Error('the stand-in received no token request');
    return last;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private get ttlSeconds(): number {
    return this.options.tokenTtlSeconds ?? 3600;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const prefix = new URL(this.url).pathname.replace(/\/$/, '');
    const path = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : null;
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') return this.discovery(res);
    if (req.method === 'GET' && path === '/jwks') return this.jwks(res);
    if (req.method === 'GET' && path === '/authorize') return this.authorize(url, res);
    if (req.method === 'POST' && path === '/token') return this.token(req, res);
    if ((req.method === 'GET' || req.method === 'POST') && path === '/userinfo') return this.userinfo(req, res);
    json(res, 404, { error: 'not_found' });
  }

  private discovery(res: ServerResponse): void {
    this.discoveryFetches++;
    if (this.discoveryMode === 'server_error') return outage(res);
    json(res, 200, {
      issuer: this.url,
      authorization_endpoint: this.authorizationEndpoint,
      token_endpoint: this.tokenEndpoint,
      userinfo_endpoint: this.userinfoEndpoint,
      jwks_uri: this.jwksUri,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['openid', 'email', 'profile'],
      claims_supported: ['iss', 'aud', 'sub', 'iat', 'exp', 'nonce', 'email', 'email_verified', 'name', 'preferred_username'],
    });
  }

  private jwks(res: ServerResponse): void {
    this.jwksFetches++;
    if (this.jwksMode === 'server_error') return outage(res);
    json(res, 200, { keys: [this.key.publicJwk] }, { 'cache-control': 'public, max-age=300' });
  }

  private authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const asked = {
      clientId: q.get('client_id'),
      redirectUri: q.get('redirect_uri'),
      scope: q.get('scope'),
      state: q.get('state'),
      nonce: q.get('nonce'),
      codeChallenge: q.get('code_challenge'),
      codeChallengeMethod: q.get('code_challenge_method'),
      responseType: q.get('response_type'),
    };
    const refusal =
      asked.clientId !== this.clientId
        ? 'unknown client_id'
        : !asked.redirectUri || !URL.canParse(asked.redirectUri)
          ? 'missing or invalid redirect_uri'
          : this.options.redirectUris && !this.options.redirectUris.includes(asked.redirectUri)
            ? 'redirect_uri not registered'
            : asked.responseType !== 'code'
              ? 'response_type must be code'
              : !asked.codeChallenge || asked.codeChallengeMethod !== 'S256'
                ? 'PKCE with code_challenge_method S256 is required'
                : null;
    this.authorizeRequests.push({ ...asked, refusal });
    if (refusal !== null || asked.redirectUri === null || asked.codeChallenge === null) return page(res, 400, refusal ?? 'bad request');

    const back = new URL(asked.redirectUri);
    if (this.denyConsent) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user denied access.');
    } else {
      const code = randomBytes(24).toString('base64url');
      this.codes.set(code, {
        account: this.account,
        clientId: this.clientId,
        redirectUri: asked.redirectUri,
        scope: asked.scope ?? 'openid',
        nonce: asked.nonce,
        codeChallenge: asked.codeChallenge,
        used: false,
      });
      back.searchParams.set('code', code);
    }
    if (asked.state !== null) back.searchParams.set('state', asked.state);
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const contentType = req.headers['content-type'] ?? null;
    const params: Record<string, string> = contentType?.startsWith('application/x-www-form-urlencoded')
      ? Object.fromEntries(new URLSearchParams(text))
      : {};
    const basic = basicCredentials(req.headers.authorization);
    const posted = params.client_id !== undefined && params.client_secret !== undefined;
    const clientAuthentication: ClientAuthentication = basic && posted ? 'both' : basic ? 'client_secret_basic' : posted ? 'client_secret_post' : 'none';
    const clientId = basic?.id ?? params.client_id ?? null;
    const record = (refusal: string | null) => this.tokenRequests.push({ contentType, params, clientAuthentication, clientId, refusal });
    const refuse = (status: number, error: string, description: string, headers: Record<string, string> = {}) => {
      record(error);
      json(res, status, { error, error_description: `stand-in: ${description}` }, headers);
    };

    if (this.tokenMode === 'server_error') {
      record('server_error');
      return outage(res);
    }
    if (contentType === null || !contentType.startsWith('application/x-www-form-urlencoded')) {
      return refuse(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    if (clientAuthentication === 'both') return refuse(400, 'invalid_request', 'more than one client authentication method');
    const secret = basic?.secret ?? params.client_secret;
    if (clientAuthentication === 'none' || clientId !== this.clientId || secret !== this.clientSecret) {
      const challenge: Record<string, string> = basic ? { 'www-authenticate': 'Basic realm="stand-in"' } : {};
      return refuse(401, 'invalid_client', 'client authentication failed', challenge);
    }
    if (params.grant_type !== 'authorization_code') return refuse(400, 'unsupported_grant_type', 'only authorization_code');
    const issued = params.code === undefined ? undefined : this.codes.get(params.code);
    if (!issued) return refuse(400, 'invalid_grant', 'unknown code');
    if (issued.used && !this.acceptCodeTwice) return refuse(400, 'invalid_grant', 'code already used');
    issued.used = true; // single use, even when the rest is refused
    if (issued.clientId !== clientId) return refuse(400, 'invalid_grant', 'code issued to another client');
    if (params.redirect_uri !== issued.redirectUri) return refuse(400, 'invalid_grant', 'redirect_uri does not match the authorize request');
    if (params.code_verifier === undefined || b64urlSha256(params.code_verifier) !== issued.codeChallenge) {
      return refuse(400, 'invalid_grant', 'PKCE verification failed');
    }

    const accessToken = `sta_${randomBytes(24).toString('base64url')}`;
    const nowSeconds = Math.floor(this.now() / 1000);
    this.accessTokens.set(accessToken, { account: issued.account, expiresAt: nowSeconds + this.ttlSeconds });
    const idToken = await this.idToken(issued, nowSeconds);
    this.issuedAccessTokens.push(accessToken);
    this.issuedIdTokens.push(idToken);
    record(null);
    json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: this.ttlSeconds, id_token: idToken, scope: issued.scope });
  }

  private async idToken(issued: IssuedCode, nowSeconds: number): Promise<string> {
    const mode = this.idTokenMode;
    const { account } = issued;
    const iat = mode === 'expired' ? nowSeconds - 7200 : nowSeconds;
    const claims: JWTPayload & Record<string, unknown> = {
      iss: mode === 'wrong_iss' ? 'https://issuer.elsewhere.example' : this.url,
      aud: mode === 'wrong_aud' ? `another-client-${randomBytes(3).toString('hex')}` : issued.clientId,
      sub: account.sub,
      iat,
      exp: mode === 'expired' ? nowSeconds - 3600 : iat + this.ttlSeconds,
      email: account.email,
      email_verified: account.emailVerified,
      name: account.name,
      preferred_username: account.preferredUsername,
    };
    const nonce = mode === 'wrong_nonce' ? randomBytes(16).toString('base64url') : issued.nonce;
    if (mode !== 'no_nonce' && nonce !== null) claims.nonce = nonce;
    if (mode === 'alg_none') return new UnsecuredJWT(claims).encode();
    const key = mode === 'foreign_key' ? this.foreignKey : this.key;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  }

  private userinfo(req: IncomingMessage, res: ServerResponse): void {
    const authorization = req.headers.authorization ?? null;
    const record = (refusal: string | null) => this.userinfoRequests.push({ method: req.method ?? 'GET', authorization, refusal });
    if (this.userinfoMode === 'server_error') {
      record('server_error');
      return outage(res);
    }
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const issued = token === undefined ? undefined : this.accessTokens.get(token);
    if (!issued || issued.expiresAt <= Math.floor(this.now() / 1000)) {
      record('invalid_token');
      return json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    record(null);
    const { account } = issued;
    json(res, 200, {
      sub: this.userinfoMode === 'wrong_sub' ? `${account.sub}-someone-else` : account.sub,
      email: account.email,
      email_verified: account.emailVerified,
      name: account.name,
      preferred_username: account.preferredUsername,
    });
  }
}

// -----------------------------------------------------------------------------------------------
// The service, configured against the stand-in (API.md "Sign-in providers")

/** The Google part of the environment, for a service that listens on `appUrl`, with the stand-in as GOOGLE_ISSUER. */
export function googleEnv(standIn: OidcStandIn, appUrl: string): Record<string, string> {
  return {
    GOOGLE_ISSUER: standIn.issuer,
    GOOGLE_CLIENT_ID: standIn.clientId,
    GOOGLE_CLIENT_SECRET: standIn.clientSecret,
    GOOGLE_CALLBACK_URL: `${appUrl}/auth/google/callback`,
  };
}

/**
 * A generic issuer's environment (`OIDC_<NAME>_*`, NAME being `name` upper-cased as it is); the
 * provider is `name` lower-cased.
 */
export function oidcEnv(name: string, standIn: OidcStandIn, appUrl: string): Record<string, string> {
  const provider = name.toLowerCase();
  if (!/^[a-z0-9-]{1,32}$/.test(provider)) throw new Error(`not a provider name: ${name}`);
  const prefix = `OIDC_${provider.toUpperCase()}`;
  return {
    [`${prefix}_ISSUER`]: standIn.issuer,
    [`${prefix}_CLIENT_ID`]: standIn.clientId,
    [`${prefix}_CLIENT_SECRET`]: standIn.clientSecret,
    [`${prefix}_CALLBACK_URL`]: `${appUrl}/auth/${provider}/callback`,
  };
}
