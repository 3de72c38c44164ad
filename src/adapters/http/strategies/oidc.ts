import * as client from 'openid-client';
import { Strategy } from 'passport-strategy';
import type { AuthenticateWithProvider } from '../../../application/providers/authenticate-with-provider.js';
import { DomainError } from '../../../domain/errors.js';
import type { ExternalProfile } from '../../../domain/identity.js';
import type { OidcProviderConfig } from '../../../config/providers.js';
import { flowInput, isSignInFlow, type RequestWithCookies, type SignInStates } from './sign-in-state.js';

/** How long one call to the issuer (discovery, token, JWKS, userinfo) may take. */
const ISSUER_TIMEOUT_SECONDS = 10;

/** The provider's token, JWKS, userinfo or discovery endpoint failed: `?error=provider_unavailable`. */
export class ProviderUnavailableError extends Error {
  constructor(readonly provider: string, cause: unknown) {
    super(`${provider} could not be reached`, { cause });
  }
}

/** The id_token failed verification (signature, iss, aud, exp, nonce): `?error=invalid_id_token`. */
export class IdTokenInvalidError extends Error {
  constructor(readonly provider: string, cause: unknown) {
    super(`${provider} answered an id_token that failed verification`, { cause });
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/**
 * An OpenID Connect identity: (provider, `sub`), never an email; the email counts only with
 * `email_verified: true` (a string "true" is not true).
 */
export function toOidcProfile(provider: string, claims: Readonly<Record<string, unknown>>): ExternalProfile {
  return {
    provider,
    providerUserId: String(claims.sub),
    login: text(claims.preferred_username),
    name: text(claims.name),
    verifiedEmail: claims.email_verified === true ? text(claims.email) : null,
  };
}

/**
 * Which failures of openid-client 6 are the id_token's (each pinned by the stand-in's self-test):
 * a claim that does not match (`iss`, `aud`, `nonce`), a timestamp (`exp`), or a response it calls
 * invalid because of its JWT (a bad signature, `alg`, a missing `nonce`), told apart from other
 * invalid responses by the cause's message. Everything else on the way (a refused or unreachable
 * endpoint, the JWKS included) is the provider being unavailable.
 */
const ID_TOKEN_CODES = new Set(['OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', 'OAUTH_JWT_USERINFO_EXPECTED']);
function isIdTokenFailure(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { message?: unknown } } | null;
  if (typeof e?.code !== 'string') return false;
  if (ID_TOKEN_CODES.has(e.code)) return true;
  return e.code === 'OAUTH_INVALID_RESPONSE' && typeof e.cause?.message === 'string' && /JWT|JWS|id_token/i.test(e.cause.message);
}

type VerifiedCallback = (profile: ExternalProfile, req: RequestWithCookies & { ip?: unknown }) => ReturnType<AuthenticateWithProvider['execute']>;

interface KoaPassportRequest extends RequestWithCookies {
  readonly query?: Record<string, unknown>;
  readonly ip?: unknown;
}

/**
 * One Passport strategy for every OpenID Connect issuer (Google, or any with discovery), on
 * openid-client: authorization code flow with PKCE S256, a `nonce` and a server-side single-use
 * `state` (SignInStates), and an id_token verified in full — signature by a key of the issuer's
 * JWKS (enableNonRepudiationChecks: without it openid-client 6 skips the signature of a
 * code-flow response), `iss`, `aud` = the client id, `exp`, `nonce`. The profile then comes from
 * the verified claims and the userinfo endpoint, which must name the same `sub`.
 */
export class OidcStrategy extends Strategy {
  readonly name: string;
  /**
   * The discovered configuration (and with it the cached JWKS), in a holder: Passport runs each
   * request on an object made from this strategy (Object.create), where `this.x = …` would land on
   * that request's object and never be seen again.
   */
  private readonly discovered: { configuration: Promise<client.Configuration> | null } = { configuration: null };

  constructor(
    private readonly config: OidcProviderConfig,
    private readonly states: SignInStates,
    private readonly verified: VerifiedCallback,
  ) {
    super();
    this.name = config.name;
  }

