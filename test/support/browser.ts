import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Locator, type Page } from 'playwright-core';

/** Debian's chromium (CI installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** In a `before` hook: a headless chromium, or the suite skipped with a loud warning when it is not installed. */
export async function chromiumOrSkip(suite: Mocha.Context, what: string): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`\n  !! ${CHROMIUM} not found: the ${what} is SKIPPED (apt-get install chromium; CI installs it).\n\n`);
    suite.skip();
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where the browser tests leave a screenshot of each screen (git-ignored; SCREENSHOT_DIR points elsewhere). */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? 'test-artifacts/screenshots';

/** The page as a person sees it now (the whole page, or the window), kept as `<SCREENSHOT_DIR>/<name>.png`. */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage });
}

/** Whether keyboard focus is on this element. */
export const isFocused = (locator: Locator): Promise<boolean> => locator.evaluate((el) => el === el.ownerDocument.activeElement);

/** The natural width of the image at `src` once the page decoded it (a load or decode failure rejects). */
export const decodedWidth = (page: Page, src: string): Promise<number> =>
  page.evaluate<number>(`(async () => { const img = new Image(); img.src = ${JSON.stringify(src)}; await img.decode(); return img.naturalWidth; })()`);

interface Expected {
  readonly method: string;
  readonly path: string;
  /** An HTTP status, or 'failed' for a request that got no answer at all. */
  readonly outcome: number | 'failed';
}

/**
 * Everything that goes wrong in a page that a person (or their console) would notice: console
 * errors, uncaught exceptions, requests that failed, and answers of 400 or more. A test names the
 * failing answers it provokes on purpose (a wrong password's 401); anything else is a problem.
 */
export class PageWatch {
  private readonly expected: Expected[] = [];
  private readonly seen: string[] = [];

  constructor(page: Page) {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // Chrome reports every failing fetch as a console error too; an expected answer's is expected.
      const url = msg.location().url;
      if (this.isExpectedLoadFailure(msg.text(), url)) return;
      this.seen.push(`console error: ${msg.text()} (${url})`);
    });
    page.on('pageerror', (err) => this.seen.push(`uncaught: ${err.message}`));
    page.on('requestfailed', (request) => {
      if (!this.matches(request.method(), request.url(), 'failed')) this.seen.push(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`);
    });
    page.on('response', (response) => {
      if (response.status() < 400) return;
      const method = response.request().method();
      if (!this.matches(method, response.url(), response.status())) this.seen.push(`answer ${response.status()}: ${method} ${response.url()}`);
    });
  }

  /** This failing answer (or failed request) is what the test provokes. */
  allow(method: string, path: string, outcome: number | 'failed'): this {
    this.expected.push({ method, path, outcome });
    return this;
  }

  /** What went wrong, unexpectedly, so far. */
  problems(): string[] {
    return [...this.seen];
  }

  private matches(method: string, url: string, outcome: number | 'failed'): boolean {
    const path = new URL(url).pathname;
    return this.expected.some((e) => e.method === method && e.path === path && e.outcome === outcome);
  }

  /** Chrome's "Failed to load resource: the server responded with a status of 401 (…)" or "net::ERR_…" for an expected one. */
  private isExpectedLoadFailure(text: string, url: string): boolean {
    if (!/^Failed to load resource\b/.test(text) || !url) return false;
    const status = /status of (\d{3})\b/.exec(text)?.[1];
    const path = new URL(url).pathname;
    return this.expected.some((e) => e.path === path && e.outcome === (status ? Number(status) : 'failed'));
  }
}

/**
 * Chromium's DevTools virtual authenticator on a page: a platform authenticator (CTAP2, internal)
 * that keeps discoverable credentials, verifies the user and answers without a touch.
 */
export class VirtualAuthenticator {
  private constructor(
    private readonly cdp: CDPSession,
    readonly id: string,
  ) {}

  static async on(page: Page): Promise<VirtualAuthenticator> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return new VirtualAuthenticator(cdp, authenticatorId);
  }

  /** The credentials it holds now (each with its RP ID, user handle and signature count). */
  async credentials(): Promise<{ credentialId: string; rpId?: string; userHandle?: string; signCount: number }[]> {
    return (await this.cdp.send('WebAuthn.getCredentials', { authenticatorId: this.id })).credentials;
  }
}

/** The window every browser test's page opens in. */
export const VIEWPORT = { width: 720, height: 900 } as const;

/**
 * In a `describe`: a headless Chromium for the suite (skipped loudly where none is installed) and a
 * fresh context for each test, opened and closed by hooks it registers where it is called (so its
 * `before` runs ahead of the suite's own). Read `.context` inside tests and hooks only.
 */
export function chromiumSuite(what: string): { readonly browser: Browser; readonly context: BrowserContext } {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  before(async function () {
    browser = await chromiumOrSkip(this, what);
  });
  beforeEach(async () => {
    context = await browser?.newContext({ viewport: VIEWPORT });
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  after(async () => {
    await browser?.close();
  });
  const opened = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`no ${name}: read it inside a test or hook of the suite`);
    return value;
  };
  return {
    get browser() {
      return opened(browser, 'browser');
    },
    get context() {
      return opened(context, 'browser context');
    },
  };
}
