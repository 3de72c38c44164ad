import type { Knex } from 'knex';
import { tryParseEmail } from '../src/domain/email.js';

const BATCH = 1000;
/** How many ids a refusal names; the count is always whole. */
const LISTED = 100;

interface StoredEmail {
  readonly id: string;
  readonly email: string;
}

/** A failed migration: names accounts by id only (the message reaches logs), and says how to resolve it. */
export class EmailNormalisationError extends Error {
  constructor(
    readonly duplicates: readonly (readonly string[])[],
    readonly refused: readonly string[],
  ) {
    super(describe(duplicates, refused));
    this.name = 'EmailNormalisationError';
  }
}

const listed = (ids: readonly string[]): string =>
  ids.length > LISTED ? `${ids.slice(0, LISTED).join(', ')} and ${ids.length - LISTED} more` : ids.join(', ');

function describe(duplicates: readonly (readonly string[])[], refused: readonly string[]): string {
  const parts = ['Emails are now stored trimmed, NFC, lower-cased, with the domain in IDNA ASCII form (docs/http-api.md), and nothing was changed:'];
  if (duplicates.length > 0) {
    const accounts = duplicates.reduce((n, group) => n + group.length, 0);
    parts.push(
      `${accounts} accounts in ${duplicates.length} groups would share one address (user ids, one group per bracket: ${listed(duplicates.map((g) => `[${g.join(', ')}]`))}).` +
        ' They are never merged silently: decide which account of each group keeps the address, give the others another email (or delete them),',
    );
  }
  if (refused.length > 0) {
    parts.push(
      `${refused.length} accounts have an email the new rules refuse (a control or invisible character, an invalid domain, over 254 characters; user ids: ${listed(refused)}): correct or clear it,`,
    );
  }
  parts.push('then run the migrations again (npm run migrate, or start the service). See README, "Upgrading".');
  return parts.join(' ');
}

/** Every stored email, a batch at a time by primary key. */
async function* storedEmails(knex: Knex): AsyncGenerator<StoredEmail> {
  let after: string | null = null;
  for (;;) {
    const query = knex<StoredEmail>('users').select('id', 'email').whereNotNull('email').orderBy('id').limit(BATCH);
    const rows: StoredEmail[] = await (after === null ? query : query.where('id', '>', after));
    yield* rows;
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * Rewrites every stored email into the canonical form parseEmail gives (so `bücher.de` and
 * `xn--bcher-kva.de`, NFC and NFD, become one address), in the migration's transaction. Two
 * accounts whose emails become one address, or an email the rules refuse, stop the migration
 * before anything changes.
 */
export async function up(knex: Knex): Promise<void> {
  const changes: StoredEmail[] = [];
  const refused: string[] = [];
  for await (const row of storedEmails(knex)) {
    const email = tryParseEmail(row.email);
    if (email === null) refused.push(row.id);
    else if (email !== row.email) changes.push({ id: row.id, email });
  }

  // Stored emails were unique, so a clash needs a changed one: two changed rows meeting, or one
  // landing on an address a row already holds (the unique index compares bytes on both databases).
  const owners = new Map<string, Set<string>>();
  for (const { id, email } of changes) owners.set(email, (owners.get(email) ?? new Set()).add(id));
  const targets = [...owners.keys()];
  for (let i = 0; i < targets.length; i += 500) {
    const holders: StoredEmail[] = await knex<StoredEmail>('users').select('id', 'email').whereIn('email', targets.slice(i, i + 500));
    for (const holder of holders) owners.get(holder.email)?.add(holder.id);
  }
  const duplicates = [...owners.values()].filter((ids) => ids.size > 1).map((ids) => [...ids].sort());

  if (duplicates.length > 0 || refused.length > 0) throw new EmailNormalisationError(duplicates, refused);
  for (const { id, email } of changes) await knex('users').where({ id }).update({ email });
}

/** Nothing to undo: the earlier code stored lower-cased emails, and the canonical form is one of those. */
export async function down(): Promise<void> {}
