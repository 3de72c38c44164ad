import Router from '@koa/router';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as TypeScript from 'typescript';
import { fileURLToPath } from 'node:url';

/**
 * Scalar's API reference, a maintained renderer with search and try-it, from the installed package
 * (never a CDN). `npm run build` copies its browser bundle beside the pages, so the pruned production
 * install needs none of the package's own dependencies; from the sources it is read where npm put it.
 */
const BUILT_BUNDLE = fileURLToPath(new URL('../web/scalar-api-reference.js', import.meta.url));
const REFERENCE_BUNDLE = existsSync(BUILT_BUNDLE) ? BUILT_BUNDLE : fileURLToPath(import.meta.resolve('@scalar/api-reference/browser/standalone.js'));

/**
 * The account page's two browser libraries, served from the installed packages (both are runtime
 * dependencies, so the pruned install has them): @simplewebauthn/browser's self-contained bundle
 * (a classic script that defines `SimpleWebAuthnBrowser`), and lean-qr, one ES module that draws
 * the TOTP enrolment's otpauth URL as a QR code.
 */
/**
 * The page's API client: the repository's own typed client (clients/js), one ES module with no
 * dependencies. `npm run build` compiles it beside the pages (so production needs no TypeScript);
 * from the sources it is transpiled once at start with the TypeScript compiler npm installed.
 */
const BUILT_CLIENT = fileURLToPath(new URL('../web/auth-client.js', import.meta.url));
function authClientModule(): string {
  if (existsSync(BUILT_CLIENT)) return readFileSync(BUILT_CLIENT, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
  const ts = createRequire(import.meta.url)('typescript') as typeof TypeScript;
  const source = readFileSync(fileURLToPath(new URL('../../../../clients/js/src/index.ts', import.meta.url)), 'utf8');
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText;
}

const WEBAUTHN_BUNDLE = fileURLToPath(new URL('../dist/bundle/index.umd.min.js', import.meta.resolve('@simplewebauthn/browser')));
const QR_MODULE = fileURLToPath(import.meta.resolve('lean-qr'));

const ASSETS = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  // The pages a mail links to: the same page, which reads the token from the fragment (never sent
  // here) and spends it only by a POST, so a scanner fetching the link spends nothing.
  '/verify-email': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/reset-password': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/confirm-email': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/api.js': { file: 'api.js', type: 'text/javascript; charset=utf-8' },
  '/email.js': { file: 'email.js', type: 'text/javascript; charset=utf-8' },
  '/activity.js': { file: 'activity.js', type: 'text/javascript; charset=utf-8' },
  '/mfa.js': { file: 'mfa.js', type: 'text/javascript; charset=utf-8' },
  '/passkeys.js': { file: 'passkeys.js', type: 'text/javascript; charset=utf-8' },
  '/providers.js': { file: 'providers.js', type: 'text/javascript; charset=utf-8' },
  '/vendor/simplewebauthn-browser.js': { file: WEBAUTHN_BUNDLE, type: 'text/javascript; charset=utf-8' },
  '/vendor/lean-qr.mjs': { file: QR_MODULE, type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  // The admin page: static like the account page; the admin API's role guard decides what it may see.
  '/admin': { file: 'admin.html', type: 'text/html; charset=utf-8' },
  '/admin.js': { file: 'admin.js', type: 'text/javascript; charset=utf-8' },
  '/admin.css': { file: 'admin.css', type: 'text/css; charset=utf-8' },
  // The API reference: Scalar renders /openapi.json in the browser; no CDN and no inline script.
  '/docs': { file: 'docs.html', type: 'text/html; charset=utf-8' },
  '/docs.js': { file: 'docs.js', type: 'text/javascript; charset=utf-8' },
  '/docs/reference.js': { file: REFERENCE_BUNDLE, type: 'text/javascript; charset=utf-8' },
  // The pages link the SVG; /favicon.ico (the same padlock, PNGs in an ICO) is for browsers that ask anyway.
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
  '/favicon.ico': { file: 'favicon.ico', type: 'image/x-icon' },
} as const;

/** The demo page and the API reference: static files read once at start, served as they are (no build step). */
export function webRoutes(features: { readonly github: boolean; readonly passkeys: boolean; readonly providers: readonly string[] }): Router {
  const router = new Router();
  const client = authClientModule();
  router.get('/vendor/auth-client.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = client;
  });
  for (const [path, asset] of Object.entries(ASSETS)) {
    let body: string | Buffer = readFileSync(asset.file.startsWith('/') ? asset.file : new URL(`../web/${asset.file}`, import.meta.url));
    // The page shows its GitHub, provider and passkey buttons only when the service has them.
    if (asset.file === 'index.html') {
      body = body
        .toString('utf8')
        .replace('data-github="off"', `data-github="${features.github ? 'on' : 'off'}"`)
        .replace('data-passkeys="off"', `data-passkeys="${features.passkeys ? 'on' : 'off'}"`)
        // The OpenID Connect providers' names ([a-z0-9-], so safe in an attribute): the page offers each.
        .replace('data-providers=""', `data-providers="${features.providers.join(' ')}"`);
    }
    router.get(path, (ctx) => {
      ctx.type = asset.type;
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = body;
    });
  }
  return router;
}
