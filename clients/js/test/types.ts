// Compile-time checks of the client's public types (type-checked by `npm run typecheck`, not run).
import { createAuthClient, type LoginResult, type ProblemCode, type User } from '../src/index.js';

declare const result: LoginResult;
// @ts-expect-error mfaToken exists only once the union is narrowed to mfa_required
export const unnarrowed: string = result.mfaToken;
export const narrowed: string | User = result.kind === 'mfa_required' ? result.mfaToken : result.user;

// A code the document does not list is not a ProblemCode.
// @ts-expect-error not one of the service's problem codes
export const unknownCode: ProblemCode = 'NO_SUCH_CODE';
export const knownCode: ProblemCode = 'TOKEN_EXPIRED';

const client = createAuthClient({ baseUrl: 'http://localhost:3000', mode: 'cookie' });
// @ts-expect-error login takes the document's LoginBody: email and password
export const badLogin = () => client.login({ username: 'ada' });
export const email = async (): Promise<string | null> => (await client.me()).email;
