import type { Knex } from 'knex';
import type { Email } from '../../../domain/email.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { UserRepository } from '../../../domain/ports/user-repository.js';
import type { NewUser, User } from '../../../domain/user.js';
import { isDuplicateKey, query, translateDatabaseError } from './errors.js';
import { rowToUser, userToRow, type UserRow } from './rows.js';

export class KnexUserRepository implements UserRepository {
  constructor(private readonly db: Knex) {}

  async create(user: NewUser): Promise<User> {
    const row = userToRow(user);
    try {
      await this.db<UserRow>('users').insert(row);
    } catch (err) {
      if (isDuplicateKey(err)) throw new EmailAlreadyRegisteredError();
      throw translateDatabaseError(err);
    }
    return rowToUser(row);
  }

  findById(id: string): Promise<User | null> {
    return query(async () => {
      const row = await this.db<UserRow>('users').where({ id }).first();
      return row ? rowToUser(row) : null;
    });
  }

  updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    return query(async () => {
      await this.db<UserRow>('users').where({ id }).update({ password_hash: passwordHash });
    });
  }

  findByEmail(email: Email): Promise<User | null> {
    return query(async () => {
      const row = await this.db<UserRow>('users').where({ email: email.toLowerCase() }).first();
      return row ? rowToUser(row) : null;
    });
  }
}
