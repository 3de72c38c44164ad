import { expect } from 'chai';
import type { Knex } from 'knex';
import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from '../../src/composition/tokens.js';
import { loadConfig } from '../../src/config/env.js';
import { prepareService } from '../../src/start-up.js';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from '../support/config.js';
import { capturingLogger } from '../support/log-capture.js';

const GITHUB = { GITHUB_CLIENT_ID: 'client-id', GITHUB_CLIENT_SECRET: 'client-secret' };

interface Entry {
  readonly level: number;
  readonly msg: string;
}

/** The lines the service logs as it starts (main runs the same prepareService) for `env`. */
async function startUpLog(env: Record<string, string>): Promise<Entry[]> {
  const capture = capturingLogger<Entry>();
  const loaded = loadConfig({ JWT_ACCESS_SECRET: TEST_ACCESS_SECRET, JWT_REFRESH_SECRET: TEST_REFRESH_SECRET, BCRYPT_COST: '4', DATABASE_URL: 'sqlite::memory:', ...env });
  const container: DependencyContainer = await prepareService(loaded, capture.logger);
  await container.resolve<Knex>(TOKENS.Database).destroy();
  return capture.entries();
}

const hostWarnings = (entries: Entry[]) => entries.filter((e) => e.level === 40 && /GITHUB_CALLBACK_URL is on host/.test(e.msg));

describe('start-up log', () => {
  describe('GitHub callback on another host than the browser', () => {
    it('warns once when the browser is on localhost and the callback on 127.0.0.1, naming both hosts, invalid_state and the fix', async () => {
      const entries = await startUpLog({ ...GITHUB, PUBLIC_URL: 'http://localhost:3000', GITHUB_CALLBACK_URL: 'http://127.0.0.1:3000/auth/github/callback' });

      const [warning, ...more] = hostWarnings(entries);
      expect(more).to.deep.equal([]);
      expect(warning?.msg).to.include('127.0.0.1').and.include('localhost').and.include('state cookie').and.include('invalid_state');
      expect(warning?.msg).to.include('GITHUB_CALLBACK_URL=http://localhost:3000/auth/github/callback');
    });

    it('warns the other way round (browser on 127.0.0.1, callback on localhost)', async () => {
      const entries = await startUpLog({ ...GITHUB, PUBLIC_URL: 'http://127.0.0.1:3000', GITHUB_CALLBACK_URL: 'http://localhost:3000/auth/github/callback' });

      expect(hostWarnings(entries)).to.have.length(1);
    });

    it('says nothing of it when the hosts match', async () => {
      const entries = await startUpLog({ ...GITHUB, PUBLIC_URL: 'http://localhost:3000', GITHUB_CALLBACK_URL: 'http://localhost:3000/auth/github/callback' });

      expect(hostWarnings(entries)).to.deep.equal([]);
      expect(entries.some((e) => e.msg === 'migrations applied'), 'the start-up did run').to.equal(true);
    });
  });
});
