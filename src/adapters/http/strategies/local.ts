import { Strategy as LocalStrategy } from 'passport-local';
import type { AuthenticateWithPassword } from '../../../application/passwords/authenticate-with-password.js';
import { reportVerdict, type Done } from './verdict.js';

/** Email and password from the (already validated) body, the client address for throttling; the use case decides. */
export const localStrategy = (authenticate: AuthenticateWithPassword) =>
  new LocalStrategy(
    { usernameField: 'email', passwordField: 'password', session: false, passReqToCallback: true },
    (req, email, password, done) => {
      // koa-passport's request has the headers but no `get()`: reading through it lost the User-Agent of every login event.
      reportVerdict(authenticate.execute({ email, password, clientIp: req.ip ?? 'unknown', userAgent: req.headers?.['user-agent'] ?? null }), done as Done);
    },
  );
