/** The most characters (code points) of one outside value a log line keeps. */
export const LOG_VALUE_MAX = 200;
const SCAN_MAX = 4096;

// C0, DEL and C1 controls, Unicode format characters (Cf: U+200B..U+200F, U+202A..U+202E bidi
// overrides, U+2060.., U+FEFF...), line and paragraph separators, and lone surrogates: none of
// them may reach a terminal or a log viewer, where they forge lines, colours or reading order.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
// Those that separate words or lines become one space, so what is left still reads.
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;

/**
 * An outside value (a provider's `error` or `error_description`, a user agent, a path, an error
 * message that may embed any of those) as a log line may carry it: line breaks and tabs made
 * one space, other control and format characters removed, then cut to LOG_VALUE_MAX characters
 * (the last one `…` when cut).
 */
export function logSafe(value: unknown): string {
  const raw = typeof value === 'string' ? value : String(value);
  // Bounded work whatever arrives: only the head of a huge value is ever scanned.
  const cleaned = raw.slice(0, SCAN_MAX).replace(BREAKS, ' ').replace(UNPRINTABLE, '');
  const points = Array.from(cleaned.slice(0, LOG_VALUE_MAX * 2));
  const whole = raw.length <= SCAN_MAX && cleaned.length <= LOG_VALUE_MAX * 2 && points.length <= LOG_VALUE_MAX;
  return whole ? cleaned : `${points.slice(0, LOG_VALUE_MAX - 1).join('')}…`;
}
