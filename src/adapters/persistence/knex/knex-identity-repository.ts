import type { Knex } from 'knex';
import { EmailAlreadyRegisteredError, IdentityAlreadyLinkedError, UserNotFoundError } from '../../../domain/errors.js';
import type { IdentityProvider, LinkedIdentity } from '../../../domain/identity.js';
import type { IdentityRepository } from '../../../domain/ports/identity-repository.js';
import type { NewUser, User } from '../../../domain/user.js';
import { isDuplicateKey, isMissingReference, query, translateDatabaseError } from './errors.js';
import { KnexUserRepository } from './knex-user-repository.js';
import { identityToRow, rowToIdentity, type IdentityRow } from './rows.js';

export class KnexIdentityRepository implements IdentityRepository {
  constructor(private readonly db: Knex) {}

  find(provider: IdentityProvider, providerUserId: string): Promise<LinkedIdentity | null> {
    return query(async () => {
      const row = await this.db<IdentityRow>('identities').where({ provider, provider_user_id: providerUserId }).first();
      return row ? rowToIdentity(row) : null;
    });
  }

  async link(identity: LinkedIdentity, db: Knex | Knex.Transaction = this.db): Promise<void> {
    try {
      await db<IdentityRow>('identities').insert(identityToRow(identity));
    } catch (err) {
      if (isDuplicateKey(err)) throw new IdentityAlreadyLinkedError();
      if (isMissingReference(err)) throw new UserNotFoundError();
      throw translateDatabaseError(err);
    }
  }

  /** One transaction: a user is never left without the identity that created it. */
  async createUserWithIdentity(user: NewUser, identity: LinkedIdentity): Promise<User> {
    try {
      return await this.db.transaction(async (trx) => {
        const created = await new KnexUserRepository(trx).create(user);
        await this.link(identity, trx);
        return { ...created, githubLogin: identity.provider === 'github' ? identity.login : null };
      });
    } catch (err) {
      if (err instanceof EmailAlreadyRegisteredError || err instanceof IdentityAlreadyLinkedError) throw err;
      throw translateDatabaseError(err);
    }
  }

  updateLogin(provider: IdentityProvider, providerUserId: string, login: string | null): Promise<void> {
    return query(async () => {
      await this.db<IdentityRow>('identities').where({ provider, provider_user_id: providerUserId }).update({ login });
    });
  }

  listByUser(userId: string): Promise<LinkedIdentity[]> {
    return query(async () => {
      const rows = await this.db<IdentityRow>('identities').where({ user_id: userId }).orderBy([{ column: 'created_at' }, { column: 'provider' }]);
      return rows.map(rowToIdentity);
    });
  }

  unlink(userId: string, provider: IdentityProvider): Promise<boolean> {
    return query(async () => (await this.db<IdentityRow>('identities').where({ user_id: userId, provider }).delete()) > 0);
  }
}
