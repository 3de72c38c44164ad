import type { Strategy } from 'passport';
import type { AuthenticateWithProvider } from '../../../application/providers/authenticate-with-provider.js';
import type { GithubConfig } from '../../../config/github.js';
import type { OidcProviderConfig } from '../../../config/providers.js';
import { GITHUB } from '../../../domain/identity.js';
import { githubStrategy } from './github.js';
import { oidcStrategy } from './oidc.js';
import type { SignInStates } from './sign-in-state.js';

export interface ProviderSettings {
  readonly github: GithubConfig | null;
  readonly oidc: readonly OidcProviderConfig[];
}

/**
 * The sign-in providers, each a Passport strategy under the provider's name, all behind the one
 * flow of routes/provider-routes.ts and the one use case (AuthenticateWithProvider). An OpenID
 * Connect issuer needs only its configuration block (OIDC_<NAME>_*). Another kind of provider is a
 * file of its own, as github.ts is (a strategy whose verify callback maps the provider's profile to
 * an ExternalProfile and hands it to the use case), and a line here.
 */
export function providerStrategies(settings: ProviderSettings, states: SignInStates, authenticate: AuthenticateWithProvider): ReadonlyMap<string, Strategy> {
  const strategies = new Map<string, Strategy>();
  if (settings.github) strategies.set(GITHUB, githubStrategy(settings.github, states, authenticate));
  for (const issuer of settings.oidc) strategies.set(issuer.name, oidcStrategy(issuer, states, authenticate));
  return strategies;
}
