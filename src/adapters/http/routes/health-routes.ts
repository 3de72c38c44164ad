import Router from '@koa/router';
import { ServiceUnavailableError } from '../../../domain/errors.js';
import { openApiDocument } from '../openapi.js';

/** Liveness needs nothing; readiness asks the database and Redis; the OpenAPI document of every route. */
export function healthRoutes(isReady: () => Promise<boolean>, publicUrl: string): Router {
  const router = new Router();
  const document = JSON.stringify(openApiDocument(publicUrl));
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = document;
  });
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    if (!(await isReady())) throw new ServiceUnavailableError('database');
    ctx.body = { status: 'ready' };
  });
  return router;
}
