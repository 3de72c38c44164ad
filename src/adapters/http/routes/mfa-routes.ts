import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { ConfirmTotpEnrolment, DisableTotp, StartTotpEnrolment } from '../../../application/factors/totp-enrolment.js';
import type { VerifyMfa } from '../../../application/factors/mfa-verify.js';
import { MfaTokenInvalidError } from '../../../domain/errors.js';
import { isSessionPrincipal, principalOf } from '../authenticate.js';
import { MFA_COOKIE } from '../cookie-names.js';
import type { CookieSettings } from '../cookies.js';
import { codeSchema, startTotpSchema, verifyMfaSchema } from '../mfa-schemas.js';
import { sendTokens } from '../presenters.js';
import { parseBody } from '../validation.js';

export interface MfaUseCases {
  readonly startTotp: StartTotpEnrolment;
  readonly confirmTotp: ConfirmTotpEnrolment;
  readonly disableTotp: DisableTotp;
  readonly verifyMfa: VerifyMfa;
}

export interface MfaRouteDependencies {
  readonly mfa: MfaUseCases;
  readonly cookies: CookieSettings;
  readonly guard: { readonly jwt: Middleware };
}

const seen = (ctx: Context) => ({ principal: principalOf(ctx.state, isSessionPrincipal), clientIp: ctx.ip, userAgent: ctx.get('User-Agent') || null });

/** TOTP enrolment and the MFA step of a sign-in (docs/mfa.md). */
export function mfaRoutes(deps: MfaRouteDependencies): Router {
  const router = new Router({ prefix: '/auth/mfa' });

  router.post('/totp', deps.guard.jwt, async (ctx) => {
    const { currentPassword } = parseBody(startTotpSchema, ctx.request.body ?? {});
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.mfa.startTotp.execute({ ...seen(ctx), ...(currentPassword === undefined ? {} : { currentPassword }) });
  });

  router.post('/totp/confirm', deps.guard.jwt, async (ctx) => {
    const { code } = parseBody(codeSchema, ctx.request.body);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.mfa.confirmTotp.execute({ ...seen(ctx), code });
  });

  router.delete('/totp', deps.guard.jwt, async (ctx) => {
    const { code } = parseBody(codeSchema, ctx.request.body);
    await deps.mfa.disableTotp.execute({ ...seen(ctx), code });
    ctx.status = 204;
  });

  // Completes a sign-in that answered MFA_REQUIRED, in that sign-in's mode (Bearer body or cookies).
  router.post('/verify', async (ctx) => {
    const body = parseBody(verifyMfaSchema, ctx.request.body);
    const mfaToken = body.mfaToken ?? ctx.cookies.get(MFA_COOKIE);
    if (!mfaToken) throw new MfaTokenInvalidError();
    const { mode, tokens } = await deps.mfa.verifyMfa.execute({ mfaToken, code: body.code, clientIp: ctx.ip, userAgent: ctx.get('User-Agent') || null });
    if (ctx.cookies.get(MFA_COOKIE) !== undefined) {
      if (deps.cookies.secure) ctx.cookies.secure = true;
      ctx.cookies.set(MFA_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: deps.cookies.secure, path: '/auth/mfa', overwrite: true, expires: new Date(0) });
    }
    sendTokens(ctx, deps.cookies, 200, tokens, mode);
  });

  return router;
}
