import type { IdentityProvider, LinkedIdentity } from '../identity.js';
import type { NewUser, User } from '../user.js';

export interface IdentityRepository {
  /** The identity with this provider user id, or null. */
  find(provider: IdentityProvider, providerUserId: string): Promise<LinkedIdentity | null>;
  /** Links an identity to an existing user; throws IdentityAlreadyLinkedError when the identity, or a same-provider identity of the user, is linked already, and UserNotFoundError when the user does not exist. */
  link(identity: LinkedIdentity): Promise<void>;
  /** Creates the user and links the identity atomically (both or neither); throws EmailAlreadyRegisteredError or IdentityAlreadyLinkedError. */
  createUserWithIdentity(user: NewUser, identity: LinkedIdentity): Promise<User>;
  /** Records the provider login the identity now has. */
  updateLogin(provider: IdentityProvider, providerUserId: string, login: string | null): Promise<void>;
  /** The user's identities, oldest link first. */
  listByUser(userId: string): Promise<LinkedIdentity[]>;
  /** Removes the user's identity at this provider: false when there was none. */
  unlink(userId: string, provider: IdentityProvider): Promise<boolean>;
}
