import { isIP } from 'node:net';
import { z } from 'zod';
import { optional, type Findings } from './variables.js';

export const passkeyVariables = z.object({
  WEBAUTHN_RP_ID: optional,
  WEBAUTHN_ORIGINS: optional,
});

export interface PasskeyConfig {
  /** The relying party id: the registrable domain passkeys are scoped to. */
  readonly rpId: string;
  /** The exact origins (scheme, host, port) whose pages may run the ceremonies. */
  readonly origins: readonly string[];
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const hostOf = (url: string): string => new URL(url).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();

/** Whether a page on `host` may use credentials of `rpId` (WebAuthn §5.1.3: the RP ID or a subdomain of it). */
const covers = (rpId: string, host: string): boolean => host === rpId || host.endsWith(`.${rpId}`);

/**
 * Passkeys, or null when they are off. The RP ID defaults to the host of PUBLIC_URL; an IP
 * address is no valid RP ID (WebAuthn §5.1.3), so with an IP there and no WEBAUTHN_RP_ID
 * passkeys are off, with a warning. The origins default to WEB_APP_URL's.
 */
export function passkeyConfig(e: z.output<typeof passkeyVariables>, publicUrl: string, webAppUrl: string, { problems, warnings }: Findings): PasskeyConfig | null {
  const origins: string[] = [];
  for (const raw of (e.WEBAUTHN_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '')) {
    const url = URL.canParse(raw) ? new URL(raw) : null;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== raw.replace(/\/$/, '')) {
      problems.push(`WEBAUTHN_ORIGINS: ${JSON.stringify(raw)} is not an origin (scheme://host[:port], no path)`);
    } else origins.push(url.origin);
  }
  if (origins.length === 0 && URL.canParse(webAppUrl)) origins.push(new URL(webAppUrl).origin);

  let rpId: string;
  if (e.WEBAUTHN_RP_ID !== undefined) {
    rpId = e.WEBAUTHN_RP_ID.trim().toLowerCase();
    if (isIP(rpId) !== 0 || !HOST_NAME.test(rpId)) {
      problems.push('WEBAUTHN_RP_ID must be a domain name (no scheme, port or path; an IP address is no valid RP ID)');
      return null;
    }
  } else {
    if (!URL.canParse(publicUrl)) return null;
    rpId = hostOf(publicUrl);
    if (isIP(rpId) !== 0) {
      warnings.push(
        `Passkeys are off: PUBLIC_URL's host ${rpId} is an IP address, which is no valid WebAuthn RP ID. Set WEBAUTHN_RP_ID to the domain browsers use (localhost on a workstation)`,
      );
      return null;
    }
  }
  for (const origin of origins) {
    if (!covers(rpId, hostOf(origin))) {
      warnings.push(`WEBAUTHN_ORIGINS: passkey ceremonies from ${origin} fail: its host is not ${rpId} (WEBAUTHN_RP_ID) or a subdomain of it`);
    }
  }
  return { rpId, origins };
}
