import { z } from 'zod';
import { httpUrl, optional, type Findings } from './variables.js';

export const githubVariables = z.object({
  GITHUB_CLIENT_ID: optional,
  GITHUB_CLIENT_SECRET: optional,
  GITHUB_CALLBACK_URL: optional.pipe(httpUrl.optional()),
  GITHUB_AUTHORIZE_URL: httpUrl.default('https://github.com/login/oauth/authorize'),
  GITHUB_TOKEN_URL: httpUrl.default('https://github.com/login/oauth/access_token'),
  GITHUB_API_URL: httpUrl.default('https://api.github.com'),
});

export interface GithubConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly callbackUrl: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly apiUrl: string;
}

/**
 * GitHub sign-in when all three credentials are set, else null. `publicUrl`: where browsers reach
 * the service. `/auth/github` sets the state cookie there, and a cookie belongs to a host name
 * (whatever the port), so a callback on another name (localhost against 127.0.0.1) never sees it.
 */
export function githubConfig(e: z.output<typeof githubVariables>, publicUrl: string, { problems, warnings }: Findings): GithubConfig | null {
  const set = [e.GITHUB_CLIENT_ID, e.GITHUB_CLIENT_SECRET, e.GITHUB_CALLBACK_URL].filter((v) => v !== undefined).length;
  if (set > 0 && set < 3) {
    problems.push('GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and GITHUB_CALLBACK_URL must be set together');
  }
  if (!e.GITHUB_CLIENT_ID || !e.GITHUB_CLIENT_SECRET || !e.GITHUB_CALLBACK_URL) return null;

  const callbackHost = new URL(e.GITHUB_CALLBACK_URL).hostname;
  const publicHost = URL.canParse(publicUrl) ? new URL(publicUrl).hostname : callbackHost;
  if (callbackHost !== publicHost) {
    warnings.push(
      `GITHUB_CALLBACK_URL is on host ${callbackHost} but PUBLIC_URL is on host ${publicHost}: the state cookie /auth/github sets in the browser on ${publicHost} ` +
        `never reaches the callback on ${callbackHost}, so GitHub sign-in fails with invalid_state. Use the same host in both ` +
        '(for example PUBLIC_URL=http://localhost:3000 and GITHUB_CALLBACK_URL=http://localhost:3000/auth/github/callback, with the browser on http://localhost:3000/)',
    );
  }
  return {
    clientId: e.GITHUB_CLIENT_ID,
    clientSecret: e.GITHUB_CLIENT_SECRET,
    callbackUrl: e.GITHUB_CALLBACK_URL,
    authorizeUrl: e.GITHUB_AUTHORIZE_URL,
    tokenUrl: e.GITHUB_TOKEN_URL,
    apiUrl: e.GITHUB_API_URL,
  };
}
