import { InternalOAuthError } from 'passport-oauth2';
import { Strategy as GitHubStrategy } from 'passport-github2';
import type { AuthenticateWithProvider } from '../../../application/providers/authenticate-with-provider.js';
import { GITHUB, type ExternalProfile } from '../../../domain/identity.js';
import { DomainError } from '../../../domain/errors.js';
import type { GithubConfig } from '../../../config/github.js';
import { flowInput, oauth2StateStore, type SignInFlow, type SignInStates } from './sign-in-state.js';

interface GithubEmail {
  readonly email?: unknown;
  readonly primary?: unknown;
  readonly verified?: unknown;
}

/** The parts of GitHub's /user and /user/emails answers the service uses. */
export interface GithubProfile {
  readonly id: string;
  readonly login: string | null;
  readonly name: string | null;
  readonly emails: readonly GithubEmail[];
}

type Done = (err: Error | null, profile?: GithubProfile) => void;
type OAuth2Get = (url: string, token: string, cb: (err: { statusCode?: number } | null, body?: string | Buffer) => void) => void;

const parse = (body: string | Buffer | undefined): unknown => {
  try {
    return JSON.parse(String(body));
  } catch {
    return undefined;
  }
};

/**
 * passport-github2 with its profile loading made robust: a malformed answer from GitHub is an
 * error (not an uncaught throw inside a socket callback), an empty email list is a user without
 * email, and the emails keep GitHub's `verified` flag.
 */
class RobustGitHubStrategy extends GitHubStrategy {
  constructor(
    options: ConstructorParameters<typeof GitHubStrategy>[0],
    verify: ConstructorParameters<typeof GitHubStrategy>[1],
    private readonly urls: { readonly profile: string; readonly emails: string },
  ) {
    super(options, verify);
  }

  override userProfile(accessToken: string, done: Done): void {
    const get = (this as unknown as { _oauth2: { get: OAuth2Get } })._oauth2.get.bind((this as unknown as { _oauth2: unknown })._oauth2);
    get(this.urls.profile, accessToken, (err, body) => {
      const json = parse(body) as { id?: unknown; login?: unknown; name?: unknown } | undefined;
      if (err || typeof json !== 'object' || json === null || (typeof json.id !== 'number' && typeof json.id !== 'string')) {
        return done(new InternalOAuthError('Failed to fetch user profile', err ?? undefined));
      }
      const base = {
        id: String(json.id),
        login: typeof json.login === 'string' ? json.login : null,
        name: typeof json.name === 'string' && json.name !== '' ? json.name : null,
      };
      get(this.urls.emails, accessToken, (emailErr, emailBody) => {
        // 403/404: the email scope was not granted. Anything else failing is an outage.
        if (emailErr && emailErr.statusCode !== 403 && emailErr.statusCode !== 404) {
          return done(new InternalOAuthError('Failed to fetch user emails', emailErr));
        }
        const emails = emailErr ? [] : parse(emailBody);
        if (!Array.isArray(emails)) return done(new InternalOAuthError('Failed to fetch user emails', undefined));
        done(null, { ...base, emails: emails as GithubEmail[] });
      });
    });
  }
}

/** Only a primary email GitHub marks verified is one; the rest is never trusted. */
export function toExternalProfile(profile: GithubProfile): ExternalProfile {
  const primary = profile.emails.find((e) => e.primary === true && e.verified === true && typeof e.email === 'string');
  return {
    provider: GITHUB,
    providerUserId: profile.id,
    login: profile.login,
    name: profile.name,
    verifiedEmail: typeof primary?.email === 'string' ? primary.email : null,
  };
}

/** `github`: passport-github2 against configurable endpoints, state and PKCE through SignInStates; the use case decides. */
export const githubStrategy = (config: GithubConfig, states: SignInStates, authenticate: AuthenticateWithProvider) => {
  const api = config.apiUrl.replace(/\/+$/, '');
  const urls = { profile: `${api}/user`, emails: `${api}/user/emails` };
  return new RobustGitHubStrategy(
    {
      clientID: config.clientId,
      clientSecret: config.clientSecret,
      callbackURL: config.callbackUrl,
      authorizationURL: config.authorizeUrl,
      tokenURL: config.tokenUrl,
      userProfileURL: urls.profile,
      userEmailURL: urls.emails,
      scope: ['user:email'],
      store: oauth2StateStore(states, GITHUB) as never,
      pkce: true,
      passReqToCallback: true,
    } as never,
    ((req: { signInFlow?: SignInFlow; ip?: unknown }, _access: string, _refresh: string, profile: GithubProfile, done: (err: unknown, user?: unknown, info?: unknown) => void) => {
      authenticate.execute({ profile: toExternalProfile(profile), ...flowInput(req) }).then(
        (principal) => done(null, principal),
        (err: unknown) => (err instanceof DomainError ? done(null, false, err) : done(err)),
      );
    }) as never,
    urls,
  );
};