  /** Discovery once, then cached; a failed one is tried again by the next sign-in. */
  private discover(): Promise<client.Configuration> {
    this.discovered.configuration ??= client
      .discovery(new URL(this.config.issuer), this.config.clientId, this.config.clientSecret, undefined, {
        timeout: ISSUER_TIMEOUT_SECONDS,
        ...(this.config.insecure ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .then((configuration) => {
        client.enableNonRepudiationChecks(configuration);
        return configuration;
      })
      .catch((err: unknown) => {
        this.discovered.configuration = null;
        throw err;
      });
    return this.discovered.configuration;
  }

  override authenticate(req: never, options?: { state?: unknown }): void {
    const request = req as KoaPassportRequest;
    const query = request.query ?? {};
    const run = query.code !== undefined || query.error !== undefined ? this.callback(request, query) : this.start(request, options?.state);
    run.catch((err: unknown) => this.error(err as Error));
  }

  private async start(req: KoaPassportRequest, flow: unknown): Promise<void> {
    let configuration: client.Configuration;
    try {
      configuration = await this.discover();
    } catch (err) {
      return this.error(new ProviderUnavailableError(this.name, err));
    }
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = await this.states.begin(req, this.name, isSignInFlow(flow) ? flow : {}, verifier, nonce);
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.callbackUrl,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    this.redirect(url.href);
  }

  private async callback(req: KoaPassportRequest, query: Record<string, unknown>): Promise<void> {
    const finished = await this.states.finish(req, this.name, query.state);
    if (query.error !== undefined) {
      // As passport-oauth2 does for GitHub: a refusal is access_denied; any other error, the provider's trouble.
      if (query.error === 'access_denied') return this.fail({ message: 'access_denied' }, 401);
      return this.error(new ProviderUnavailableError(this.name, new Error(`authorization error ${String(query.error).slice(0, 64)}`)));
    }
    if (!finished || typeof query.state !== 'string') return this.fail({ message: 'Invalid or expired authorization request state' }, 403);

    let configuration: client.Configuration;
    try {
      configuration = await this.discover();
    } catch (err) {
      return this.error(new ProviderUnavailableError(this.name, err));
    }
    const currentUrl = new URL(this.config.callbackUrl);
    for (const [key, value] of Object.entries(query)) if (typeof value === 'string') currentUrl.searchParams.set(key, value);
    let claims: Record<string, unknown>;
    let accessToken: string;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: finished.verifier,
        expectedState: query.state,
        ...(finished.nonce ? { expectedNonce: finished.nonce } : {}),
        idTokenExpected: true,
      });
      claims = { ...(tokens.claims() ?? {}) };
      accessToken = tokens.access_token;
    } catch (err) {
      return this.error(isIdTokenFailure(err) ? new IdTokenInvalidError(this.name, err) : new ProviderUnavailableError(this.name, err));
    }
    if (typeof claims.sub !== 'string' || claims.sub === '') return this.error(new IdTokenInvalidError(this.name, new Error('no sub')));

    if (configuration.serverMetadata().userinfo_endpoint) {
      try {
        const info = await client.fetchUserInfo(configuration, accessToken, claims.sub);
        // The id_token's subject stands; what userinfo adds (email, its verification, names) fills in.
        claims = { ...claims, ...info, sub: claims.sub };
      } catch (err) {
        return this.error(new ProviderUnavailableError(this.name, err));
      }
    }

    try {
      this.success(await this.verified(toOidcProfile(this.name, claims), req));
    } catch (err) {
      if (err instanceof DomainError) return this.fail(err as never);
      throw err;
    }
  }
}

/** The strategy for one configured issuer, its verified profile decided by the use case. */
export const oidcStrategy = (config: OidcProviderConfig, states: SignInStates, authenticate: AuthenticateWithProvider): OidcStrategy =>
  new OidcStrategy(config, states, (profile, req) =>
    authenticate.execute({ profile, ...flowInput(req) }),
  );
