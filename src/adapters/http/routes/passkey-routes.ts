import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { ValidationFailedError } from '../../../domain/errors.js';
import { normalisePasskeyName, type PasskeySummary } from '../../../domain/passkey.js';
import type { ListPasskeys } from '../../../application/factors/passkey-list.js';
import type { RegisterPasskey } from '../../../application/factors/passkey-register.js';
import type { RemovePasskey } from '../../../application/factors/passkey-remove.js';
import type { SignInWithPasskey } from '../../../application/factors/passkey-sign-in.js';
import type { StartPasskeyRegistration } from '../../../application/factors/passkey-start-registration.js';
import type { StartPasskeySignIn } from '../../../application/factors/passkey-start-sign-in.js';
import { isSessionPrincipal, principalOf } from '../authenticate.js';
import type { CookieSettings } from '../cookies.js';
import { authenticationResponseSchema, passkeyNameSchema, registrationResponseSchema } from '../passkey-schemas.js';
import { sendTokens } from '../presenters.js';
import { HttpProblemError } from '../problem.js';
import { parseBody } from '../validation.js';

/** The use cases that need an RP ID: null when passkeys are off. */
export interface PasskeyCeremonyUseCases {
  readonly startRegistration: StartPasskeyRegistration;
  readonly register: RegisterPasskey;
  readonly startSignIn: StartPasskeySignIn;
  readonly signIn: SignInWithPasskey;
}

export interface PasskeyUseCases {
  readonly listPasskeys: ListPasskeys;
  readonly removePasskey: RemovePasskey;
  readonly ceremonies: PasskeyCeremonyUseCases | null;
}

export interface PasskeyRouteDependencies {
  readonly passkeys: PasskeyUseCases;
  readonly cookies: CookieSettings;
  readonly guard: { readonly jwt: Middleware };
}

export const presentPasskey = (p: PasskeySummary) => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
});

/** `?name=`: once, and a name passkeyNameProblem accepts; absent: the default name. */
function nameOf(ctx: Context): string | undefined {
  const raw = ctx.query.name;
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new ValidationFailedError([{ field: 'name', message: 'must be given once' }]);
  return normalisePasskeyName(parseBody(z.object({ name: passkeyNameSchema }), { name: raw }).name);
}

/**
 * Passkeys (docs/passkeys.md). Listing and removing work whatever the configuration; the four
 * ceremony routes answer 404 PASSKEYS_NOT_CONFIGURED when passkeys are off (no valid RP ID).
 */
export function passkeyRoutes(deps: PasskeyRouteDependencies): Router {
  const router = new Router({ prefix: '/auth/passkeys' });
  const ceremonies = () => {
    if (!deps.passkeys.ceremonies) {
      throw new HttpProblemError('PASSKEYS_NOT_CONFIGURED', 'Passkeys are off: set WEBAUTHN_RP_ID (PUBLIC_URL names an IP address)');
    }
    return deps.passkeys.ceremonies;
  };

  router.post('/registration/options', deps.guard.jwt, async (ctx) => {
    const { userId } = principalOf(ctx.state, isSessionPrincipal);
    ctx.body = await ceremonies().startRegistration.execute({ userId });
  });

  router.post('/registration', deps.guard.jwt, async (ctx) => {
    const { register } = ceremonies();
    const principal = principalOf(ctx.state, isSessionPrincipal);
    const name = nameOf(ctx);
    const response = parseBody(registrationResponseSchema, ctx.request.body);
    const passkey = await register.execute({
      userId: principal.userId,
      sessionId: principal.sessionId,
      response,
      ...(name === undefined ? {} : { name }),
      clientIp: ctx.ip,
      userAgent: ctx.get('User-Agent') || null,
    });
    ctx.status = 201;
    ctx.body = presentPasskey(passkey);
  });

  router.get('/', deps.guard.jwt, async (ctx) => {
    const { userId } = principalOf(ctx.state, isSessionPrincipal);
    ctx.body = { passkeys: (await deps.passkeys.listPasskeys.execute({ userId })).map(presentPasskey) };
  });

  router.delete('/:id', deps.guard.jwt, async (ctx) => {
    const principal = principalOf(ctx.state, isSessionPrincipal);
    await deps.passkeys.removePasskey.execute({
      userId: principal.userId,
      sessionId: principal.sessionId,
      passkeyId: ctx.params.id ?? '',
      clientIp: ctx.ip,
      userAgent: ctx.get('User-Agent') || null,
    });
    ctx.status = 204;
  });

  router.post('/authentication/options', async (ctx) => {
    ctx.body = await ceremonies().startSignIn.execute();
  });

  // Signs in as login does: Bearer tokens in the body, or cookies with X-Auth-Mode: cookie.
  router.post('/authentication', async (ctx) => {
    const { signIn } = ceremonies();
    const response = parseBody(authenticationResponseSchema, ctx.request.body);
    const tokens = await signIn.execute({ response, clientIp: ctx.ip, userAgent: ctx.get('User-Agent') || null });
    sendTokens(ctx, deps.cookies, 200, tokens);
  });

  return router;
}
