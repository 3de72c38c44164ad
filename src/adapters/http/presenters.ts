import type { Context } from 'koa';
import type { SessionTokens } from '../../application/session-token-minter.js';
import type { User } from '../../domain/user.js';

/** The public user: nothing secret (no hash) ever leaves the server. */
export const presentUser = (user: User) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  githubLogin: user.githubLogin,
  createdAt: user.createdAt.toISOString(),
});

/** Bearer mode: tokens in the body, never cached (RFC 6749 §5.1). */
export function sendTokens(ctx: Context, status: number, tokens: SessionTokens): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  ctx.body = {
    user: presentUser(tokens.user),
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tokenType: 'Bearer',
    expiresIn: tokens.expiresIn,
  };
}
