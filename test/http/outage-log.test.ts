import { expect } from 'chai';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { translateDatabaseError } from '../../src/adapters/persistence/knex/errors.js';
import { TOKENS } from '../../src/composition/tokens.js';
import type { TokenStore } from '../../src/domain/ports/token-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appDatabase } from '../support/backends.js';
import { mysqlTestDatabase, mysqlUrl, warnMysqlSkipped, type TestDatabase } from '../support/databases.js';
import { bearer, call, register } from '../support/http.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { expectProblem } from './helpers.js';
import { capturingLogger } from '../support/log-capture.js';

/**
 * A database outage is logged so an operator sees it: a `dependency unavailable` line per failed
 * request (tied to its request id) and knex's own `database: connection problem` lines, each with
 * the driver's code — and never the driver's text, which names hosts, ports and statements.
 */

interface LogLine {
  readonly msg?: string;
  readonly requestId?: string;
  readonly code?: unknown;
  readonly cause?: { readonly type?: unknown; readonly code?: unknown; readonly message?: unknown };
  readonly [key: string]: unknown;
}


const settle = () => new Promise((r) => setTimeout(r, 20));
const DRIVER_CODE = /^(E[A-Z]{3,}|ER_[A-Z_]+|PROTOCOL_[A-Z_]+)$/;
/** What the driver's own messages carry: an address, the socket verbs, mysql2's phrases, SQL. */
const DRIVER_TEXT = /\d+\.\d+\.\d+\.\d+|connect E|closed state|Connection lost|\bselect\b|\binsert\b|`users`|`sessions`/i;

describe('the database-outage log line', () => {
  describe('on a store whose driver refuses (in-memory app, the knex translation of a refused connection)', () => {
    const capture = capturingLogger<LogLine>();
    let app: TestApp;
    before(async () => {
      app = await startTestApp({
        logger: capture.logger,
        override: (c) => {
          const store = c.resolve<TokenStore>(TOKENS.TokenStore);
          const refused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:3306'), { code: 'ECONNREFUSED', address: '10.1.2.3', port: 3306 });
          c.register(TOKENS.TokenStore, {
            useValue: { ...store, create: store.create.bind(store), find: () => Promise.reject(translateDatabaseError(refused)) } satisfies TokenStore,
          });
        },
      });
    });
    after(() => app.close());

    it('is written with the request id and the driver code, and without the driver text', async () => {
      const user = await register(app.url);
      capture.lines.length = 0;

      expectProblem(await call(app.url, 'GET', '/auth/me', { headers: { ...bearer(user.accessToken), 'x-request-id': 'outage-1' } }), 503, 'SERVICE_UNAVAILABLE');
      await settle();

      const line = capture.entries().find((l) => l.msg === 'dependency unavailable');
      expect(line, capture.lines.join('\n')).to.not.equal(undefined);
      expect(line).to.include({ requestId: 'outage-1' });
      expect(line?.cause).to.deep.equal({ type: 'Error', code: 'ECONNREFUSED' });
      expect(capture.lines.join('\n')).to.not.match(DRIVER_TEXT);
    });
  });

  describe('on MariaDB behind a relay the test takes away (TEST_MYSQL_URL)', function () {
    this.timeout(30_000);
    const capture = capturingLogger<LogLine>();
    let database: TestDatabase | null = null;
    let proxy: TcpProxy | undefined;
    let app: TestApp | undefined;
    before(async function () {
      if (!mysqlUrl()) {
        warnMysqlSkipped();
        this.skip();
      }
      database = await mysqlTestDatabase();
      const relayed = await TcpProxy.inFrontOf(database.url, 3306);
      proxy = relayed.proxy;
      app = await startTestApp({ persistence: 'database', env: { DATABASE_URL: relayed.url }, logger: capture.logger });
      await migrateToLatest(appDatabase(app));
    });
    after(async () => {
      await proxy?.start();
      if (app) {
        await app.close();
        await appDatabase(app).destroy();
      }
      await proxy?.close();
      await database?.close();
    });

    it('is written for each failed request and by knex, each with a driver code, none with the driver text', async () => {
      const running = app as TestApp;
      const user = await register(running.url);
      expect((await call(running.url, 'GET', '/auth/me', { headers: bearer(user.accessToken) })).status).to.equal(200);
      capture.lines.length = 0;
      await proxy?.stop();

      for (const id of ['db-down-1', 'db-down-2']) {
        expectProblem(await call(running.url, 'GET', '/auth/me', { headers: { ...bearer(user.accessToken), 'x-request-id': id } }), 503, 'SERVICE_UNAVAILABLE');
      }
      expectProblem(await call(running.url, 'POST', '/auth/login', { json: { email: user.email, password: user.password } }), 503, 'SERVICE_UNAVAILABLE');
      await settle();

      const lines = capture.entries();
      const failed = lines.filter((l) => l.msg === 'dependency unavailable');
      expect(failed.map((l) => l.requestId)).to.include.members(['db-down-1', 'db-down-2']);
      for (const line of failed) expect(line.cause?.code, JSON.stringify(line)).to.match(DRIVER_CODE);
      const knexLines = lines.filter((l) => l.msg === 'database: connection problem');
      expect(knexLines, 'knex’s own lines').to.not.have.length(0);
      for (const line of knexLines) expect(line.code, JSON.stringify(line)).to.match(DRIVER_CODE);
      expect(capture.lines.join('\n'), 'driver text in the log').to.not.match(DRIVER_TEXT);
    });
  });
});
