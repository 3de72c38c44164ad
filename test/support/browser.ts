import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
