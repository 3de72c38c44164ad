/**
 * Character classes the input rules share (docs/http-api.md, Conventions). Unicode properties, not lists:
 * `Cc` is every control character (C0 U+0000–U+001F, DEL U+007F, C1 U+0080–U+009F), `Cf` every
 * invisible format character (U+00AD, U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+FEFF, ...),
 * and `Cs` a lone UTF-16 surrogate, which no UTF-8 encoder can carry (it would become U+FFFD, so
 * two different strings would be stored or hashed as one).
 */
const CONTROL = /\p{Cc}/u;
const FORMAT = /\p{Cf}/u;
const LONE_SURROGATE = /\p{Cs}/u;
const CONTROL_OR_FORMAT_OR_LONE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;

export const hasControlCharacter = (s: string): boolean => CONTROL.test(s);
export const hasFormatCharacter = (s: string): boolean => FORMAT.test(s);
export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

/** `s` without its control, format and lone-surrogate characters. */
export const withoutInvisibles = (s: string): string => s.replace(CONTROL_OR_FORMAT_OR_LONE, '');

/** Length in code points (what docs/http-api.md calls characters): an emoji is one, not two UTF-16 units. */
export const codePoints = (s: string): number => [...s].length;

/** The first `max` code points of `s`. */
export const firstCodePoints = (s: string, max: number): string => [...s].slice(0, max).join('');

export const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/**
 * Surrounding white space: space separators (space, NBSP, U+2000–U+200A, U+3000, ...), tab, LF,
 * VT, FF, CR and the line and paragraph separators — what String.prototype.trim removes, except
 * U+FEFF, which is an invisible format character and not white space (an address carrying one is
 * refused, not cleaned). No other control character is white space here, so a NUL, an ESC or a
 * C1 NEL is refused even at either end.
 */
const WHITE_SPACE = /^[\p{Zs}\t\n\v\f\r\u2028\u2029]$/u;

// A loop, not /\s+$/: that regex is quadratic on a long run of inner spaces (a 100 KiB body of them).
export function trimWhiteSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && WHITE_SPACE.test(s.charAt(start))) start++;
  while (end > start && WHITE_SPACE.test(s.charAt(end - 1))) end--;
  return s.slice(start, end);
}
