import Router from '@koa/router';
import { ServiceUnavailableError } from '../../../domain/errors.js';

/** Liveness needs nothing; readiness asks the database (and later Redis). */
export function healthRoutes(isReady: () => Promise<boolean>): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    if (!(await isReady())) throw new ServiceUnavailableError('database');
    ctx.body = { status: 'ready' };
  });
  return router;
}
