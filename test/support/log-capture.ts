import { Writable } from 'node:stream';
import { pino, type Level } from 'pino';
import { REDACTED_PATHS } from '../../src/adapters/logging/logger.js';

/** A pino logger writing JSON lines into an array, configured as the service's own (its redaction list included). */
export function capturingLogger<Entry = Record<string, unknown>>(level: Level = 'info') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const entries = () => lines.map((l) => JSON.parse(l) as Entry);
  return { lines, entries, logger: pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream) };
}
