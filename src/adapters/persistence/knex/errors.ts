import { ServiceUnavailableError } from '../../../domain/errors.js';

// Network and protocol failures of the driver (a write on a connection the server just cut is
// EPIPE; a statement past its deadline PROTOCOL_SEQUENCE_TIMEOUT), and the server going away.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'SQLITE_BUSY',
]);

export const isDuplicateKey = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

export const isMissingReference = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
};

/** Driver errors that mean "the database is not reachable now", translated so no driver text leaks. */
export function translateDatabaseError(err: unknown): unknown {
  const e = err as { code?: unknown; name?: unknown; fatal?: unknown } | null;
  // mysql2 marks an error `fatal` when the connection itself is lost or unusable (some, such as
  // "Can't add new command when connection is in closed state", carry no code at all).
  if ((typeof e?.code === 'string' && UNAVAILABLE_CODES.has(e.code)) || e?.name === 'KnexTimeoutError' || e?.fatal === true) {
    return Object.assign(new ServiceUnavailableError('database'), { cause: err });
  }
  return err;
}

/** Runs a query, translating outages into ServiceUnavailableError. */
export async function query<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw translateDatabaseError(err);
  }
}
