import type { Knex } from 'knex';
import type { Email } from '../../../domain/email.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { UserRepository } from '../../../domain/ports/user-repository.js';
import type { NewUser, User } from '../../../domain/user.js';
import { isDuplicateKey, query, translateDatabaseError } from './errors.js';
import { rowToUser, userToRow, type UserRow, type UserViewRow } from './rows.js';

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

  // Sessions and identities go with the row (ON DELETE CASCADE, foreign keys on in SQLite too).
  delete(id: string): Promise<void> {
    return query(async () => {
      await this.db<UserRow>('users').where({ id }).del();
    });
  }

  private findOne(where: Record<string, string>): Promise<User | null> {
    return query(async () => {
      const row = (await this.db('users')
        .leftJoin('identities', function joinGithub() {
          this.on('identities.user_id', '=', 'users.id').andOnVal('identities.provider', '=', 'github');
        })
        .where(where)
        .first('users.*', 'identities.login as github_login')) as UserViewRow | undefined;
      return row ? rowToUser(row) : null;
    });
  }
}
