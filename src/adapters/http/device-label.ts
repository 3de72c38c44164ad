import Bowser from 'bowser';

// Names bowser itself knows. Its last, catch-all parser copies whatever precedes the first "/" of
// an unknown string; that text is the sender's, so it is not taken as a browser name.
const KNOWN_BROWSERS = new Set(Object.values(Bowser.BROWSER_MAP).filter((name) => name !== 'Generic'));
const KNOWN_SYSTEMS = new Set(Object.values(Bowser.OS_MAP));

/** Shorter names for the few that people know by another one. */
const SHORT: Readonly<Record<string, string>> = {
  'Microsoft Edge': 'Edge',
  'Samsung Internet for Android': 'Samsung Internet',
};

// A leading product token (RFC 9110 §10.1.5), as clients that are not browsers send: "curl/8.5.0".
// "Mozilla" is every browser's compatibility prefix and says nothing.
const PRODUCT = /^([A-Za-z][A-Za-z0-9._-]{0,31})\//;
const UNINFORMATIVE_PRODUCTS = new Set(['mozilla']);

/** The stored value is at most 255 characters; a longer one still parses only its start (the parser's regexes are not linear). */
const PARSED_LENGTH = 512;

const productOf = (ua: string): string | null => {
  const name = PRODUCT.exec(ua)?.[1] ?? null;
  return name && !UNINFORMATIVE_PRODUCTS.has(name.toLowerCase()) ? name : null;
};

/**
 * A short, stable label for a session's device, read from its User-Agent: "Chrome on macOS",
 * "Safari on iOS", "curl". No versions, so a browser update does not make the same device look
 * new. Null when nothing is recognisable (no header, or nothing a parser knows).
 */
export function deviceLabel(userAgent: string | null | undefined): string | null {
  const ua = (userAgent ?? '').slice(0, PARSED_LENGTH).trim();
  if (ua === '') return null;
  const parsed = Bowser.parse(ua);
  const browserName = KNOWN_BROWSERS.has(parsed.browser.name ?? '') ? (parsed.browser.name as string) : null;
  const browser = browserName ? (SHORT[browserName] ?? browserName) : productOf(ua);
  const system = KNOWN_SYSTEMS.has(parsed.os.name ?? '') ? (parsed.os.name as string) : null;
  if (browser && system) return `${browser} on ${system}`;
  if (system) return `Unknown browser on ${system}`;
  return browser;
}
