import { expect } from 'chai';
import { DetachedWork } from '../../../../src/adapters/system/detached-work.js';
import { capturingLogger } from '../../../support/log-capture.js';

describe('DetachedWork (background tasks)', () => {
  it('runs a task after the caller went on, and drain() waits for it and for what it started', async () => {
    const { logger } = capturingLogger();
    const work = new DetachedWork(logger);
    const steps: string[] = [];
    work.run('outer', async () => {
      steps.push('outer');
      work.run('inner', () => Promise.resolve(void steps.push('inner')));
    });
    steps.push('caller');
    await work.drain();
    expect(steps).to.deep.equal(['caller', 'outer', 'inner']);
  });

  it('logs a failure with its label and a code, never its message, and never throws', async () => {
    const { logger, entries, lines } = capturingLogger();
    const work = new DetachedWork(logger);
    work.run('password.reset_requested', () => Promise.reject(Object.assign(new Error('insert into email_tokens values (secret-token)'), { code: 'SERVICE_UNAVAILABLE' })));
    await work.drain();
    expect(entries()).to.have.length(1);
    expect(entries()[0]).to.include({ code: 'BACKGROUND_TASK_FAILED', task: 'password.reset_requested', cause: 'SERVICE_UNAVAILABLE' });
    expect(lines.join('\n')).to.not.include('secret-token');
  });
});
