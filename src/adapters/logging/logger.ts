import { pino, type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

/** Paths pino removes from anything logged, whatever a future log call passes it. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  'password',
  'accessToken',
  'refreshToken',
];

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  readonly level: string;
  /** LOG_FORMAT, or null to choose by the terminal. */
  readonly format: LogFormat | null;
  /** Whether the destination is a terminal (process.stdout.isTTY). */
  readonly terminal: boolean;
  /** Where lines go: a file descriptor (default 1, stdout). Tests pass a file's. */
  readonly fd?: number;
}

/** docs/http-api.md: JSON lines, human-readable when stdout is a terminal unless LOG_FORMAT says otherwise. */
export const chooseLogFormat = (format: LogFormat | null, terminal: boolean): LogFormat => format ?? (terminal ? 'pretty' : 'json');

interface LogRecord {
  readonly msg?: unknown;
  readonly method?: unknown;
  readonly route?: unknown;
  readonly status?: unknown;
  readonly durationMs?: unknown;
  readonly [key: string]: unknown;
}

/** A request line as a person reads it: `GET /auth/me 200 1.3 ms`, the ids after it. */
function forPeople(record: LogRecord): LogRecord {
  if (record.msg !== 'request') return record;
  const { method, route, status, durationMs, ...rest } = record;
  const ms = typeof durationMs === 'number' ? ` ${durationMs.toFixed(1)} ms` : '';
  return { ...rest, msg: `${String(method)} ${String(route)} ${String(status)}${ms}` };
}

/**
 * Every line is written to the file descriptor synchronously, as it is logged: nothing waits in a
 * buffer, so a crash or a `kill -9` loses no line that was logged before it (pino's asynchronous,
 * buffered destination lost up to 4 KB and printed nothing for seconds at start). What that costs
 * per request is measured in BENCHMARKS.md.
 */
function destination(format: LogFormat, fd: number, colorize: boolean): DestinationStream {
  const sink = pino.destination({ dest: fd, sync: true });
  if (format === 'json') return sink;
  const prettify = prettyFactory({ colorize, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  return {
    write(line: string) {
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        sink.write(line);
        return;
      }
      sink.write(prettify(forPeople(record)));
    },
  };
}

/** The service's logger: pino with the redaction list, JSON or pretty lines, written at once. */
export function createLogger(options: LoggerOptions): Logger {
  const format = chooseLogFormat(options.format, options.terminal);
  return pino(
    { level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination(format, options.fd ?? 1, format === 'pretty' && options.terminal),
  );
}
