import { expect } from 'chai';
import { createDatabase, keepCompiledStatements, migrateToLatest } from '../../../../src/adapters/persistence/knex/database.js';

describe('SQLite: compiled statements kept per connection', () => {
  it('compiles one SQL text once, and stops keeping new ones past the bound', () => {
    const compiled: string[] = [];
    const conn = { pragma: () => undefined, function: () => undefined, prepare: (sql: string) => (compiled.push(sql), { sql }) };
    keepCompiledStatements(conn, 2);
    const a = conn.prepare('select 1');
    expect(conn.prepare('select 1')).to.equal(a);
    conn.prepare('select 2');
    conn.prepare('select 3');
    conn.prepare('select 3');
    expect(compiled).to.deep.equal(['select 1', 'select 2', 'select 3', 'select 3']);
  });

  it('gives the right answers when a kept statement runs again with other bindings, after a schema change too', async () => {
    const db = createDatabase('sqlite::memory:');
    try {
      await migrateToLatest(db);
      await db.schema.createTable('kept_probe', (t) => {
        t.integer('n');
      });
      await db('kept_probe').insert([{ n: 1 }, { n: 2 }]);
      const count = (n: number) => db('kept_probe').where('n', '>', n).count({ c: '*' }).first();
      expect((await count(0))?.c).to.equal(2);
      expect((await count(1))?.c).to.equal(1);
      await db.schema.alterTable('kept_probe', (t) => {
        t.string('label').nullable();
      });
      await db('kept_probe').insert({ n: 3, label: 'x' });
      expect((await count(1))?.c).to.equal(2);
    } finally {
      await db.destroy();
    }
  });
});
