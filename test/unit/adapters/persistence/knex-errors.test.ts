import { expect } from 'chai';
import mysql from 'mysql2';
import { query, translateDatabaseError } from '../../../../src/adapters/persistence/knex/errors.js';
import { ServiceUnavailableError } from '../../../../src/domain/errors.js';
import { mysqlUrl, warnMysqlSkipped } from '../../../support/databases.js';

/** What mysql2 answers a query on a connection that is already closed: fatal, and no code at all. */
const closedConnectionError = (): Error & { fatal?: boolean; code?: string } =>
  Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true });

describe('translateDatabaseError', () => {
  it('makes a fatal driver error without a code SERVICE_UNAVAILABLE, keeping the driver error only as its cause', () => {
    const driver = closedConnectionError();

    const translated = translateDatabaseError(driver);

    expect(translated).to.be.instanceOf(ServiceUnavailableError);
    expect((translated as ServiceUnavailableError).code).to.equal('SERVICE_UNAVAILABLE');
    expect((translated as Error).message).to.not.contain('closed state');
    expect((translated as { cause?: unknown }).cause).to.equal(driver);
  });

  it('makes the network codes and a pool timeout SERVICE_UNAVAILABLE', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
      Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' }),
    ]) {
      expect(translateDatabaseError(err), err.message).to.be.instanceOf(ServiceUnavailableError);
    }
  });

  it('leaves every other error as it is: a constraint, a non-fatal error without a code, a fatal flag that is not true', () => {
    for (const err of [
      Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY' }),
      new Error('something else'),
      Object.assign(new Error('not fatal'), { fatal: false }),
      Object.assign(new Error('truthy, not true'), { fatal: 'yes' }),
    ]) {
      expect(translateDatabaseError(err), err.message).to.equal(err);
    }
    expect(translateDatabaseError(null)).to.equal(null);
  });

  it('query() throws the translation', async () => {
    const thrown = await query(() => Promise.reject(closedConnectionError())).then(
      () => expect.fail('query should have failed'),
      (err: unknown) => err,
    );
    expect(thrown).to.be.instanceOf(ServiceUnavailableError);
  });

  it('translates what mysql2 itself answers on a closed connection (TEST_MYSQL_URL)', async function () {
    const url = mysqlUrl();
    if (!url) {
      warnMysqlSkipped();
      this.skip();
    }
    const u = new URL(url);
    const connection = mysql.createConnection({
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
    });
    await new Promise<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
    connection.destroy();
    const driver = await new Promise<unknown>((resolve) => connection.query('select 1', (err) => resolve(err)));

    expect(driver, 'the driver error').to.include({ fatal: true });
    expect((driver as { code?: unknown }).code, 'it carries no code').to.equal(undefined);
    expect(translateDatabaseError(driver)).to.be.instanceOf(ServiceUnavailableError);
  });
});
