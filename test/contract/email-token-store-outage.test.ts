import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDatabase } from '../../src/adapters/persistence/knex/database.js';
import { KnexEmailTokenStore } from '../../src/adapters/persistence/knex/knex-email-token-store.js';
import { anEmailToken, at, codeOf, rejectionOf } from './builders.js';

/** A database that refuses connections becomes SERVICE_UNAVAILABLE at the adapter's edge, never a driver error. */
describe('KnexEmailTokenStore with its database unreachable', () => {
  let db: Knex;
  let store: KnexEmailTokenStore;
  before(() => {
    // Port 1 on the loopback: refused at once, no server needed.
    db = createDatabase('mysql://root@127.0.0.1:1/unreachable', { warn: () => undefined });
    store = new KnexEmailTokenStore(db);
  });
  after(() => db.destroy());

  const token = anEmailToken('00000000-0000-4000-8000-000000000000');
  const now = at('2026-03-01T10:30:00.000Z');
  const calls: Record<string, () => Promise<unknown>> = {
    issue: () => store.issue(token),
    findLive: () => store.findLive(token.digest, token.kind, now),
    consume: () => store.consume(token.digest, token.kind, now),
    voidAllForUser: () => store.voidAllForUser(token.userId, now, token.kind),
    prune: () => store.prune(now, 10),
  };

  for (const [method, call] of Object.entries(calls)) {
    it(`${method} rejects with SERVICE_UNAVAILABLE`, async () => {
      expect(codeOf(await rejectionOf(call()))).to.equal('SERVICE_UNAVAILABLE');
    });
  }
});
