import { InMemoryTokenStore } from '../../src/adapters/persistence/memory/in-memory-token-store.js';
import { InMemoryUserRepository } from '../../src/adapters/persistence/memory/in-memory-user-repository.js';
import { refreshRotationContract } from './refresh-rotation.contract.js';
import { sessionPruningContract } from './session-pruning.contract.js';
import { tokenStoreContract } from './token-store.contract.js';
import { userRepositoryContract } from './user-repository.contract.js';

const nothingToTearDown = (): Promise<void> => Promise.resolve();

describe('in-memory adapters', () => {
  userRepositoryContract('InMemoryUserRepository', () =>
    Promise.resolve({ repo: new InMemoryUserRepository(), teardown: nothingToTearDown }),
  );

  tokenStoreContract('InMemoryTokenStore', () =>
    Promise.resolve({ store: new InMemoryTokenStore(), users: new InMemoryUserRepository(), teardown: nothingToTearDown }),
  );

  sessionPruningContract('InMemoryTokenStore', () =>
    Promise.resolve({ store: new InMemoryTokenStore(), users: new InMemoryUserRepository(), teardown: nothingToTearDown }),
  );

  refreshRotationContract('InMemoryTokenStore + InMemoryUserRepository', () =>
    Promise.resolve({ store: new InMemoryTokenStore(), users: new InMemoryUserRepository(), teardown: nothingToTearDown }),
  );
});
