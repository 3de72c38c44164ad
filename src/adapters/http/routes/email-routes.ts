import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ConfirmEmailChange } from '../../../application/email/confirm-email-change.js';
import type { ForgotPassword } from '../../../application/email/forgot-password.js';
import type { RequestEmailChange } from '../../../application/email/request-email-change.js';
import type { RequestEmailVerification } from '../../../application/email/request-email-verification.js';
import type { ResetPassword } from '../../../application/email/reset-password.js';
import type { VerifyEmail } from '../../../application/email/verify-email.js';
import { isSessionPrincipal, principalOf } from '../authenticate.js';
import { presentUser } from '../presenters.js';
import { changeEmailSchema, emailTokenSchema, forgotPasswordSchema, parseBody, resetPasswordSchema } from '../validation.js';

export interface EmailRouteDependencies {
  readonly requestEmailVerification: RequestEmailVerification;
  readonly verifyEmail: VerifyEmail;
  readonly forgotPassword: ForgotPassword;
  readonly resetPassword: ResetPassword;
  readonly requestEmailChange: RequestEmailChange;
  readonly confirmEmailChange: ConfirmEmailChange;
  readonly guard: { readonly jwt: Middleware };
}

/** The same 202 for every accepted mail request: what it says never depends on the account. */
const ACCEPTED = { status: 'accepted' } as const;

/** Verification, password reset and email change: each link is spent by one of these POSTs, never by a GET. */
export function emailRoutes(deps: EmailRouteDependencies): Router {
  const router = new Router({ prefix: '/auth' });

  router.post('/email/verification', deps.guard.jwt, async (ctx) => {
    await deps.requestEmailVerification.execute({ principal: principalOf(ctx.state, isSessionPrincipal), clientIp: ctx.ip });
    ctx.status = 202;
    ctx.body = ACCEPTED;
  });

  router.post('/email/verify', async (ctx) => {
    const { token } = parseBody(emailTokenSchema, ctx.request.body);
    const user = await deps.verifyEmail.execute(token);
    ctx.body = presentUser(user);
  });

  router.post('/password/forgot', async (ctx) => {
    const { email } = parseBody(forgotPasswordSchema, ctx.request.body);
    await deps.forgotPassword.execute({ email, clientIp: ctx.ip });
    ctx.status = 202;
    ctx.body = ACCEPTED;
  });

  router.post('/password/reset', async (ctx) => {
    const body = parseBody(resetPasswordSchema, ctx.request.body);
    await deps.resetPassword.execute({ token: body.token, newPassword: body.newPassword, clientIp: ctx.ip });
    ctx.status = 204;
  });

  router.post('/email/change', deps.guard.jwt, async (ctx) => {
    const body = parseBody(changeEmailSchema, ctx.request.body);
    await deps.requestEmailChange.execute({
      principal: principalOf(ctx.state, isSessionPrincipal),
      newEmail: body.newEmail,
      currentPassword: body.currentPassword ?? null,
      clientIp: ctx.ip,
    });
    ctx.status = 202;
    ctx.body = ACCEPTED;
  });

  router.post('/email/confirm-change', async (ctx) => {
    const { token } = parseBody(emailTokenSchema, ctx.request.body);
    const user = await deps.confirmEmailChange.execute(token);
    ctx.body = presentUser(user);
  });

  return router;
}
