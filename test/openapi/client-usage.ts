// What a client written against the generated types does. Type-checked by client-types.test.ts
// next to the schema openapi-typescript generates from the served document (not in the repo's
// own tsconfig: it imports that generated file).
import type { components, operations, paths } from './schema.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

type LoginBody = NonNullable<paths['/auth/login']['post']['requestBody']>['content']['application/json'];
type Signed = Json<paths['/auth/login']['post']['responses'][200]>;
type Me = Json<operations['getCurrentUser']['responses'][200]>;
type Sessions = Json<operations['listSessions']['responses'][200]>;
type Problem = components['schemas']['Problem'];

export const body: LoginBody = { email: 'ada@example.com', password: 'correct horse battery' };

export function readSignIn(answer: Signed): string | undefined {
  return 'accessToken' in answer ? answer.accessToken : undefined;
}

export const email = (me: Me): string | null => me.email;
export const current = (sessions: Sessions) => sessions.find((s) => s.current)?.device ?? null;

export function mustSignInAgain(problem: Problem): boolean {
  const code: Problem['code'] = problem.code;
  return code === 'INVALID_TOKEN' || code === 'TOKEN_MISSING';
}

export const refreshBody: NonNullable<operations['refreshSession']['requestBody']>['content']['application/json'] = { refreshToken: 'rt' };
