import type { Knex } from 'knex';
import type { Email } from '../../../domain/email.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { UserRepository } from '../../../domain/ports/user-repository.js';
import type { Role } from '../../../domain/role.js';
import type { NewUser, User, UserChanges, UserSearch } from '../../../domain/user.js';
import { SQLITE_UNICODE_LOWER } from './database.js';
import { isDuplicateKey, query, translateDatabaseError } from './errors.js';
import { rolesToColumn, rowToUser, userToRow, type UserRow, type UserViewRow } from './rows.js';

/** `!` escapes LIKE's wildcards: the same ESCAPE clause reads alike on SQLite and MySQL (a backslash does not). */
const escapeLike = (text: string): string => text.replace(/[!%_]/g, (c) => `!${c}`);

const withGithubLogin = (db: Knex | Knex.Transaction): Knex.QueryBuilder =>
  db('users')
    .leftJoin('identities', function joinGithub() {
      this.on('identities.user_id', '=', 'users.id').andOnVal('identities.provider', '=', 'github');
    })
    .leftJoin('totp_factors', 'totp_factors.user_id', 'users.id');

/** A user as the API shows it: the row, its GitHub login, and its second factors (`mfa`), in one query. */
export const userViewColumns = (db: Knex | Knex.Transaction): (string | Knex.Raw)[] => [
  'users.*',
  'identities.login as github_login',
  'totp_factors.confirmed_at as totp_confirmed_at',
  db.raw('(SELECT COUNT(*) FROM passkeys WHERE passkeys.user_id = users.id) AS passkey_count'),
];

/**
 * The admin listing's query (exported for the query-plan test): newest first through the
 * (created_at, id) index, so a page costs `limit` index steps (plus the rows `q` filters out), never a sort.
 */
export function userSearchQuery(db: Knex | Knex.Transaction, { q, after, limit }: UserSearch): Knex.QueryBuilder {
  const select = withGithubLogin(db).select(userViewColumns(db));
  if (after) {
    // Keyset pagination: strictly past (createdAt, id) in the listing's order, so a page is stable under inserts.
    // The redundant `<=` lets SQLite seek to the cursor in the (created_at, id) index (over the OR alone it walks
    // the index from the newest user: a deep page would cost its offset); MariaDB ranges either way.
    select.where('users.created_at', '<=', after.createdAt).andWhere((w) => {
      void w.where('users.created_at', '<', after.createdAt).orWhere((tie) => {
        void tie.where('users.created_at', '=', after.createdAt).andWhere('users.id', '<', after.id);
      });
    });
  }
  if (q !== undefined && q !== '') {
    // utf8mb4_bin compares case-sensitively: both sides are lower-cased, by the same Unicode rules on both databases.
    const lower = db.client.config.client === 'better-sqlite3' ? SQLITE_UNICODE_LOWER : 'LOWER';
    const pattern = `%${escapeLike(q.toLowerCase())}%`;
    select.andWhere((w) => {
      void w.whereRaw(`${lower}(??) LIKE ? ESCAPE '!'`, ['users.email', pattern]).orWhereRaw(`${lower}(??) LIKE ? ESCAPE '!'`, ['users.name', pattern]);
    });
  }
  return select
    .orderBy([
      { column: 'users.created_at', order: 'desc' },
      { column: 'users.id', order: 'desc' },
    ])
    .limit(limit);
}

/** Users, read with the login of their GitHub identity. */
export class KnexUserRepository implements UserRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async create(user: NewUser): Promise<User> {
    const row = userToRow(user);
    try {
      await this.db<UserRow>('users').insert(row);
    } catch (err) {
      if (isDuplicateKey(err)) throw new EmailAlreadyRegisteredError();
      throw translateDatabaseError(err);
    }
    return rowToUser({ ...row, github_login: null });
  }

  findById(id: string): Promise<User | null> {
    return this.findOne({ 'users.id': id });
  }

  findByEmail(email: Email): Promise<User | null> {
    return this.findOne({ 'users.email': email });
  }

  updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    return query(async () => {
      await this.db<UserRow>('users').where({ id }).update({ password_hash: passwordHash });
    });
  }

  markEmailVerified(id: string, email: Email): Promise<boolean> {
    return query(async () => {
      await this.db<UserRow>('users').where({ id, email }).update({ email_verified: true });
      // Already verified counts as verified: MySQL reports 0 affected rows for an unchanged row.
      const row = await this.db<UserRow>('users').where({ id, email }).first('email_verified');
      return row !== undefined && Boolean(row.email_verified);
    });
  }

  async changeEmail(id: string, email: Email): Promise<boolean> {
    try {
      const changed = await this.db<UserRow>('users').where({ id }).update({ email, email_verified: true });
      return changed > 0;
    } catch (err) {
      if (isDuplicateKey(err)) throw new EmailAlreadyRegisteredError();
      throw translateDatabaseError(err);
    }
  }

  update(id: string, changes: UserChanges): Promise<User | null> {
    return query(async () => {
      const patch: Partial<UserRow> = {};
      if (changes.roles !== undefined) patch.roles = rolesToColumn(changes.roles);
      if (changes.disabled !== undefined) patch.disabled = changes.disabled;
      if (changes.name !== undefined) patch.name = changes.name;
      if (changes.emailVerified !== undefined) patch.email_verified = changes.emailVerified;
      if (Object.keys(patch).length > 0) await this.db<UserRow>('users').where({ id }).update(patch);
      return this.findById(id);
    });
  }

  recordSignIn(id: string, at: Date): Promise<void> {
    return query(async () => {
      await this.db<UserRow>('users').where({ id }).update({ last_sign_in_at: at });
    });
  }

  search(search: UserSearch): Promise<User[]> {
    return query(async () => ((await userSearchQuery(this.db, search)) as UserViewRow[]).map(rowToUser));
  }

  countEnabledWithRole(role: Role): Promise<number> {
    return query(async () => {
      // Whole names only: `admin` is not `admins` nor `sub-admin` (roles are single-space separated).
      const name = escapeLike(role);
      const rows = (await this.db<UserRow>('users')
        .where({ disabled: false })
        .andWhere((w) => {
          void w
            .where('roles', '=', role)
            .orWhereRaw("roles LIKE ? ESCAPE '!'", [`${name} %`])
            .orWhereRaw("roles LIKE ? ESCAPE '!'", [`% ${name}`])
            .orWhereRaw("roles LIKE ? ESCAPE '!'", [`% ${name} %`]);
        })
        .count({ n: '*' })) as Array<{ n: number | string }>;
      return Number(rows[0]?.n ?? 0);
    });
  }

  // Sessions and identities go with the row (ON DELETE CASCADE, foreign keys on in SQLite too).
  delete(id: string): Promise<void> {
    return query(async () => {
      await this.db<UserRow>('users').where({ id }).del();
    });
  }

  private withGithubLogin(): Knex.QueryBuilder {
    return withGithubLogin(this.db);
  }

  private findOne(where: Record<string, string>): Promise<User | null> {
    return query(async () => {
      const row = (await this.withGithubLogin()
        .where(where)
        .first(userViewColumns(this.db))) as UserViewRow | undefined;
      return row ? rowToUser(row) : null;
    });
  }
}
