import { InMemoryAccounts } from '../../src/adapters/persistence/memory/in-memory-accounts.js';
import { InMemoryIdentityRepository } from '../../src/adapters/persistence/memory/in-memory-identity-repository.js';
import { InMemoryUserRepository } from '../../src/adapters/persistence/memory/in-memory-user-repository.js';
import { identityRepositoryContract } from './identity-repository.contract.js';

describe('in-memory identity adapters', () => {
  // One InMemoryAccounts under both repositories, as one database would be.
  identityRepositoryContract('InMemoryIdentityRepository + InMemoryUserRepository', () => {
    const accounts = new InMemoryAccounts();
    return Promise.resolve({
      users: new InMemoryUserRepository(accounts),
      identities: new InMemoryIdentityRepository(accounts),
      teardown: () => Promise.resolve(),
    });
  });
});
