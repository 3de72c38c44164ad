import Router from '@koa/router';
import type { PublicJwk } from '../../../config/jwt-settings.js';

/** How long verifiers may keep the key set: short, so a restart with a new signing key is seen soon. */
const MAX_AGE_SECONDS = 300;

/**
 * GET /.well-known/jwks.json: the public keys that verify access tokens (RFC 7517 JWK Set), for
 * services that check tokens on their own. Under ES256: the current signing key, then earlier
 * ones still accepted. Under HS256 the set is deliberately empty, `{ "keys": [] }`: the HS256
 * secret is symmetric and is never published (whoever holds it can mint tokens), and an empty set
 * tells a verifier plainly that it cannot verify these tokens itself.
 */
export function jwksRoutes(keys: readonly PublicJwk[]): Router {
  const router = new Router();
  const body = JSON.stringify({ keys });
  router.get('/.well-known/jwks.json', (ctx) => {
    // Public keys, not a token answer: the app-wide no-store does not apply.
    ctx.set('Cache-Control', `public, max-age=${MAX_AGE_SECONDS}`);
    ctx.type = 'application/json';
    ctx.body = body;
  });
  return router;
}
