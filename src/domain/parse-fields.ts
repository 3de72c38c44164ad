import { ValidationFailedError, type FieldProblem } from './errors.js';

/**
 * Runs every parser and answers their values, or throws one ValidationFailedError listing every
 * field that failed (docs/http-api.md: a 400 lists every failing field), not only the first.
 */
export function parseFields<T extends readonly unknown[]>(...parsers: { readonly [K in keyof T]: () => T[K] }): T {
  const problems: FieldProblem[] = [];
  const values = parsers.map((parse) => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ValidationFailedError)) throw err;
      problems.push(...err.errors);
      return undefined;
    }
  });
  if (problems.length > 0) throw new ValidationFailedError(problems);
  return values as unknown as T;
}
