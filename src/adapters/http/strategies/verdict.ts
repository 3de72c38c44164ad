import { DomainError, ServiceUnavailableError } from '../../../domain/errors.js';

/** Passport's verify callback. */
export type Done = (err: unknown, user?: unknown, info?: unknown) => void;

/**
 * Every strategy's one mapping from a use case's outcome to Passport: a principal is a success;
 * a domain error is a failed authentication (401 with that error's code); anything else is an
 * error (5xx) — a store that cannot answer included, which is a 503, never a 401 that would tell
 * the client to throw its session away.
 */
export function reportVerdict(outcome: Promise<unknown>, done: Done): void {
  outcome.then(
    (principal) => done(null, principal),
    (err: unknown) => (err instanceof DomainError && !(err instanceof ServiceUnavailableError) ? done(null, false, err) : done(err)),
  );
}
