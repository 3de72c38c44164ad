import { ValidationFailedError } from './errors.js';
import { codePoints, firstCodePoints, hasControlCharacter, hasFormatCharacter, hasLoneSurrogate, withoutInvisibles } from './text.js';

export const NAME_MAX_CODE_POINTS = 100;

/**
 * A user's display name (docs/http-api.md, Conventions: `name`): at most 100 code points, no control or
 * format character (no CR/LF to forge log lines or headers, no ESC for terminals, no U+202E to
 * reverse what an admin reads). Only parseDisplayName and cleanDisplayName make one.
 */
export type DisplayName = string & { readonly __brand: 'DisplayName' };

/** Why a name (as sent) is refused with VALIDATION_FAILED, or null. */
export function displayNameProblem(name: string): string | null {
  if (hasControlCharacter(name) || hasFormatCharacter(name)) return 'must not contain control characters or invisible formatting characters';
  if (hasLoneSurrogate(name)) return 'must be valid Unicode text';
  if (codePoints(name) > NAME_MAX_CODE_POINTS) return `must be at most ${NAME_MAX_CODE_POINTS} characters`;
  return null;
}

/** The name as given, or null when absent; throws ValidationFailedError naming `field` when refused. */
export function parseDisplayName(name: string | null | undefined, field = 'name'): DisplayName | null {
  if (name == null) return null;
  const problem = displayNameProblem(name);
  if (problem) throw new ValidationFailedError([{ field, message: problem }]);
  return name as DisplayName;
}

/**
 * A name from somewhere else (a provider's profile), made acceptable rather than refused: the
 * person cannot fix it here. Control and format characters are removed, then it is cut to 100
 * code points; nothing left is null.
 */
export function cleanDisplayName(name: string | null): DisplayName | null {
  if (name === null) return null;
  const cleaned = firstCodePoints(withoutInvisibles(name), NAME_MAX_CODE_POINTS);
  return cleaned === '' ? null : (cleaned as DisplayName);
}
