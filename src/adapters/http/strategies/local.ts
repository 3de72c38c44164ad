import { Strategy as LocalStrategy } from 'passport-local';
import type { AuthenticateWithPassword } from '../../../application/authenticate-with-password.js';
import { DomainError, ServiceUnavailableError } from '../../../domain/errors.js';

/** Email and password from the (already validated) body, the client address for throttling; the use case decides. */
export const localStrategy = (authenticate: AuthenticateWithPassword) =>
  new LocalStrategy(
    { usernameField: 'email', passwordField: 'password', session: false, passReqToCallback: true },
    (req, email, password, done) => {
      authenticate.execute({ email, password, clientIp: req.ip ?? 'unknown' }).then(
        (principal) => done(null, principal),
        // A store that cannot answer is an error (503), never a failed sign-in (401).
        (err: unknown) => (err instanceof DomainError && !(err instanceof ServiceUnavailableError) ? done(null, false, err) : done(err)),
      );
    },
  );
