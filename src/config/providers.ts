import { z } from 'zod';
import { httpUrl, optional, type Findings } from './variables.js';

/**
 * OpenID Connect sign-in providers (docs/providers.md): Google (`GOOGLE_*`) and any issuer with
 * discovery (`OIDC_<NAME>_*`). Each is off unless its client id and secret are set.
 */
export const googleVariables = z.object({
  GOOGLE_CLIENT_ID: optional,
  GOOGLE_CLIENT_SECRET: optional,
  GOOGLE_CALLBACK_URL: optional.pipe(httpUrl.optional()),
  GOOGLE_ISSUER: httpUrl.default('https://accounts.google.com'),
});

export interface OidcProviderConfig {
  /** The provider's name in paths and identities: `google`, or `<name>` of `OIDC_<NAME>_*`. */
  readonly name: string;
  /** The issuer identifier: discovery at `<issuer>/.well-known/openid-configuration`, and the `iss` its id_tokens must carry. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly callbackUrl: string;
  /** A plain-http issuer on a loopback address (a local stand-in, say): allowed, never in production. */
  readonly insecure: boolean;
}

/** A provider name: what `/auth/:provider` and the identities table hold. */
export const PROVIDER_NAME = /^[a-z0-9-]{1,32}$/;

/**
 * Names a provider may not take: the service's own paths under /auth/ (GET /auth/me must stay
 * /auth/me), the Passport strategies that are not providers, and the built-in providers.
 */
export const RESERVED_PROVIDER_NAMES: ReadonlySet<string> = new Set([
  'github', 'google', 'login', 'register', 'refresh', 'logout', 'logout-all', 'me', 'sessions', 'events',
  'identities', 'passkeys', 'mfa', 'email', 'password', 'local', 'jwt', 'jwt-refresh', 'providers',
]);

const SUFFIXES = ['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET', 'CALLBACK_URL'] as const;
const OIDC_VARIABLE = new RegExp(`^OIDC_(.+)_(${SUFFIXES.join('|')})$`);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

type Raw = Readonly<Record<string, string | undefined>>;

/** `OIDC_MY_CORP_*` → `my-corp`: lower-cased, underscores as dashes. */
export const providerNameOf = (variablePart: string): string => variablePart.toLowerCase().replaceAll('_', '-');

function provider(
  name: string,
  prefix: string,
  values: { issuer?: string | undefined; clientId?: string | undefined; clientSecret?: string | undefined; callbackUrl?: string | undefined },
  publicUrl: string,
  production: boolean,
  { problems, warnings }: Findings,
): OidcProviderConfig | null {
  const { issuer, clientId, clientSecret } = values;
  const before = problems.length;
  if (!clientId && !clientSecret && !values.callbackUrl && prefix === 'GOOGLE') return null;
  if (!clientId || !clientSecret || !issuer) {
    problems.push(`${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET must be set together${prefix === 'GOOGLE' ? '' : `, with ${prefix}_ISSUER`}`);
    return null;
  }
  for (const [variable, url] of [[`${prefix}_ISSUER`, issuer], [`${prefix}_CALLBACK_URL`, values.callbackUrl]] as const) {
    if (url !== undefined && !(URL.canParse(url) && /^https?:$/.test(new URL(url).protocol))) problems.push(`${variable}: must be an http(s) URL`);
  }
  if (problems.length > before) return null;
  const issuerUrl = new URL(issuer);
  const insecure = issuerUrl.protocol === 'http:';
  if (insecure && (production || !LOOPBACK.has(issuerUrl.hostname))) {
    problems.push(`${prefix}_ISSUER must be https (plain http is only for a loopback issuer in development)`);
    return null;
  }
  if (insecure) warnings.push(`${prefix}_ISSUER is plain http (${issuer}): fine for a local stand-in, never for a real issuer`);
  const callbackUrl = values.callbackUrl ?? new URL(`/auth/${name}/callback`, publicUrl).toString();
  const callbackHost = new URL(callbackUrl).hostname;
  const publicHost = URL.canParse(publicUrl) ? new URL(publicUrl).hostname : callbackHost;
  if (callbackHost !== publicHost) {
    warnings.push(`${prefix}_CALLBACK_URL is on host ${callbackHost} but PUBLIC_URL is on host ${publicHost}: the state cookie never reaches the callback, so sign-in with ${name} fails with invalid_state`);
  }
  return { name, issuer: issuer.replace(/\/+$/, ''), clientId, clientSecret, callbackUrl, insecure };
}

/**
 * Google when `GOOGLE_CLIENT_ID` and `GOOGLE_CLIENT_SECRET` are set, and one provider per
 * `OIDC_<NAME>_ISSUER` (read from the raw environment: the names are the deployer's). The
 * callback URL defaults to `<PUBLIC_URL>/auth/<name>/callback`.
 */
export function oidcProviders(e: z.output<typeof googleVariables>, env: Raw, publicUrl: string, production: boolean, findings: Findings): OidcProviderConfig[] {
  const found: OidcProviderConfig[] = [];
  const google = provider(
    'google',
    'GOOGLE',
    { issuer: e.GOOGLE_ISSUER, clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET, callbackUrl: e.GOOGLE_CALLBACK_URL },
    publicUrl,
    production,
    findings,
  );
  if (google) found.push(google);

  const byName = new Map<string, Record<string, string | undefined>>();
  for (const [key, value] of Object.entries(env)) {
    const match = OIDC_VARIABLE.exec(key);
    if (!match?.[1] || !match[2]) continue;
    const part = match[1];
    const entry = byName.get(part) ?? {};
    entry[match[2]] = value?.trim() || undefined;
    byName.set(part, entry);
  }
  for (const [part, v] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    const name = providerNameOf(part);
    const prefix = `OIDC_${part}`;
    if (!PROVIDER_NAME.test(name)) {
      findings.problems.push(`${prefix}_*: the provider name "${name}" must be 1-32 of a-z, 0-9 and -`);
      continue;
    }
    if (RESERVED_PROVIDER_NAMES.has(name)) {
      findings.problems.push(`${prefix}_*: "${name}" is reserved (a path of the service, or a built-in provider); choose another name`);
      continue;
    }
    const config = provider(name, prefix, { issuer: v.ISSUER, clientId: v.CLIENT_ID, clientSecret: v.CLIENT_SECRET, callbackUrl: v.CALLBACK_URL }, publicUrl, production, findings);
    if (config) found.push(config);
  }
  return found;
}
