import { expect } from 'chai';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseLogFormat, createLogger } from '../../../../src/adapters/logging/logger.js';

describe('logger', () => {
  let dir: string;
  let file: string;
  let fd: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-logger-'));
    file = join(dir, 'out.log');
    fd = openSync(file, 'a');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  const written = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);

  it('is pretty on a terminal and JSON elsewhere, unless LOG_FORMAT says otherwise', () => {
    expect(chooseLogFormat(null, true)).to.equal('pretty');
    expect(chooseLogFormat(null, false)).to.equal('json');
    expect(chooseLogFormat('json', true)).to.equal('json');
    expect(chooseLogFormat('pretty', false)).to.equal('pretty');
  });

  it('writes each JSON line before the logging call returns (nothing waits in a buffer)', () => {
    const logger = createLogger({ level: 'info', format: 'json', terminal: false, fd });
    logger.warn('first');
    expect(written()).to.have.length(1);
    logger.info({ requestId: 'r-1' }, 'second');
    const lines = written().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).to.deep.equal(['first', 'second']);
    expect(lines[1]).to.include({ requestId: 'r-1', level: 30 });
  });

  it('writes pretty lines at once too: one line per record, a request line as a person reads it', () => {
    const logger = createLogger({ level: 'info', format: 'pretty', terminal: false, fd });
    logger.warn('JWT_ACCESS_SECRET is not set');
    logger.info({ requestId: 'r-2', method: 'GET', route: '/auth/me', status: 200, durationMs: 1.25, userId: 'u-1' }, 'request');
    const lines = written();
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/WARN.*JWT_ACCESS_SECRET is not set/);
    expect(lines[1]).to.match(/INFO.*GET \/auth\/me 200 1\.3 ms/);
    expect(lines[1]).to.contain('r-2').and.contain('u-1');
    expect(() => JSON.parse(lines[0] as string)).to.throw();
    // Not on a terminal: no colour escapes in a file.
    expect(lines.join('\n')).not.to.contain('\u001b[');
  });

  it('keeps the redaction list in both formats', () => {
    for (const format of ['json', 'pretty'] as const) {
      const logger = createLogger({ level: 'info', format, terminal: false, fd });
      logger.info({ password: 'hunter2 secret', headers: { authorization: 'Bearer abc.def.ghi' } }, 'attempt');
    }
    const text = written().join('\n');
    expect(text).not.to.contain('hunter2');
    expect(text).not.to.contain('abc.def.ghi');
    expect(text).to.contain('[redacted]');
  });
});
